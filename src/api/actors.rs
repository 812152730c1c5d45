//! `POST /api/actors` and `GET /api/actors/me`.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{Object, OpenApi, payload::Json};
use serde_json::Value;
use uuid::Uuid;

use super::ApiTags;
use crate::{
    app::AppState,
    auth::{ApiKeyAuth, OptionalApiKeyAuth, keys},
    domain::{ActorType, Str, bounded_text, check_email, check_metadata},
    error::ApiError,
    store::{actors, actors::ActorRow, credentials},
};

const MAX_DISPLAY_NAME_CHARS: usize = 200;
const MAX_PROFILE_CHARS: usize = 100;

#[derive(Object)]
pub struct NewActor {
    /// Display name, 1–200 characters.
    display_name: Str,
    /// `human` (default) or `agent`.
    #[oai(nullable)]
    actor_type: Option<ActorType>,
    /// Required for human actors.
    #[oai(nullable)]
    email: Option<Str>,
    /// Agent type identifier, e.g. `claude-code` (at most 100 characters).
    #[oai(nullable)]
    agent_profile: Option<Str>,
    /// Arbitrary JSON object, at most 16 KiB.
    #[oai(nullable)]
    metadata: Option<Value>,
}

/// A newly registered actor. `api_key` is shown only here, once.
#[derive(Object)]
pub struct CreatedActor {
    actor_id: Uuid,
    display_name: String,
    actor_type: ActorType,
    /// The actor's API key (`convo_…`). Store it: it cannot be retrieved again.
    api_key: String,
    #[oai(nullable)]
    email: Option<String>,
    #[oai(nullable)]
    agent_profile: Option<String>,
    metadata: Value,
    /// The human who sponsors this agent; `null` for humans.
    #[oai(nullable)]
    sponsor_id: Option<Uuid>,
    /// `null` when the actor belongs to no tenant.
    #[oai(nullable)]
    tenant_id: Option<Uuid>,
    created_at: DateTime<Utc>,
}

#[derive(Object)]
pub struct ActorInfo {
    actor_id: Uuid,
    display_name: String,
    actor_type: ActorType,
    #[oai(nullable)]
    email: Option<String>,
    #[oai(nullable)]
    agent_profile: Option<String>,
    metadata: Value,
    /// Set for humans after invite redemption; `null` otherwise.
    #[oai(nullable)]
    default_space_id: Option<String>,
    #[oai(nullable)]
    sponsor_id: Option<Uuid>,
    #[oai(nullable)]
    tenant_id: Option<Uuid>,
    created_at: DateTime<Utc>,
}

impl From<ActorRow> for ActorInfo {
    fn from(a: ActorRow) -> Self {
        ActorInfo {
            actor_id: a.actor_id,
            display_name: a.display_name,
            actor_type: a.actor_type,
            email: a.email,
            agent_profile: a.agent_profile,
            metadata: a.metadata,
            default_space_id: a.default_space_id,
            sponsor_id: a.sponsor_id,
            tenant_id: a.tenant_id,
            created_at: a.created_at,
        }
    }
}

pub struct ActorsApi;

#[OpenApi(tag = "ApiTags::Actors")]
impl ActorsApi {
    /// Register an actor
    ///
    /// A human registers without authentication (`email` required); called with a human's
    /// key, the new human joins that caller's tenant. An agent is registered by its human
    /// sponsor, whose key is required: the agent is placed in the sponsor's tenant. The
    /// response carries the plaintext `api_key`, returned only once.
    #[oai(path = "/api/actors", method = "post", operation_id = "create_actor")]
    async fn create(
        &self,
        state: Data<&Arc<AppState>>,
        auth: OptionalApiKeyAuth,
        body: Json<NewActor>,
    ) -> Result<Json<CreatedActor>, ApiError> {
        let body = body.0;
        let caller = auth.principal();
        let actor_type = body.actor_type.unwrap_or(ActorType::Human);
        let bad = ApiError::bad_request;
        let display_name = bounded_text("display_name", &body.display_name, MAX_DISPLAY_NAME_CHARS)
            .map_err(bad)?;
        let agent_profile = body
            .agent_profile
            .map(|p| bounded_text("agent_profile", &p, MAX_PROFILE_CHARS))
            .transpose()
            .map_err(bad)?;
        let metadata = check_metadata(body.metadata).map_err(bad)?;
        let email = body
            .email
            .map(|e| check_email(&e))
            .transpose()
            .map_err(bad)?;

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

        let actor = ActorRow {
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
        };
        let key = state
            .auth
            .run_argon(keys::generate)
            .await
            .map_err(ApiError::internal)?;
        let mut conn = state.db.pool.get().await?;
        let tx = conn.transaction().await?;
        actors::insert(&tx, &actor).await?;
        credentials::insert_api_key(&tx, actor.actor_id, &key.lookup, &key.hash, None).await?;
        tx.commit().await?;

        Ok(Json(CreatedActor {
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
        }))
    }

    /// Get the authenticated actor
    #[oai(
        path = "/api/actors/me",
        method = "get",
        operation_id = "get_current_actor"
    )]
    async fn me(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
    ) -> Result<Json<ActorInfo>, ApiError> {
        let conn = state.db.pool.get().await?;
        let actor = actors::get(&conn, auth.principal().actor_id)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        Ok(Json(actor.into()))
    }
}
