//! Convo: a multi-tenant backend where humans and AI agents collaborate in shared spaces.
//!
//! Map of the crate:
//! - [`cli`] — the `convo` subcommands (`serve`, `migrate`, `tenants`, `openapi`).
//! - [`config`] — settings from flags and environment variables, every layer's included.
//! - [`app`] — wiring: pool, migrations, routes, middleware, shutdown.
//! - [`connection`] — under every request: accepting, caps and timeouts per connection, and
//!   handing an event stream's socket over from hyper.
//! - [`api`] — one module per resource; request/response types; no SQL.
//! - [`auth`] — API keys, the verified-key cache, the security scheme.
//! - [`tenant_lifecycle`] — creating, suspending and reactivating tenants.
//! - [`tenancy`] — schema names, tenant migrations, the tenant-scoped session.
//! - [`store`] — the SQL, one module per resource.
//! - [`summary`] — space summaries: the summarizer trait, the extractive and Anthropic providers.
//! - [`db`] — the connection pool, finding or starting a local PostgreSQL, the notification listener.
//! - [`domain`] — validated newtypes and pure rules.
//! - [`group_commit`] — concurrent appends to one space batched into one transaction.
//! - [`realtime`] — per-space fan-out of new events to SSE subscribers, across replicas.
//! - [`error`] — the API error type and its `{"detail": ...}` body.
//! - [`memory_bounds`] — the settings that bound memory per request, stream and append queue.
//! - [`telemetry`] — logging, and OTLP traces when configured.
//! - [`metrics`] — Prometheus metrics at `/metrics`.
//! - [`route_template`] — documented route templates for logs, metrics and spans, and the
//!   `Allow` header of a 405, read from the API's own OpenAPI document.
//!
//! Layers, highest first. A module imports only modules in rows below its own, never a peer
//! in its row nor anything above; lower layers get what they need as narrow arguments (an
//! `Arc<Authenticator>`, a `TenantTx`), never the whole `AppState`. `tests/layering` holds the
//! same table and checks it, and that no files import each other in a cycle:
//! 1. `main`
//! 2. `cli`
//! 3. `app`
//! 4. `route_template`
//! 5. `api`
//! 6. `tenant_lifecycle`
//! 7. `auth`, `group_commit`, `summary`, `connection`
//! 8. `realtime`
//! 9. `store`
//! 10. `tenancy`
//! 11. `db`, `telemetry`
//! 12. `config`
//! 13. `error`, `metrics`, `memory_bounds`
//! 14. `domain`
//!
//! How it works, in prose: docs/architecture.md; operating it: docs/operations.md.

pub mod api;
pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod connection;
pub mod db;
pub mod domain;
pub mod error;
pub mod group_commit;
pub mod memory_bounds;
pub mod metrics;
pub mod realtime;
pub mod route_template;
pub mod store;
pub mod summary;
pub mod telemetry;
pub mod tenancy;
pub mod tenant_lifecycle;
