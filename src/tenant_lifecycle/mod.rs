//! Creating, suspending and reactivating tenants: transactions over the control plane's
//! tables ([`crate::store`]) that also create schemas ([`crate::tenancy`]) and tell every
//! replica's credential cache ([`crate::auth::invalidation`]). Tenant schemas are made ahead
//! of time as spares ([`spares`], kept full by [`spare_pool`]) so creation is a rename.

pub mod provision;
pub mod spare_pool;
pub mod spares;
pub mod status;
