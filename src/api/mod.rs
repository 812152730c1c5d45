//! The HTTP API: one module per resource, combined here into one OpenAPI service.
//! Handlers validate input and shape responses; the SQL lives in [`crate::store`].
//!
//! What the API decides where its contract leaves it open: docs/api-decisions.md.

mod activity;
mod actors;
mod admin;
mod decisions;
mod event_pager;
pub(crate) mod event_write;
mod events;
mod health;
mod json_body;
mod json_stream;
mod mentions;
pub mod metrics;
mod participants;
mod pats;
mod spaces;
pub mod spec;
pub mod sse;
mod state;
mod stream;
mod summary;
mod tags;
mod tenants;
mod threads;

use poem_openapi::{OpenApi, OpenApiService};

pub use state::AppState;
pub(crate) use state::tenant_tx;
pub use tags::ApiTags;

/// The OpenAPI service. Paths are absolute (`/health`, `/api/...`), so it is mounted at `/`.
pub fn service() -> OpenApiService<impl OpenApi, ()> {
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

pub(crate) use crate::error::space_not_found;
