//! Tenant-plane idempotency keys of event writes, one row per (actor, key).
//!
//! The key row is inserted in the same transaction as the event, before it. A concurrent
//! retry blocks on the primary key until the first transaction ends: after a commit it
//! finds the stored row, after a rollback (or a [`release`]) its own insert goes through.

use std::collections::HashMap;

use crate::tenancy::TenantTx;
use uuid::Uuid;

/// How long a key is honoured. Older rows count as absent and are overwritten or purged.
pub const RETENTION: &str = "24 hours";

/// A key an event write wants to claim.
#[derive(Clone, Debug)]
pub struct KeyClaim {
    pub actor_id: Uuid,
    pub key: String,
    /// SHA-256 of what the request asks for; a retry must match it.
    pub request_hash: Vec<u8>,
}

/// What [`claim_all`] found for one key.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// The key is ours now: go on and store the event.
    New,
    /// The key was used before for a request with this hash, which stored this event.
    Used {
        request_hash: Vec<u8>,
        event_id: Uuid,
    },
}

/// Claim each key for the request that will store the event id beside it, in one statement;
/// the answers are in the order of `claims`. The keys must be distinct (one statement cannot
/// claim a row twice). Rows are claimed in key order, so two transactions claiming
/// overlapping sets cannot deadlock.
pub async fn claim_all(
    db: &TenantTx,
    claims: &[(&KeyClaim, Uuid)],
) -> Result<Vec<Claim>, tokio_postgres::Error> {
    let db = db.client();
    // A live row is "updated" to itself so that RETURNING reports it (and the row is locked
    // like an inserted one); an expired row is taken over in place, so an old key never
    // blocks a new request. Whose event id comes back tells the two outcomes apart. Age is
    // `timestamptz - timestamptz`, which is immutable (`timestamptz - interval` is not, and
    // Citus refuses it in `DO UPDATE SET`); no parameter appears there either, as Citus
    // plans the SELECT apart from the update it sends to the worker.
    let stmt = db
        .prepare_cached(&format!(
            "INSERT INTO idempotency_keys AS k
                 (actor_id, idempotency_key, request_hash, event_id, created_at)
             SELECT u.*, $5::timestamptz
             FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::uuid[]) AS u ORDER BY 1, 2
             ON CONFLICT (actor_id, idempotency_key) DO UPDATE SET
                 request_hash = CASE WHEN EXCLUDED.created_at - k.created_at > interval '{RETENTION}'
                                     THEN EXCLUDED.request_hash ELSE k.request_hash END,
                 event_id = CASE WHEN EXCLUDED.created_at - k.created_at > interval '{RETENTION}'
                                 THEN EXCLUDED.event_id ELSE k.event_id END,
                 created_at = CASE WHEN EXCLUDED.created_at - k.created_at > interval '{RETENTION}'
                                   THEN EXCLUDED.created_at ELSE k.created_at END
             RETURNING actor_id, idempotency_key, request_hash, event_id"
        ))
        .await?;
    let actors: Vec<Uuid> = claims.iter().map(|(c, _)| c.actor_id).collect();
    let keys: Vec<&str> = claims.iter().map(|(c, _)| c.key.as_str()).collect();
    let hashes: Vec<&[u8]> = claims.iter().map(|(c, _)| &c.request_hash[..]).collect();
    let events: Vec<Uuid> = claims.iter().map(|(_, e)| *e).collect();
    let now = crate::domain::now();
    let rows = db
        .query(&stmt, &[&actors, &keys, &hashes, &events, &now])
        .await?;
    let mut stored: HashMap<(Uuid, String), (Vec<u8>, Uuid)> = rows
        .into_iter()
        .map(|r| ((r.get(0), r.get(1)), (r.get(2), r.get(3))))
        .collect();
    Ok(claims
        .iter()
        .map(|(c, mine)| {
            match stored.remove(&(c.actor_id, c.key.clone())) {
                Some((_, event_id)) if event_id == *mine => Claim::New,
                Some((request_hash, event_id)) => Claim::Used {
                    request_hash,
                    event_id,
                },
                // Every input row is inserted or updated, so each comes back.
                None => unreachable!("a claimed key is returned"),
            }
        })
        .collect())
}

/// Give back keys claimed in this transaction by writes that were then refused, so that the
/// transaction can commit the others' writes without consuming these keys.
pub async fn release(db: &TenantTx, claims: &[&KeyClaim]) -> Result<u64, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached(
            "DELETE FROM idempotency_keys WHERE (actor_id, idempotency_key) IN (
                 SELECT * FROM unnest($1::uuid[], $2::text[]))",
        )
        .await?;
    let actors: Vec<Uuid> = claims.iter().map(|c| c.actor_id).collect();
    let keys: Vec<&str> = claims.iter().map(|c| c.key.as_str()).collect();
    db.execute(&stmt, &[&actors, &keys]).await
}

/// Delete up to `batch` expired keys; the index on `created_at` keeps this cheap.
pub async fn purge_expired(db: &TenantTx, batch: i64) -> Result<u64, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached(&format!(
            "DELETE FROM idempotency_keys WHERE (actor_id, idempotency_key) IN (
                 SELECT actor_id, idempotency_key FROM idempotency_keys
                 WHERE created_at < $2::timestamptz - interval '{RETENTION}'
                 ORDER BY created_at LIMIT $1
                 FOR UPDATE SKIP LOCKED)"
        ))
        .await?;
    db.execute(&stmt, &[&batch, &crate::domain::now()]).await
}
