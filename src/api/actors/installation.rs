//! Installations, key rotation and release.
//!
//! A client names the machine it runs on with the `X-Installation-Id` header (1–128 visible
//! ASCII characters). Issuing a key to an installation — registering an agent, or rotating
//! its key — connects the agent to that installation. While an agent is connected, only that
//! installation may rotate its key; anyone else gets the structured 409 `agent_connected`
//! unless they send `X-Force-Rotate: true`, which takes the agent over. Releasing an agent
//! makes it available again without touching its key. Humans are never connected.

use poem::Request;
use poem_openapi::{ApiResponse, Enum, Object, payload::Json};
use uuid::Uuid;

use super::{ConnectionState, actor_not_found, manage::sponsors_here};
use crate::{
    api::AppState,
    auth::{Principal, invalidation, keys},
    domain::{ActorType, InstallationId},
    error::{ApiError, ErrorBody},
    store::{actors, actors::ActorRow, credentials},
    tenancy::ControlConn,
};

pub const FORCE_HEADER: &str = "X-Force-Rotate";

/// The `X-Installation-Id` header as the typed parameter read it, checked against the raw
/// request: poem reads a value that is not visible ASCII as no header at all.
pub fn installation_id(
    typed: Option<InstallationId>,
    req: &Request,
) -> Result<Option<String>, ApiError> {
    match typed {
        Some(id) => Ok(Some(id.into_string())),
        None if req.headers().contains_key(InstallationId::HEADER) => {
            Err(ApiError::bad_request(InstallationId::invalid()))
        }
        None => Ok(None),
    }
}

/// `X-Force-Rotate`: `true` or `false` (any case); absent means `false`.
pub fn force_rotate(typed: Option<String>, req: &Request) -> Result<bool, ApiError> {
    let invalid = || ApiError::bad_request(format!("{FORCE_HEADER} must be true or false"));
    match typed {
        Some(v) if v.trim().eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.trim().eq_ignore_ascii_case("false") => Ok(false),
        Some(_) => Err(invalid()),
        None if req.headers().contains_key(FORCE_HEADER) => Err(invalid()),
        None => Ok(false),
    }
}

/// A freshly rotated key. `api_key` is shown only here, once.
#[derive(Object)]
pub struct RotatedKey {
    /// The actor whose key was rotated.
    actor_id: Uuid,
    /// `human` or `agent`.
    actor_type: ActorType,
    /// The new key (`convo_…`). Every earlier key of the actor no longer works.
    api_key: String,
    /// For agents: `connected` to the request's installation, or `available` when the
    /// request named none. `null` for humans.
    #[oai(nullable)]
    connection_state: Option<ConnectionState>,
    /// The installation the agent is now connected to.
    #[oai(nullable)]
    installation_id: Option<String>,
}

/// The 409 of rotate-key: the agent is connected to another installation.
#[derive(Object)]
pub struct AgentConnected {
    /// Always `agent_connected`.
    error: String,
    /// Human-readable explanation.
    message: String,
    /// The agent whose key was not rotated.
    agent_id: Uuid,
}

impl AgentConnected {
    fn new(agent_id: Uuid) -> Self {
        AgentConnected {
            error: "agent_connected".to_string(),
            message: format!(
                "Agent {agent_id} is currently connected to another installation. \
                 Release it first or retry with X-Force-Rotate: true."
            ),
            agent_id,
        }
    }
}

/// The responses of rotate-key: the usual `{"detail"}` errors, except a structured 409.
#[derive(ApiResponse)]
pub enum RotateResponse {
    /// The new key.
    #[oai(status = 200)]
    Ok(Json<RotatedKey>),
    /// Bad request: an invalid `X-Installation-Id` or `X-Force-Rotate` header.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// Authentication required: no valid API key was provided.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// The caller is neither the actor itself nor its sponsor, or its tenant is suspended.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No actor with this id.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The agent is connected to another installation:
    /// `{"error": "agent_connected", "message": "…", "agent_id": "…"}`.
    #[oai(status = 409)]
    Conflict(Json<AgentConnected>),
    /// Too many requests for this actor, or too many failed credential checks.
    #[oai(status = 429)]
    TooManyRequests(Json<ErrorBody>),
    /// Unexpected server error; the details are in the server log.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
    /// The database is unreachable; retry with backoff.
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>),
}

impl From<ApiError> for RotateResponse {
    fn from(err: ApiError) -> Self {
        match err {
            ApiError::BadRequest(b) | ApiError::PayloadTooLarge(b) => Self::BadRequest(b),
            ApiError::Unauthorized(b) => Self::Unauthorized(b),
            ApiError::Forbidden(b) => Self::Forbidden(b),
            ApiError::NotFound(b) => Self::NotFound(b),
            ApiError::TooManyRequests(b) => Self::TooManyRequests(b),
            ApiError::Internal(b) => Self::Internal(b),
            ApiError::Unavailable(b) => Self::Unavailable(b),
            // Rotation raises no plain conflict; should one appear, it is a server fault.
            ApiError::Conflict(b) => {
                tracing::error!("rotate-key raised a plain conflict: {}", b.detail);
                Self::Internal(Json(ErrorBody {
                    detail: "Internal server error".to_string(),
                }))
            }
        }
    }
}

/// An agent connected to an installation other than the request's (or to any, when the
/// request names none) refuses rotation unless forced.
fn connected_elsewhere(target: &ActorRow, installation: Option<&str>, force: bool) -> bool {
    target.actor_type == ActorType::Agent
        && !force
        && target
            .installation_id
            .as_deref()
            .is_some_and(|current| Some(current) != installation)
}

pub async fn rotate(
    state: &AppState,
    caller: &Principal,
    id: Uuid,
    installation: Option<String>,
    force: bool,
) -> Result<RotateResponse, ApiError> {
    let target = {
        let conn = ControlConn::get(&state.db.pool).await?;
        actors::get(&conn, id).await?.ok_or_else(actor_not_found)?
    };
    if caller.actor_id != id && !sponsors_here(caller, &target) {
        return Err(ApiError::forbidden(
            "Only the actor itself or its sponsor, in its tenant, can rotate its key",
        ));
    }
    // Checked before the (slow) key generation, and again under the row lock.
    if connected_elsewhere(&target, installation.as_deref(), force) {
        return Ok(RotateResponse::Conflict(Json(AgentConnected::new(id))));
    }
    let key = state.auth.mint(keys::generate).await?;

    let mut conn = ControlConn::get(&state.db.pool).await?;
    let tx = conn.transaction().await?;
    let target = actors::lock(&tx, id).await?.ok_or_else(actor_not_found)?;
    // Again under the lock: the sponsor may have moved to another tenant meanwhile.
    if caller.actor_id != id && !sponsors_here(caller, &target) {
        return Err(ApiError::forbidden(
            "Only the actor itself or its sponsor, in its tenant, can rotate its key",
        ));
    }
    if connected_elsewhere(&target, installation.as_deref(), force) {
        return Ok(RotateResponse::Conflict(Json(AgentConnected::new(id))));
    }
    let is_agent = target.actor_type == ActorType::Agent;
    let installation = if is_agent { installation } else { None };
    credentials::revoke_actor_keys(&tx, id).await?;
    credentials::insert_api_key(&tx, id, &key.lookup, &key.hash, installation.as_deref()).await?;
    if is_agent {
        actors::set_installation(&tx, id, installation.as_deref()).await?;
    }
    invalidation::notify_actor(&tx, id).await?;
    tx.commit().await?;
    state.auth.cache.invalidate_actor(id);

    Ok(RotateResponse::Ok(Json(RotatedKey {
        actor_id: id,
        actor_type: target.actor_type,
        api_key: key.plaintext,
        connection_state: is_agent.then(|| ConnectionState::of(installation.as_deref())),
        installation_id: installation,
    })))
}

/// What a release did.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum ReleaseStatus {
    /// The agent was connected and is now available.
    Released,
    /// The agent was already available; nothing changed.
    AlreadyReleased,
}

#[derive(Object)]
pub struct Released {
    /// The agent that was released.
    agent_id: Uuid,
    /// `released`, or `already_released` when the agent was not connected.
    status: ReleaseStatus,
}

pub async fn release(state: &AppState, caller: &Principal, id: Uuid) -> Result<Released, ApiError> {
    let conn = ControlConn::get(&state.db.pool).await?;
    let target = actors::get(&conn, id).await?.ok_or_else(actor_not_found)?;
    if !sponsors_here(caller, &target) {
        return Err(ApiError::forbidden(
            "Only the agent's sponsor, in its tenant, can release it",
        ));
    }
    // No cache to invalidate: a cached principal does not carry the connection state, and
    // rotation reads it under a row lock.
    let status = if actors::release(&conn, id).await? {
        ReleaseStatus::Released
    } else {
        ReleaseStatus::AlreadyReleased
    };
    Ok(Released {
        agent_id: id,
        status,
    })
}
