//! Schema-per-tenant: schema names, tenant migrations, the key of a tenant's space, and the
//! tenant-scoped database session every handler uses. Creating and suspending tenants, which
//! need the store, live above it in [`crate::tenant_lifecycle`].

pub mod migrations;
mod schema_name;
mod session;
mod space_key;

pub use schema_name::SchemaName;
pub use session::TenantTx;
pub use space_key::SpaceKey;
