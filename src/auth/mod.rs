//! Authentication: API keys and personal access tokens resolved to a [`Principal`] (actor +
//! tenant), a verified-key cache invalidated on every replica at once, the request middleware,
//! the OpenAPI security schemes handlers declare, and platform-operator tokens for the admin API.
//!
//! See docs/architecture.md#authentication.

mod argon;
pub mod cache;
pub mod client_address;
pub mod hasher;
pub mod invalidation;
pub mod keys;
pub mod middleware;
pub mod operator;
pub mod pat;
mod principal;
pub mod rate_limit;
pub mod registrations;
pub mod revocation;
mod scheme;
mod single_flight;
pub mod stream_token;
pub mod throttle;
pub mod usage;

use std::{
    net::IpAddr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use crate::db::Pool;
use uuid::Uuid;

pub use principal::{AuthFailure, Principal};
pub use rate_limit::{RateLimits, rate_limit};
pub use scheme::{ApiKeyAuth, OptionalApiKeyAuth};

use crate::{
    domain::ActorType,
    error::ApiError,
    store::{
        credentials::{self, KeyRecord},
        pats,
    },
    tenancy::ControlConn,
    tenancy::SchemaName,
};
use cache::AuthCache;
use hasher::{HashError, Hasher, Lane};
use single_flight::Turns;
use stream_token::StreamTokens;
use throttle::{FailureThrottle, Standing};
use usage::PatUsage;

pub struct Authenticator {
    pool: Pool,
    pub cache: Arc<AuthCache>,
    /// The threads that run argon2 (hashing and verifying): each job takes ~18 ms and 19 MiB.
    hasher: Hasher,
    /// Failed verifications per lookup part and client address.
    throttle: FailureThrottle,
    /// Concurrent checks of one token wait for the first one's verdict.
    turns: Turns,
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
        hasher: Hasher,
        throttle: FailureThrottle,
        stream_tokens: StreamTokens,
    ) -> Authenticator {
        Authenticator {
            pool,
            cache: Arc::new(AuthCache::new(cache_ttl)),
            hasher,
            throttle,
            turns: Turns::default(),
            stream_tokens,
            pat_usage: Arc::new(PatUsage::new(usage::WRITE_INTERVAL)),
            verifications: AtomicU64::new(0),
        }
    }

    /// How many argon2 verifications credential checks have run so far.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    /// Resolve an API key, a personal access token or a stream token presented from
    /// `client` (the address failures are counted against).
    pub async fn authenticate(
        &self,
        token: &str,
        client: Option<IpAddr>,
    ) -> Result<Principal, AuthFailure> {
        if stream_token::looks_like_jwt(token) {
            return self.authenticate_stream_token(token).await;
        }
        if let Some(lookup) = pat::lookup_of(token) {
            let principal = self
                .authenticate_hashed(token, Hashed::Pat(lookup), client)
                .await?;
            if !principal.suspended {
                self.pat_usage.record(&self.pool, principal.key_id);
            }
            return Ok(principal);
        }
        let Some(lookup) = keys::lookup_of(token) else {
            return Err(AuthFailure::Invalid);
        };
        self.authenticate_hashed(token, Hashed::Key(lookup), client)
            .await
    }

    /// A credential stored as a lookup part and an argon2id hash: cached when verified,
    /// remembered briefly when not. Failures are counted per lookup part and client address
    /// ([`throttle`]); past the threshold only tokens verified before are accepted.
    async fn authenticate_hashed(
        &self,
        token: &str,
        lookup: Hashed<'_>,
        client: Option<IpAddr>,
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
        // Blocked: no database lookup either, unless this very token was verified before.
        if let Standing::Blocked { retry_after } = self.throttle.standing(lookup.part(), client)
            && !self.cache.was_verified(&digest)
        {
            metrics.auth_cache.with_label_values(&["throttled"]).inc();
            return Err(AuthFailure::Throttled { retry_after });
        }
        let generation = self.cache.generation();
        let record = {
            let conn = ControlConn::get(&self.pool)
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
            let _turn = self.turns.take(digest).await;
            // A check of the same token that held the turn before may have settled it.
            if self.cache.is_rejected(&digest) {
                metrics.auth_cache.with_label_values(&["rejected"]).inc();
                return Err(AuthFailure::Invalid);
            }
            if self.cache.verified_against(&digest, &record.key_hash) {
                metrics.auth_cache.with_label_values(&["revalidated"]).inc();
            } else {
                self.verify(token, &digest, lookup, &record.key_hash, client)
                    .await?;
            }
        }
        let principal = principal_of(record);
        self.cache.insert(digest, principal.clone(), generation);
        Ok(principal)
    }

    /// Verify `token` against `stored_hash` with argon2, in the lane its standing calls for;
    /// a failure is counted and remembered.
    async fn verify(
        &self,
        token: &str,
        digest: &cache::TokenDigest,
        lookup: Hashed<'_>,
        stored_hash: &str,
        client: Option<IpAddr>,
    ) -> Result<(), AuthFailure> {
        let metrics = &crate::metrics::METRICS;
        let (standing, attempt) = self.throttle.attempt(lookup.part(), client);
        if let Standing::Blocked { retry_after } = standing {
            metrics.auth_cache.with_label_values(&["throttled"]).inc();
            return Err(AuthFailure::Throttled { retry_after });
        }
        metrics.auth_cache.with_label_values(&["miss"]).inc();
        let token_owned = token.to_string();
        let hash = stored_hash.to_string();
        let verify: fn(&str, &str) -> bool = match lookup {
            Hashed::Key(_) => keys::verify,
            Hashed::Pat(_) => pat::verify,
        };
        let lane = match standing {
            Standing::Clean => Lane::Normal,
            Standing::Suspect | Standing::Blocked { .. } => Lane::Suspect,
        };
        let verified = self
            .hasher
            .run(lane, move || verify(&token_owned, &hash))
            .await
            .map_err(|err| match (err, lane) {
                (HashError::Busy, Lane::Suspect) => AuthFailure::Throttled {
                    retry_after: Duration::from_secs(1),
                },
                (HashError::Busy, Lane::Normal) => AuthFailure::Busy,
                (HashError::Panicked, _) => AuthFailure::Unavailable,
            })?;
        self.verifications.fetch_add(1, Ordering::Relaxed);
        if !verified {
            self.throttle.record_failure(lookup.part(), client);
            drop(attempt);
            self.cache.reject(*digest);
            return Err(AuthFailure::Invalid);
        }
        self.cache.remember_verified(*digest, stored_hash);
        Ok(())
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
        let conn = ControlConn::get(&self.pool)
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

    /// Mint a credential (argon2 hashing) on a hashing thread, in the normal lane.
    pub async fn mint<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        self.hasher
            .run(Lane::Normal, work)
            .await
            .map_err(|err| match err {
                HashError::Busy => {
                    ApiError::busy("Too many credentials are being checked; retry later")
                }
                HashError::Panicked => ApiError::internal("minting a credential panicked"),
            })
    }
}

/// The lookup part of a hashed credential, by kind.
#[derive(Clone, Copy)]
enum Hashed<'a> {
    Key(&'a str),
    Pat(&'a str),
}

impl Hashed<'_> {
    /// Keys' (12 characters) and tokens' (16) lookup parts never coincide.
    fn part(&self) -> &str {
        match self {
            Hashed::Key(part) | Hashed::Pat(part) => part,
        }
    }
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
