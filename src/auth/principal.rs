//! Who is calling, as authentication resolves it, and why it may refuse.

use std::time::Duration;

use uuid::Uuid;

use crate::{domain::ActorType, tenancy::SchemaName};

/// Who is calling, and which tenant schema their requests are scoped to.
#[derive(Clone, Debug)]
pub struct Principal {
    pub actor_id: Uuid,
    pub actor_type: ActorType,
    pub display_name: String,
    /// `None` for actors in the shared default tenant.
    pub tenant_id: Option<Uuid>,
    pub schema: SchemaName,
    pub suspended: bool,
    /// The API key or personal access token presented, or the one that minted the stream
    /// token presented.
    pub key_id: Uuid,
    /// Set when authenticated by a stream token: the only space whose stream it may open.
    pub stream_space: Option<String>,
}

impl Principal {
    pub fn is_human(&self) -> bool {
        self.actor_type == ActorType::Human
    }
}

/// Why a credential was not accepted.
#[derive(Debug)]
pub enum AuthFailure {
    /// Unknown, malformed, revoked or wrong: 401.
    Invalid,
    /// The database could not be asked: 503.
    Unavailable,
    /// Too many recent failures of this lookup part or client address (or too many suspect
    /// verifications waiting): refused without hashing, 429.
    Throttled { retry_after: Duration },
    /// Too many verifications waiting for a hashing thread: 503.
    Busy,
}
