//! Schema-per-tenant: schema names, tenant migrations, the key of a tenant's space, and the
//! tenant-scoped database session every handler uses. Creating and suspending tenants, which
//! need the store, live above it in [`crate::tenant_lifecycle`].
//!
//! See docs/architecture.md#tenants and docs/architecture.md#request-scoping.

mod control;
pub mod migrations;
mod schema_name;
mod session;
mod space_key;

pub use control::{Control, ControlConn, ControlTx};
pub use schema_name::SchemaName;
pub use session::TenantTx;
pub use space_key::SpaceKey;
