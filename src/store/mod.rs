//! The SQL, one module per resource. Control-plane tables are schema-qualified (`convo.`);
//! tenant tables are unqualified and resolved through the scoped search_path of
//! [`crate::tenancy::TenantTx`].
//!
//! See docs/architecture.md#two-planes and docs/architecture.md#request-scoping.

pub mod activity;
pub mod actors;
pub mod credentials;
pub mod decisions;
pub mod event_json;
pub mod event_pages;
pub mod events;
pub mod idempotency;
pub mod participants;
pub mod pats;
mod rows;
pub mod spaces;
pub mod summaries;
pub mod tenants;
pub mod threads;
