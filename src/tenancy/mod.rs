//! Schema-per-tenant: schema names, tenant migrations and provisioning, suspension, and
//! the tenant-scoped database session every handler uses.
//!
//! See docs/architecture.md#tenants and docs/architecture.md#request-scoping.

mod control;
pub mod migrations;
pub mod provision;
mod schema_name;
mod session;
pub mod status;

pub use control::{Control, ControlConn, ControlTx};
pub use schema_name::SchemaName;
pub use session::TenantTx;
