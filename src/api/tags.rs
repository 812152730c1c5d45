//! The tags that group the operations in the spec, one per resource.

use poem_openapi::Tags;

#[derive(Tags)]
pub enum ApiTags {
    /// Liveness and readiness.
    Health,
    /// Persistent identities: humans and the agents they sponsor.
    Actors,
    /// Isolated organisations, each with its own PostgreSQL schema.
    Tenants,
    /// Shared rooms where humans and agents collaborate.
    Spaces,
    /// Who is in a space.
    Participants,
    /// What is said and done in a space, totally ordered.
    Events,
    /// Side conversations hanging off one event.
    Threads,
    /// Events that mention a participant.
    Mentions,
    /// Proposals and their outcomes.
    Decisions,
    /// Catching up: activity digests and summaries.
    Activity,
    /// Long-lived tokens humans create for the CLI.
    PersonalAccessTokens,
    /// Platform operators: tenant oversight (operator tokens, not API keys).
    Admin,
}
