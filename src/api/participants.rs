//! `GET /api/spaces/{space_id}/participants`, `POST /api/spaces/{space_id}/join`.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use super::{ApiTags, tenant_tx};
use crate::{
    api::AppState,
    auth::ApiKeyAuth,
    domain::{AgentAdapter, SpaceId, Str},
    error::ApiError,
    store::{participants, participants::ParticipantRow, spaces},
};

#[derive(Object, Clone)]
pub struct Participant {
    /// The participant's actor id.
    participant_id: String,
    /// The participant's display name.
    name: String,
    /// `human` or `agent`.
    participant_type: String,
    /// When the participant first joined.
    joined_at: DateTime<Utc>,
    /// How an agent is connected, e.g. `mcp`.
    #[oai(nullable)]
    agent_adapter: Option<String>,
    /// The participant's actor id, as a UUID; `null` for participants that are not actors.
    #[oai(nullable)]
    actor_id: Option<Uuid>,
}

impl From<ParticipantRow> for Participant {
    fn from(p: ParticipantRow) -> Self {
        Participant {
            participant_id: p.participant_id,
            name: p.name,
            participant_type: p.participant_type,
            joined_at: p.joined_at,
            agent_adapter: p.agent_adapter,
            actor_id: p.actor_id,
        }
    }
}

/// Identity fields are ignored: the participant is the authenticated actor.
#[derive(Object)]
pub struct JoinRequest {
    /// Ignored (taken from the authenticated actor).
    #[oai(nullable)]
    participant_id: Option<Str>,
    /// Ignored (taken from the authenticated actor).
    #[oai(nullable)]
    name: Option<Str>,
    /// Ignored (taken from the authenticated actor).
    #[oai(nullable)]
    participant_type: Option<Str>,
    /// How an agent is connected, e.g. `mcp` (at most 64 characters).
    #[oai(nullable)]
    agent_adapter: Option<AgentAdapter>,
}

pub struct ParticipantsApi;

#[OpenApi(tag = "ApiTags::Participants")]
impl ParticipantsApi {
    /// List participants
    ///
    /// Everyone who joined the space, in order of joining. 404 for an unknown space.
    #[oai(
        path = "/api/spaces/:space_id/participants",
        method = "get",
        operation_id = "list_participants"
    )]
    async fn list(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The space's id.
        space_id: Path<SpaceId>,
    ) -> Result<Json<Vec<Participant>>, ApiError> {
        let tx = tenant_tx(&state, auth.principal()).await?;
        spaces::require(&tx, &space_id).await?;
        let rows = participants::list(&tx, &[space_id.as_str()]).await?;
        tx.end_read();
        Ok(Json(rows.into_iter().map(Participant::from).collect()))
    }

    /// Join a space
    ///
    /// The participant is the authenticated actor, whatever the body says. Joining again is
    /// not an error: it refreshes the name and adapter and keeps the first `joined_at`.
    #[oai(
        path = "/api/spaces/:space_id/join",
        method = "post",
        operation_id = "join_space"
    )]
    async fn join(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The space's id.
        space_id: Path<SpaceId>,
        body: Json<JoinRequest>,
    ) -> Result<Json<Participant>, ApiError> {
        let caller = auth.principal();
        let agent_adapter = body.0.agent_adapter.map(AgentAdapter::into_string);
        let tx = tenant_tx(&state, caller).await?;
        spaces::require(&tx, &space_id).await?;
        let row = participants::join(
            &tx,
            &ParticipantRow {
                space_id: space_id.0.into_string(),
                participant_id: caller.actor_id.to_string(),
                name: caller.display_name.clone(),
                participant_type: caller.actor_type.as_str().to_string(),
                agent_adapter,
                actor_id: Some(caller.actor_id),
                joined_at: crate::domain::now(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Json(row.into()))
    }
}
