//! Tenant-plane queries on decisions.
//!
//! Resolution is a conditional UPDATE (`WHERE status = 'proposed'`): of two concurrent
//! resolves the second waits for the first's row lock, re-checks the condition and matches
//! nothing, so exactly one succeeds without any explicit locking.

use super::rows;
use crate::tenancy::TenantTx;
use chrono::{DateTime, Utc};
use tokio_postgres::Row;
use uuid::Uuid;

#[derive(Clone, Debug)]
pub struct DecisionRow {
    pub decision_id: Uuid,
    pub space_id: String,
    pub proposed_by: String,
    pub text: String,
    pub status: String,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "decision_id, space_id, proposed_by, text, status, resolved_by, \
     resolved_at, resolution, created_at";

impl DecisionRow {
    fn from_row(row: &Row) -> Self {
        DecisionRow {
            decision_id: row.get("decision_id"),
            space_id: row.get("space_id"),
            proposed_by: row.get("proposed_by"),
            text: row.get("text"),
            status: row.get("status"),
            resolved_by: row.get("resolved_by"),
            resolved_at: row.get("resolved_at"),
            resolution: row.get("resolution"),
            created_at: row.get("created_at"),
        }
    }
}

pub async fn insert(
    db: &TenantTx,
    space_id: &str,
    proposed_by: &str,
    text: &str,
) -> Result<DecisionRow, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached(&format!(
            "INSERT INTO decisions (decision_id, space_id, proposed_by, text)
             VALUES ($1, $2, $3, $4) RETURNING {COLUMNS}"
        ))
        .await?;
    let row = db
        .query_one(&stmt, &[&Uuid::now_v7(), &space_id, &proposed_by, &text])
        .await?;
    Ok(DecisionRow::from_row(&row))
}

/// Decisions of a space, oldest first, optionally of one status.
pub async fn list(
    db: &TenantTx,
    space_id: &str,
    status: Option<&str>,
) -> Result<Vec<DecisionRow>, tokio_postgres::Error> {
    rows::all(
        db.client(),
        &format!(
            "SELECT {COLUMNS} FROM decisions
             WHERE space_id = $1 AND ($2::text IS NULL OR status = $2)
             ORDER BY created_at, decision_id"
        ),
        &[&space_id, &status],
        DecisionRow::from_row,
    )
    .await
}

pub async fn get(
    db: &TenantTx,
    space_id: &str,
    decision_id: Uuid,
) -> Result<Option<DecisionRow>, tokio_postgres::Error> {
    rows::opt(
        db.client(),
        &format!("SELECT {COLUMNS} FROM decisions WHERE space_id = $1 AND decision_id = $2"),
        &[&space_id, &decision_id],
        DecisionRow::from_row,
    )
    .await
}

/// Number of decisions per status (statuses without decisions are absent).
pub async fn counts(
    db: &TenantTx,
    space_id: &str,
) -> Result<Vec<(String, i64)>, tokio_postgres::Error> {
    rows::all(
        db.client(),
        "SELECT status, count(*) FROM decisions WHERE space_id = $1 GROUP BY status",
        &[&space_id],
        |r| (r.get(0), r.get(1)),
    )
    .await
}

/// Resolve or reject a decision that is still proposed; `None` when it does not exist or
/// was already settled (the caller tells the two apart with [`get`]).
pub async fn resolve(
    db: &TenantTx,
    space_id: &str,
    decision_id: Uuid,
    status: &str,
    resolved_by: &str,
    resolution: Option<&str>,
) -> Result<Option<DecisionRow>, tokio_postgres::Error> {
    rows::opt(
        db.client(),
        &format!(
            "UPDATE decisions SET status = $3, resolved_by = $4, resolution = $5,
                                  resolved_at = $6
             WHERE space_id = $1 AND decision_id = $2 AND status = 'proposed'
             RETURNING {COLUMNS}"
        ),
        &[
            &space_id,
            &decision_id,
            &status,
            &resolved_by,
            &resolution,
            &crate::domain::now(),
        ],
        DecisionRow::from_row,
    )
    .await
}

/// Decisions proposed or settled within `[start, end]`, oldest first, at most `limit`.
pub async fn in_window(
    db: &TenantTx,
    space_id: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<DecisionRow>, tokio_postgres::Error> {
    rows::all(
        db.client(),
        &format!(
            "SELECT {COLUMNS} FROM decisions
             WHERE space_id = $1
               AND (created_at BETWEEN $2 AND $3 OR resolved_at BETWEEN $2 AND $3)
             ORDER BY created_at, decision_id LIMIT $4"
        ),
        &[&space_id, &start, &end, &limit],
        DecisionRow::from_row,
    )
    .await
}
