//! The verified-key cache. A hit costs one SHA-256 and a map lookup instead of an ~18 ms
//! argon2 verification. Keys are SHA-256 digests of the token, never the token itself.
//!
//! Invalidation (rotation, deletion, tenant suspension) is broadcast to every replica through
//! PostgreSQL NOTIFY (see [`super::invalidation`]); the short TTL is only a backstop. A
//! generation counter keeps a verification that raced with an invalidation out of the cache.
//!
//! Once a principal expires or is invalidated, the next request reads the key's record again,
//! but argon2 runs again only if the stored hash changed: the cache also remembers which
//! stored hash each token digest was verified against. With thousands of busy keys a TTL that
//! forced a new verification would cost an argon2 hash per key per TTL (10,000 keys at 60 s:
//! about 170 hashes a second, more than two cores can do).

use std::{sync::Arc, time::Duration};

use moka::sync::Cache;
use sha2::{Digest, Sha256};
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

use super::Principal;

pub type TokenDigest = [u8; 32];

pub fn digest(token: &str) -> TokenDigest {
    Sha256::digest(token.as_bytes()).into()
}

/// What an invalidation covers, for long-lived consumers (open streams) that must re-check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalidation {
    Actor(Uuid),
    Tenant(Uuid),
    All,
}

pub struct AuthCache {
    verified: Cache<TokenDigest, Principal>,
    /// The stored hash (PHC string) each token was last verified against. Argon2 is a pure
    /// function of token and hash, so the same pair needs no second verification.
    verified_hashes: Cache<TokenDigest, Arc<str>>,
    /// Tokens that failed recently, so a bad key cannot make the server hash over and over.
    rejected: Cache<TokenDigest, ()>,
    /// Bumped by every invalidation; observers (tests, streams) can await changes.
    generation: watch::Sender<u64>,
    invalidations: broadcast::Sender<Invalidation>,
}

impl AuthCache {
    pub fn new(ttl: Duration) -> AuthCache {
        AuthCache {
            verified: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(ttl)
                .support_invalidation_closures()
                .build(),
            verified_hashes: Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(Duration::from_secs(24 * 3600))
                .build(),
            rejected: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(30))
                .build(),
            generation: watch::Sender::new(0),
            invalidations: broadcast::Sender::new(256),
        }
    }

    pub fn get(&self, digest: &TokenDigest) -> Option<Principal> {
        self.verified.get(digest)
    }

    /// Whether the token with this digest was verified against exactly this stored hash.
    pub fn verified_against(&self, digest: &TokenDigest, stored_hash: &str) -> bool {
        self.verified_hashes
            .get(digest)
            .is_some_and(|h| *h == *stored_hash)
    }

    /// Whether the token with this digest was ever verified (against whichever hash).
    pub fn was_verified(&self, digest: &TokenDigest) -> bool {
        self.verified_hashes.contains_key(digest)
    }

    /// Remember that the token verified against `stored_hash`.
    pub fn remember_verified(&self, digest: TokenDigest, stored_hash: &str) {
        self.verified_hashes.insert(digest, Arc::from(stored_hash));
    }

    pub fn is_rejected(&self, digest: &TokenDigest) -> bool {
        self.rejected.contains_key(digest)
    }

    pub fn reject(&self, digest: TokenDigest) {
        self.rejected.insert(digest, ());
    }

    /// Read before the database lookup; pass to [`AuthCache::insert`].
    pub fn generation(&self) -> u64 {
        *self.generation.borrow()
    }

    /// Observe invalidations as they happen.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.generation.subscribe()
    }

    /// Every invalidation from now on (a receiver that lags should assume `All`).
    pub fn invalidations(&self) -> broadcast::Receiver<Invalidation> {
        self.invalidations.subscribe()
    }

    fn bump(&self, what: Invalidation) {
        self.generation.send_modify(|g| *g += 1);
        let _ = self.invalidations.send(what);
    }

    /// Cache a verified principal unless an invalidation happened since `generation`.
    pub fn insert(&self, digest: TokenDigest, principal: Principal, generation: u64) {
        if self.generation() == generation {
            self.verified.insert(digest, principal);
        }
    }

    pub fn invalidate_actor(&self, actor_id: Uuid) {
        self.bump(Invalidation::Actor(actor_id));
        let _ = self
            .verified
            .invalidate_entries_if(move |_, p| p.actor_id == actor_id);
    }

    pub fn invalidate_tenant(&self, tenant_id: Uuid) {
        self.bump(Invalidation::Tenant(tenant_id));
        let _ = self
            .verified
            .invalidate_entries_if(move |_, p| p.tenant_id == Some(tenant_id));
    }

    pub fn invalidate_all(&self) {
        self.bump(Invalidation::All);
        self.verified.invalidate_all();
    }
}
