//! Authentication: API keys resolved to a [`Principal`] (actor + tenant), a verified-key
//! cache invalidated on every replica at once, the request middleware, and the OpenAPI
//! security schemes handlers declare.

pub mod cache;
pub mod invalidation;
pub mod keys;
mod middleware;
mod scheme;

use std::{sync::Arc, time::Duration};

use deadpool_postgres::Pool;
use tokio::sync::Semaphore;
use uuid::Uuid;

pub use middleware::resolve_principal;
pub use scheme::{ApiKeyAuth, OptionalApiKeyAuth};

use crate::{domain::ActorType, store::credentials, tenancy::SchemaName};
use cache::AuthCache;

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
    pub key_id: Uuid,
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
}

pub struct Authenticator {
    pool: Pool,
    pub cache: Arc<AuthCache>,
    /// Bounds concurrent argon2 work (hashing and verifying): each takes ~18 ms and 19 MiB.
    argon_slots: Semaphore,
}

impl Authenticator {
    pub fn new(pool: Pool, cache_ttl: Duration, argon_concurrency: usize) -> Authenticator {
        Authenticator {
            pool,
            cache: Arc::new(AuthCache::new(cache_ttl)),
            argon_slots: Semaphore::new(argon_concurrency.max(1)),
        }
    }

    pub async fn authenticate(&self, token: &str) -> Result<Principal, AuthFailure> {
        let Some(lookup) = keys::lookup_of(token) else {
            return Err(AuthFailure::Invalid);
        };
        let digest = cache::digest(token);
        if let Some(principal) = self.cache.get(&digest) {
            return Ok(principal);
        }
        if self.cache.is_rejected(&digest) {
            return Err(AuthFailure::Invalid);
        }
        let generation = self.cache.generation();
        let record = {
            let conn = self
                .pool
                .get()
                .await
                .map_err(|_| AuthFailure::Unavailable)?;
            credentials::find_by_lookup(&conn, lookup)
                .await
                .map_err(|_| AuthFailure::Unavailable)?
        };
        let Some(record) = record else {
            // Unknown lookup part: rejected without hashing.
            self.cache.reject(digest);
            return Err(AuthFailure::Invalid);
        };
        let token_owned = token.to_string();
        let hash = record.key_hash.clone();
        let verified = self
            .run_argon(move || keys::verify(&token_owned, &hash))
            .await
            .map_err(|_| AuthFailure::Unavailable)?;
        if !verified {
            self.cache.reject(digest);
            return Err(AuthFailure::Invalid);
        }
        let principal = Principal {
            actor_id: record.actor_id,
            actor_type: ActorType::from_db(&record.actor_type),
            display_name: record.display_name,
            tenant_id: record.tenant_id,
            schema: record
                .schema_name
                .as_deref()
                .and_then(SchemaName::parse)
                .unwrap_or_else(SchemaName::default_tenant),
            suspended: record.tenant_status.as_deref() == Some("suspended"),
            key_id: record.key_id,
        };
        self.cache.insert(digest, principal.clone(), generation);
        Ok(principal)
    }

    /// Run argon2 work on a blocking thread, at most `argon_concurrency` at a time.
    pub async fn run_argon<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, tokio::task::JoinError> {
        let _permit = self.argon_slots.acquire().await.expect("never closed");
        tokio::task::spawn_blocking(work).await
    }
}
