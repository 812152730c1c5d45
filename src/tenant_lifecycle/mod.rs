//! Creating, suspending and reactivating tenants: transactions over the control plane's
//! tables ([`crate::store`]) that also create schemas ([`crate::tenancy`]) and tell every
//! replica's credential cache ([`crate::auth::invalidation`]).

pub mod provision;
pub mod status;
