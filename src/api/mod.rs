//! The HTTP API: one module per resource, combined here into one OpenAPI service.
//! Handlers validate input and shape responses; the SQL lives in [`crate::store`].

mod activity;
mod actors;
mod admin;
mod decisions;
pub mod event;
mod event_pager;
pub(crate) mod event_write;
mod events;
mod health;
mod json_body;
mod json_stream;
mod mentions;
mod participants;
mod pats;
mod spaces;
pub mod spec;
pub mod sse;
mod stream;
mod summary;
mod tenants;
mod threads;

use poem_openapi::{OpenApiService, Tags};

use crate::{app::AppState, auth::Principal, error::ApiError, tenancy::TenantTx};

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

pub type Api = (
    health::HealthApi,
    actors::ActorsApi,
    tenants::TenantsApi,
    spaces::SpacesApi,
    participants::ParticipantsApi,
    events::EventsApi,
    stream::StreamApi,
    threads::ThreadsApi,
    mentions::MentionsApi,
    decisions::DecisionsApi,
    summary::SummaryApi,
    activity::ActivityApi,
    pats::PatsApi,
    admin::AdminApi,
);

/// The OpenAPI service. Paths are absolute (`/health`, `/api/...`), so it is mounted at `/`.
pub fn service() -> OpenApiService<Api, ()> {
    OpenApiService::new(
        (
            health::HealthApi,
            actors::ActorsApi,
            tenants::TenantsApi,
            spaces::SpacesApi,
            participants::ParticipantsApi,
            events::EventsApi,
            stream::StreamApi,
            threads::ThreadsApi,
            mentions::MentionsApi,
            decisions::DecisionsApi,
            summary::SummaryApi,
            activity::ActivityApi,
            pats::PatsApi,
            admin::AdminApi,
        ),
        "Convo API",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Multi-tenant collaboration backend for humans and AI agents. Authenticate with \
         `Authorization: Bearer convo_…` (or `?token=convo_…` for SSE); a human's personal \
         access token (`mootup_pat_…`) works wherever their API key does. Requests are \
         rate-limited per credential: authenticated responses carry `X-RateLimit-Limit`, \
         `X-RateLimit-Remaining` and `X-RateLimit-Reset`; past the limit the answer is 429 with \
         `Retry-After`. Every error body is `{\"detail\": \"…\"}`. The admin API (`/api/admin`) takes platform-operator JWTs \
         (`Authorization: Bearer <jwt>`) instead of API keys.",
    )
}

/// The caller's tenant-scoped session: the one way handlers reach tenant data.
pub(crate) async fn tenant_tx(state: &AppState, caller: &Principal) -> Result<TenantTx, ApiError> {
    TenantTx::begin(&state.db.pool, &caller.schema).await
}

pub(crate) fn space_not_found() -> ApiError {
    ApiError::not_found(crate::domain::SpaceId::NOT_FOUND)
}
