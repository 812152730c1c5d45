//! Tenant-plane idempotency keys of event writes, one row per (actor, key).
//!
//! The key row is inserted in the same transaction as the event, before it. A concurrent
//! retry blocks on the primary key until the first transaction ends: after a commit it
//! finds the stored row, after a rollback its own insert goes through.

use deadpool_postgres::GenericClient;
use uuid::Uuid;

/// How long a key is honoured. Older rows count as absent and are overwritten or purged.
pub const RETENTION: &str = "24 hours";

/// What [`claim`] found.
#[derive(Debug)]
pub enum Claim {
    /// The key is ours now: go on and store `event_id`.
    New,
    /// The key was used before for a request with this hash, which stored this event.
    Used {
        request_hash: Vec<u8>,
        event_id: Uuid,
    },
}

/// Claim `key` for a request with `request_hash` that will store `event_id`.
pub async fn claim(
    db: &impl GenericClient,
    actor_id: Uuid,
    key: &str,
    request_hash: &[u8],
    event_id: Uuid,
) -> Result<Claim, tokio_postgres::Error> {
    // An expired row is taken over in place, so an old key never blocks a new request.
    let insert = db
        .prepare_cached(&format!(
            "INSERT INTO idempotency_keys (actor_id, idempotency_key, request_hash, event_id)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (actor_id, idempotency_key) DO UPDATE SET
                 request_hash = EXCLUDED.request_hash, event_id = EXCLUDED.event_id,
                 created_at = now()
             WHERE idempotency_keys.created_at < now() - interval '{RETENTION}'
             RETURNING 1"
        ))
        .await?;
    if db
        .query_opt(&insert, &[&actor_id, &key, &request_hash, &event_id])
        .await?
        .is_some()
    {
        return Ok(Claim::New);
    }
    let select = db
        .prepare_cached(
            "SELECT request_hash, event_id FROM idempotency_keys
             WHERE actor_id = $1 AND idempotency_key = $2",
        )
        .await?;
    let row = db.query_one(&select, &[&actor_id, &key]).await?;
    Ok(Claim::Used {
        request_hash: row.get(0),
        event_id: row.get(1),
    })
}

/// Delete up to `batch` expired keys; the index on `created_at` keeps this cheap.
pub async fn purge_expired(
    db: &impl GenericClient,
    batch: i64,
) -> Result<u64, tokio_postgres::Error> {
    let stmt = db
        .prepare_cached(&format!(
            "DELETE FROM idempotency_keys WHERE (actor_id, idempotency_key) IN (
                 SELECT actor_id, idempotency_key FROM idempotency_keys
                 WHERE created_at < now() - interval '{RETENTION}'
                 ORDER BY created_at LIMIT $1
                 FOR UPDATE SKIP LOCKED)"
        ))
        .await?;
    db.execute(&stmt, &[&batch]).await
}
