//! Authentication: API keys and personal access tokens resolved to a [`Principal`] (actor +
//! tenant), a verified-key cache invalidated on every replica at once, the request middleware,
//! the OpenAPI security schemes handlers declare, and platform-operator tokens for the admin API.

pub mod cache;
pub mod invalidation;
pub mod keys;
mod middleware;
pub mod operator;
pub mod pat;
pub mod rate_limit;
pub mod revocation;
mod scheme;
pub mod stream_token;
pub mod usage;

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use deadpool_postgres::Pool;
use tokio::sync::Semaphore;
use uuid::Uuid;

pub use middleware::resolve_principal;
pub use rate_limit::{RateLimits, rate_limit};
pub use scheme::{ApiKeyAuth, OptionalApiKeyAuth};

use crate::{
    domain::ActorType,
    store::{
        credentials::{self, KeyRecord},
        pats,
    },
    tenancy::SchemaName,
};
use cache::AuthCache;
use stream_token::StreamTokens;
use usage::PatUsage;

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
}

pub struct Authenticator {
    pool: Pool,
    pub cache: Arc<AuthCache>,
    /// Bounds concurrent argon2 work (hashing and verifying): each takes ~18 ms and 19 MiB.
    argon_slots: Semaphore,
    pub stream_tokens: StreamTokens,
    /// Keeps `last_used_at` of personal access tokens current.
    pub pat_usage: Arc<PatUsage>,
    /// Argon2 verifications run by this authenticator (tests check what the cache saves).
    verifications: AtomicU64,
}

impl Authenticator {
    pub fn new(
        pool: Pool,
        cache_ttl: Duration,
        argon_concurrency: usize,
        stream_tokens: StreamTokens,
    ) -> Authenticator {
        Authenticator {
            pool,
            cache: Arc::new(AuthCache::new(cache_ttl)),
            argon_slots: Semaphore::new(argon_concurrency.max(1)),
            stream_tokens,
            pat_usage: Arc::new(PatUsage::new(usage::WRITE_INTERVAL)),
            verifications: AtomicU64::new(0),
        }
    }

    /// How many argon2 verifications credential checks have run so far.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    /// Resolve an API key, a personal access token or a stream token.
    pub async fn authenticate(&self, token: &str) -> Result<Principal, AuthFailure> {
        if stream_token::looks_like_jwt(token) {
            return self.authenticate_stream_token(token).await;
        }
        if let Some(lookup) = pat::lookup_of(token) {
            let principal = self.authenticate_hashed(token, Hashed::Pat(lookup)).await?;
            if !principal.suspended {
                self.pat_usage.record(&self.pool, principal.key_id);
            }
            return Ok(principal);
        }
        let Some(lookup) = keys::lookup_of(token) else {
            return Err(AuthFailure::Invalid);
        };
        self.authenticate_hashed(token, Hashed::Key(lookup)).await
    }

    /// A credential stored as a lookup part and an argon2id hash: cached when verified,
    /// remembered briefly when not.
    async fn authenticate_hashed(
        &self,
        token: &str,
        lookup: Hashed<'_>,
    ) -> Result<Principal, AuthFailure> {
        let digest = cache::digest(token);
        let metrics = &crate::metrics::METRICS;
        if let Some(principal) = self.cache.get(&digest) {
            metrics.auth_cache.with_label_values(&["hit"]).inc();
            return Ok(principal);
        }
        if self.cache.is_rejected(&digest) {
            metrics.auth_cache.with_label_values(&["rejected"]).inc();
            return Err(AuthFailure::Invalid);
        }
        let generation = self.cache.generation();
        let record = {
            let conn = self
                .pool
                .get()
                .await
                .map_err(|_| AuthFailure::Unavailable)?;
            match lookup {
                Hashed::Key(lookup) => credentials::find_by_lookup(&conn, lookup).await,
                Hashed::Pat(lookup) => pats::find_by_lookup(&conn, lookup).await,
            }
            .map_err(|_| AuthFailure::Unavailable)?
        };
        let Some(record) = record else {
            // Unknown lookup part: rejected without hashing.
            self.cache.reject(digest);
            return Err(AuthFailure::Invalid);
        };
        if self.cache.verified_against(&digest, &record.key_hash) {
            metrics.auth_cache.with_label_values(&["revalidated"]).inc();
        } else {
            metrics.auth_cache.with_label_values(&["miss"]).inc();
            let token_owned = token.to_string();
            let hash = record.key_hash.clone();
            let verify: fn(&str, &str) -> bool = match lookup {
                Hashed::Key(_) => keys::verify,
                Hashed::Pat(_) => pat::verify,
            };
            self.verifications.fetch_add(1, Ordering::Relaxed);
            let verified = self
                .run_argon(move || verify(&token_owned, &hash))
                .await
                .map_err(|_| AuthFailure::Unavailable)?;
            if !verified {
                self.cache.reject(digest);
                return Err(AuthFailure::Invalid);
            }
            self.cache.remember_verified(digest, &record.key_hash);
        }
        let principal = principal_of(record);
        self.cache.insert(digest, principal.clone(), generation);
        Ok(principal)
    }

    /// A stream token is checked against its key's current state on every use (streams are
    /// opened rarely), so a revoked key or a moved actor cannot keep using it.
    async fn authenticate_stream_token(&self, token: &str) -> Result<Principal, AuthFailure> {
        let claims = self
            .stream_tokens
            .verify(token)
            .ok_or(AuthFailure::Invalid)?;
        let record = self
            .key_record(claims.kid)
            .await?
            .ok_or(AuthFailure::Invalid)?;
        let mut principal = principal_of(record);
        if principal.actor_id != claims.sub || principal.schema.as_str() != claims.sch {
            return Err(AuthFailure::Invalid);
        }
        principal.stream_space = Some(claims.spc);
        Ok(principal)
    }

    async fn key_record(&self, key_id: Uuid) -> Result<Option<KeyRecord>, AuthFailure> {
        let conn = self
            .pool
            .get()
            .await
            .map_err(|_| AuthFailure::Unavailable)?;
        // A stream token may have been minted with an API key or a personal access token.
        match credentials::find_by_id(&conn, key_id).await {
            Ok(None) => pats::find_by_id(&conn, key_id).await,
            found => found,
        }
        .map_err(|_| AuthFailure::Unavailable)
    }

    /// Whether `principal`'s credential still stands as it did (for long-lived streams), or
    /// `Unavailable` when the database could not say (see [`revocation`]).
    pub async fn still_valid(&self, principal: &Principal) -> Result<bool, AuthFailure> {
        Ok(match self.key_record(principal.key_id).await? {
            Some(record) => {
                let now = principal_of(record);
                now.actor_id == principal.actor_id
                    && now.schema == principal.schema
                    && !now.suspended
            }
            None => false,
        })
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

/// The lookup part of a hashed credential, by kind.
#[derive(Clone, Copy)]
enum Hashed<'a> {
    Key(&'a str),
    Pat(&'a str),
}

fn principal_of(record: KeyRecord) -> Principal {
    Principal {
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
        stream_space: None,
    }
}
