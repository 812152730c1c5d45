//! Tenant-plane queries on spaces. Run inside a [`crate::tenancy::TenantTx`].

use super::rows;
use crate::{
    error::{ApiError, space_not_active, space_not_found},
    tenancy::TenantTx,
};
use chrono::{DateTime, Utc};
use tokio_postgres::Row;
use uuid::Uuid;

#[derive(Clone, Debug)]
pub struct SpaceRow {
    pub space_id: String,
    pub description: Option<String>,
    pub status: String,
    pub links: Vec<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub event_count: i64,
    pub last_event_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str =
    "space_id, description, status, links, started_at, ended_at, event_count, last_event_at";

impl SpaceRow {
    fn from_row(row: &Row) -> Self {
        let links: serde_json::Value = row.get("links");
        SpaceRow {
            space_id: row.get("space_id"),
            description: row.get("description"),
            status: row.get("status"),
            links: serde_json::from_value(links).unwrap_or_default(),
            started_at: row.get("started_at"),
            ended_at: row.get("ended_at"),
            event_count: row.get("event_count"),
            last_event_at: row.get("last_event_at"),
        }
    }
}

/// Insert a space; `None` when the id is taken.
pub async fn insert(
    db: &TenantTx,
    space_id: &str,
    description: Option<&str>,
    links: &[String],
    created_by: Uuid,
) -> Result<Option<SpaceRow>, tokio_postgres::Error> {
    let sql = format!(
        "INSERT INTO spaces (space_id, description, links, created_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (space_id) DO NOTHING RETURNING {COLUMNS}"
    );
    let links = serde_json::json!(links);
    rows::opt(
        db.client(),
        &sql,
        &[&space_id, &description, &links, &created_by],
        SpaceRow::from_row,
    )
    .await
}

pub async fn get(db: &TenantTx, space_id: &str) -> Result<Option<SpaceRow>, tokio_postgres::Error> {
    rows::opt(
        db.client(),
        &format!("SELECT {COLUMNS} FROM spaces WHERE space_id = $1"),
        &[&space_id],
        SpaceRow::from_row,
    )
    .await
}

/// The one rule for writes into a space: it exists (404) and is active (409), and stays so
/// until the caller's transaction ends.
pub async fn lock_active(tx: &TenantTx, space_id: &str) -> Result<(), ApiError> {
    match lock(tx, space_id).await? {
        Some(true) => Ok(()),
        Some(false) => Err(space_not_active()),
        None => Err(space_not_found()),
    }
}

/// The statement behind [`lock_active`], for writes that answer something before they refuse
/// (a replayed thread creation) or pipeline it (group commit): whether the space is active,
/// `None` when it does not exist. The row is locked as an UPDATE of it locks it, so a
/// concurrent pause or archive waits for this transaction, and a transaction that goes on to
/// append events (an UPDATE of the same row) needs no stronger lock later.
pub async fn lock(tx: &TenantTx, space_id: &str) -> Result<Option<bool>, tokio_postgres::Error> {
    let db = tx.client();
    let stmt = db
        .prepare_cached(
            "SELECT status = 'active' FROM spaces WHERE space_id = $1 FOR NO KEY UPDATE",
        )
        .await?;
    Ok(db.query_opt(&stmt, &[&space_id]).await?.map(|r| r.get(0)))
}

/// The space exists (else 404): for reads, which need no lock (a space is never deleted).
pub async fn require(tx: &TenantTx, space_id: &str) -> Result<(), ApiError> {
    match state(tx, space_id).await? {
        Some(_) => Ok(()),
        None => Err(space_not_found()),
    }
}

/// Whether the space exists, and whether it is active.
pub async fn state(db: &TenantTx, space_id: &str) -> Result<Option<String>, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached("SELECT status FROM spaces WHERE space_id = $1")
        .await?;
    Ok(db.query_opt(&stmt, &[&space_id]).await?.map(|r| r.get(0)))
}

/// All spaces, oldest first, optionally of one status.
pub async fn list(
    db: &TenantTx,
    status: Option<&str>,
) -> Result<Vec<SpaceRow>, tokio_postgres::Error> {
    rows::all(
        db.client(),
        &format!(
            "SELECT {COLUMNS} FROM spaces WHERE ($1::text IS NULL OR status = $1)
             ORDER BY started_at, space_id"
        ),
        &[&status],
        SpaceRow::from_row,
    )
    .await
}

/// The spaces `actor_id` participates in, optionally of one status.
pub async fn list_for_actor(
    db: &TenantTx,
    actor_id: Uuid,
    status: Option<&str>,
) -> Result<Vec<SpaceRow>, tokio_postgres::Error> {
    rows::all(
        db.client(),
        &format!(
            "SELECT {COLUMNS} FROM spaces
             WHERE space_id IN (SELECT space_id FROM participants WHERE actor_id = $1)
               AND ($2::text IS NULL OR status = $2)
             ORDER BY started_at, space_id"
        ),
        &[&actor_id, &status],
        SpaceRow::from_row,
    )
    .await
}

/// Apply the given changes. Archiving records `ended_at` (as [`archive`] does); leaving
/// `archived` clears it.
pub async fn update(
    db: &TenantTx,
    space_id: &str,
    description: Option<&str>,
    status: Option<&str>,
    links: Option<&[String]>,
) -> Result<Option<SpaceRow>, tokio_postgres::Error> {
    let sql = format!(
        "UPDATE spaces SET
             description = COALESCE($2, description),
             status = COALESCE($3, status),
             links = COALESCE($4, links),
             ended_at = CASE
                 WHEN $3 = 'archived' AND status <> 'archived'
                     THEN GREATEST($5::timestamptz, last_event_at)
                 WHEN $3 IN ('active', 'paused') THEN NULL
                 ELSE ended_at END
         WHERE space_id = $1 RETURNING {COLUMNS}"
    );
    let links = links.map(|l| serde_json::json!(l));
    rows::opt(
        db.client(),
        &sql,
        &[
            &space_id,
            &description,
            &status,
            &links,
            &crate::domain::now(),
        ],
        SpaceRow::from_row,
    )
    .await
}

/// Archive the space unless it already is; `None` when it was not changed.
///
/// `ended_at` is the clock read here, bound (time is a parameter: no clock function inside an
/// UPDATE), and never earlier than the space's last event: appends take the same row lock, so
/// it is never before an event appended before the archive.
pub async fn archive(
    db: &TenantTx,
    space_id: &str,
) -> Result<Option<SpaceRow>, tokio_postgres::Error> {
    rows::opt(
        db.client(),
        &format!(
            "UPDATE spaces SET status = 'archived', ended_at = GREATEST($2::timestamptz, last_event_at)
             WHERE space_id = $1 AND status <> 'archived' RETURNING {COLUMNS}"
        ),
        &[&space_id, &crate::domain::now()],
        SpaceRow::from_row,
    )
    .await
}

/// The sequence number of the space's latest event (0 before the first); `None` if missing.
pub async fn last_seq(db: &TenantTx, space_id: &str) -> Result<Option<i64>, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached("SELECT last_seq FROM spaces WHERE space_id = $1")
        .await?;
    Ok(db.query_opt(&stmt, &[&space_id]).await?.map(|r| r.get(0)))
}
