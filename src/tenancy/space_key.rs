//! The key of a space across tenants: the write path batches appends by it
//! ([`crate::group_commit`]) and the fan-out keeps a feed per key ([`crate::realtime`]).

use super::SchemaName;

/// A space of a tenant.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SpaceKey {
    pub schema: SchemaName,
    pub space_id: String,
}
