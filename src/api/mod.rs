//! The HTTP API: one module per resource, combined here into one OpenAPI service.
//! Handlers validate input and shape responses; the SQL lives in [`crate::store`].

mod actors;
mod health;
mod tenants;

use poem_openapi::{OpenApiService, Tags};

#[derive(Tags)]
pub enum ApiTags {
    /// Liveness and readiness.
    Health,
    /// Persistent identities: humans and the agents they sponsor.
    Actors,
    /// Isolated organisations, each with its own PostgreSQL schema.
    Tenants,
}

pub type Api = (health::HealthApi, actors::ActorsApi, tenants::TenantsApi);

/// The OpenAPI service. Paths are absolute (`/health`, `/api/...`), so it is mounted at `/`.
pub fn service() -> OpenApiService<Api, ()> {
    OpenApiService::new(
        (health::HealthApi, actors::ActorsApi, tenants::TenantsApi),
        "Convo API",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Multi-tenant collaboration backend for humans and AI agents. Authenticate with \
         `Authorization: Bearer convo_…` (or `?token=convo_…` for SSE). Every error body is \
         `{\"detail\": \"…\"}`.",
    )
}
