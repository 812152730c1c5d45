//! Registration: `POST /api/actors`.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use serde_json::Value;
use tokio_postgres::error::SqlState;
use uuid::Uuid;

use super::ConnectionState;
use crate::{
    api::AppState,
    auth::{Principal, keys},
    domain::{ActorType, AgentProfile, DisplayName, Email, check_metadata},
    error::ApiError,
    store::{actors, actors::ActorRow, credentials},
    tenancy::{Control, ControlConn},
};

#[derive(Object)]
pub struct NewActor {
    /// Display name, 1–200 characters.
    display_name: DisplayName,
    /// `human` (default) or `agent`.
    #[oai(nullable)]
    actor_type: Option<ActorType>,
    /// Required for human actors.
    #[oai(nullable)]
    email: Option<Email>,
    /// Agent type identifier, e.g. `claude-code` (at most 100 characters).
    #[oai(nullable)]
    agent_profile: Option<AgentProfile>,
    /// Arbitrary JSON object, at most 16 KiB.
    #[oai(nullable)]
    metadata: Option<Value>,
}

/// A newly registered actor. `api_key` is shown only here, once.
#[derive(Object)]
pub struct CreatedActor {
    /// The new actor's id.
    actor_id: Uuid,
    /// Display name, as stored (trimmed).
    display_name: String,
    /// `human` or `agent`.
    actor_type: ActorType,
    /// The actor's API key (`convo_…`). Store it: it cannot be retrieved again.
    api_key: String,
    /// A human's e-mail address; `null` for agents registered without one.
    #[oai(nullable)]
    email: Option<String>,
    /// An agent's type identifier; `null` when not set.
    #[oai(nullable)]
    agent_profile: Option<String>,
    /// Arbitrary JSON object (`{}` when none).
    metadata: Value,
    /// The human who sponsors this agent; `null` for humans.
    #[oai(nullable)]
    sponsor_id: Option<Uuid>,
    /// `null` when the actor belongs to no tenant.
    #[oai(nullable)]
    tenant_id: Option<Uuid>,
    /// When the actor was registered.
    created_at: DateTime<Utc>,
    /// For agents: `connected` when registered with an `X-Installation-Id`, else
    /// `available`. `null` for humans.
    #[oai(nullable)]
    connection_state: Option<ConnectionState>,
    /// The installation an agent is connected to.
    #[oai(nullable)]
    installation_id: Option<String>,
}

/// Register an actor for `caller` (if any), from `client` (the address registrations per
/// hour are counted against).
pub async fn create(
    state: &AppState,
    caller: Option<&Principal>,
    client: Option<IpAddr>,
    installation: Option<String>,
    body: NewActor,
) -> Result<CreatedActor, ApiError> {
    let actor_type = body.actor_type.unwrap_or(ActorType::Human);
    let display_name = body.display_name.into_string();
    let agent_profile = body.agent_profile.map(AgentProfile::into_string);
    let metadata = check_metadata(body.metadata).map_err(ApiError::bad_request)?;
    let email = body.email.map(Email::into_string);

    let (sponsor_id, tenant_id) = match actor_type {
        ActorType::Human => {
            if email.is_none() {
                return Err(ApiError::bad_request("email is required for human actors"));
            }
            match caller {
                Some(c) if !c.is_human() => {
                    return Err(ApiError::forbidden("Agents cannot register actors"));
                }
                Some(c) => (None, c.tenant_id),
                None => (None, None),
            }
        }
        ActorType::Agent => {
            let sponsor = caller.ok_or_else(ApiError::unauthorized)?;
            if !sponsor.is_human() {
                return Err(ApiError::forbidden("Only human actors can sponsor agents"));
            }
            (Some(sponsor.actor_id), sponsor.tenant_id)
        }
    };
    // Humans have no installations.
    let installation = installation.filter(|_| actor_type == ActorType::Agent);

    let mut actor = ActorRow {
        actor_id: Uuid::new_v4(),
        display_name,
        actor_type,
        email,
        agent_profile,
        metadata,
        sponsor_id,
        tenant_id,
        default_space_id: None,
        created_at: crate::domain::now(),
        installation_id: installation,
    };
    // Counted once the request is known to be valid, before its hashing is paid for.
    state.registrations.take(client).map_err(|wait| {
        ApiError::too_many_requests(format!(
            "Registration quota reached for this address: {} per hour; retry in {} s",
            state.limits.registrations_per_address_per_hour,
            wait.as_secs().max(1)
        ))
    })?;
    let key = state.auth.mint(keys::generate).await?;
    let mut conn = ControlConn::get(&state.db.pool).await?;
    let tx = conn.transaction().await?;
    if let Some(sponsor) = actor.sponsor_id {
        check_agent_quota(&tx, sponsor, state.limits.agents_per_human).await?;
    }
    actor.tenant_id = actors::insert(&tx, &actor).await.map_err(|e| {
        // The sponsor was deleted while this request was in flight: its key is no longer valid.
        if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) {
            ApiError::unauthorized()
        } else {
            e.into()
        }
    })?;
    credentials::insert_api_key(
        &tx,
        actor.actor_id,
        &key.lookup,
        &key.hash,
        actor.installation_id.as_deref(),
    )
    .await?;
    tx.commit().await?;

    Ok(CreatedActor {
        actor_id: actor.actor_id,
        display_name: actor.display_name,
        actor_type: actor.actor_type,
        api_key: key.plaintext,
        email: actor.email,
        agent_profile: actor.agent_profile,
        metadata: actor.metadata,
        sponsor_id: actor.sponsor_id,
        tenant_id: actor.tenant_id,
        created_at: actor.created_at,
        connection_state: (actor_type == ActorType::Agent)
            .then(|| ConnectionState::of(actor.installation_id.as_deref())),
        installation_id: actor.installation_id,
    })
}

/// Refuse a new agent when `sponsor` already sponsors `limit` (0: no limit). The sponsor's
/// row is locked until the transaction ends, so concurrent registrations count each other.
async fn check_agent_quota(tx: &impl Control, sponsor: Uuid, limit: u32) -> Result<(), ApiError> {
    // Deleted while this request was in flight: its key is no longer valid.
    actors::lock(tx, sponsor)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    if limit > 0 && actors::count_sponsored(tx, sponsor).await? >= i64::from(limit) {
        return Err(ApiError::forbidden(format!(
            "Agent quota reached: a human may sponsor at most {limit} agents"
        )));
    }
    Ok(())
}
