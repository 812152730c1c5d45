//! Validated values and pure rules. Each parser returns a message that names the field, so
//! a violation becomes a 400 that tells the caller what to fix. Every input rule of the API
//! is one type here that carries its bounds into the OpenAPI document too
//! ([`input`] has the shared machinery).

pub mod append;
mod decision;
mod event;
mod headers;
mod ids;
mod input;
mod names;
pub mod space;
mod strict;
mod text;
mod timestamp;
mod uri;

pub use strict::Str;

pub use decision::{DecisionText, Resolution};
pub use event::{EventText, Reference, SpeakerType};
pub use headers::{IdempotencyKey, InstallationId};
pub use ids::{ActorId, DecisionId, EventId, TenantId, ThreadId};
pub use names::{
    AgentAdapter, AgentProfile, DisplayName, Email, ParticipantId, PatName, ProposedBy, ResolvedBy,
    SpaceDescription, SpeakerId, SpeakerName, TenantName, ThreadSubject,
};
pub use space::SpaceId;
pub use text::check_metadata;
pub use timestamp::IsoTimestamp;

use poem_openapi::Enum;

/// Whether an actor is a person or an AI agent.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum ActorType {
    Human,
    Agent,
}

impl ActorType {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorType::Human => "human",
            ActorType::Agent => "agent",
        }
    }
    pub fn from_db(s: &str) -> Self {
        if s == "agent" {
            ActorType::Agent
        } else {
            ActorType::Human
        }
    }
}

/// Whether a tenant's actors may use the API.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum TenantStatus {
    Active,
    Suspended,
}

impl TenantStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TenantStatus::Active => "active",
            TenantStatus::Suspended => "suspended",
        }
    }
    pub fn from_db(s: &str) -> Self {
        if s == "suspended" {
            TenantStatus::Suspended
        } else {
            TenantStatus::Active
        }
    }
}

/// The current time at PostgreSQL's precision (microseconds), so a timestamp returned at
/// creation equals the one read back later.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}
