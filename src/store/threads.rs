//! Tenant-plane queries on threads: at most one per parent event (a unique constraint).

use super::rows;
use crate::tenancy::TenantTx;
use chrono::{DateTime, Utc};
use tokio_postgres::Row;
use uuid::Uuid;

#[derive(Clone, Debug)]
pub struct ThreadRow {
    pub thread_id: Uuid,
    pub space_id: String,
    pub parent_event_id: Uuid,
    pub subject: Option<String>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "thread_id, space_id, parent_event_id, subject, created_at";

impl ThreadRow {
    fn from_row(row: &Row) -> Self {
        ThreadRow {
            thread_id: row.get("thread_id"),
            space_id: row.get("space_id"),
            parent_event_id: row.get("parent_event_id"),
            subject: row.get("subject"),
            created_at: row.get("created_at"),
        }
    }
}

/// Start a thread on an event of the space. `None` when the event is not in the space or
/// already has a thread (read it with [`find`]).
pub async fn insert(
    db: &TenantTx,
    space_id: &str,
    thread_id: Uuid,
    parent_event_id: Uuid,
    subject: Option<&str>,
    created_by: Uuid,
) -> Result<Option<ThreadRow>, tokio_postgres::Error> {
    rows::opt(
        db.client(),
        &format!(
            "INSERT INTO threads (thread_id, space_id, parent_event_id, subject, created_by,
                                  created_at)
             SELECT $1, space_id, event_id, $4, $5, $6::timestamptz FROM events
             WHERE space_id = $2 AND event_id = $3
             ON CONFLICT (parent_event_id) DO NOTHING RETURNING {COLUMNS}"
        ),
        &[
            &thread_id,
            &space_id,
            &parent_event_id,
            &subject,
            &created_by,
            &crate::domain::now(),
        ],
        ThreadRow::from_row,
    )
    .await
}

/// The thread of the space whose id, or whose parent event's id, is `id`.
pub async fn find(
    db: &TenantTx,
    space_id: &str,
    id: Uuid,
) -> Result<Option<ThreadRow>, tokio_postgres::Error> {
    rows::opt(
        db.client(),
        &format!(
            "SELECT {COLUMNS} FROM threads
             WHERE space_id = $1 AND (thread_id = $2 OR parent_event_id = $2)"
        ),
        &[&space_id, &id],
        ThreadRow::from_row,
    )
    .await
}

/// Whether the space has a thread with this id.
pub async fn exists(
    db: &TenantTx,
    space_id: &str,
    thread_id: Uuid,
) -> Result<bool, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached("SELECT 1 FROM threads WHERE space_id = $1 AND thread_id = $2")
        .await?;
    Ok(db
        .query_opt(&stmt, &[&space_id, &thread_id])
        .await?
        .is_some())
}
