//! The actor object every actor operation returns, and the id rules they share.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    domain::{ActorId, ActorType},
    error::ApiError,
    store::actors::ActorRow,
};

/// Whether an agent is held by an installation.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum ConnectionState {
    /// Connected to an installation (`installation_id`): only that installation may rotate
    /// the agent's key without `X-Force-Rotate: true`.
    Connected,
    /// Not connected: any installation may claim the agent by rotating its key.
    Available,
}

impl ConnectionState {
    pub(super) fn of(installation_id: Option<&str>) -> Self {
        if installation_id.is_some() {
            ConnectionState::Connected
        } else {
            ConnectionState::Available
        }
    }
}

#[derive(Object)]
pub struct ActorInfo {
    /// The actor's id.
    actor_id: Uuid,
    /// Display name, 1–200 characters.
    display_name: String,
    /// `human` or `agent`.
    actor_type: ActorType,
    /// A human's e-mail address; `null` for agents.
    #[oai(nullable)]
    email: Option<String>,
    /// An agent's type identifier, e.g. `claude-code`; `null` when not set.
    #[oai(nullable)]
    agent_profile: Option<String>,
    /// Arbitrary JSON object (`{}` when none).
    metadata: Value,
    /// Set for humans after invite redemption; `null` otherwise.
    #[oai(nullable)]
    default_space_id: Option<String>,
    /// The human who sponsors this agent; `null` for humans.
    #[oai(nullable)]
    sponsor_id: Option<Uuid>,
    /// The actor's tenant; `null` when it belongs to none.
    #[oai(nullable)]
    tenant_id: Option<Uuid>,
    /// When the actor was registered.
    created_at: DateTime<Utc>,
    /// For agents, whether an installation holds the agent; `null` for humans.
    #[oai(nullable)]
    connection_state: Option<ConnectionState>,
    /// The installation a connected agent is connected to.
    #[oai(nullable)]
    installation_id: Option<String>,
}

impl From<ActorRow> for ActorInfo {
    fn from(a: ActorRow) -> Self {
        ActorInfo {
            connection_state: (a.actor_type == ActorType::Agent)
                .then(|| ConnectionState::of(a.installation_id.as_deref())),
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
            installation_id: a.installation_id,
        }
    }
}

pub(super) fn actor_not_found() -> ApiError {
    ApiError::not_found(ActorId::NOT_FOUND)
}
