//! Tenant-plane queries for space summaries: the cache (one row per space and window) and
//! the events a summary reads.

use super::rows;
use crate::tenancy::TenantTx;
use chrono::{DateTime, Utc};
use tokio_postgres::Row;
use uuid::Uuid;

use super::events::{self, EventRow};

#[derive(Clone, Debug)]
pub struct SummaryRow {
    pub summary_id: Uuid,
    pub space_id: String,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub summary_text: String,
    pub event_count: i64,
    pub model: String,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "summary_id, space_id, window_start, window_end, summary_text, event_count, model, created_at";

impl SummaryRow {
    fn from_row(row: &Row) -> Self {
        SummaryRow {
            summary_id: row.get("summary_id"),
            space_id: row.get("space_id"),
            window_start: row.get("window_start"),
            window_end: row.get("window_end"),
            summary_text: row.get("summary_text"),
            event_count: row.get("event_count"),
            model: row.get("model"),
            created_at: row.get("created_at"),
        }
    }
}

/// The cached summary of exactly this window, if any.
pub async fn get(
    db: &TenantTx,
    space_id: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Option<SummaryRow>, tokio_postgres::Error> {
    rows::opt(
        db.client(),
        &format!(
            "SELECT {COLUMNS} FROM summaries
             WHERE space_id = $1 AND window_start = $2 AND window_end = $3"
        ),
        &[&space_id, &start, &end],
        SummaryRow::from_row,
    )
    .await
}

/// Cache `s`. With `replace`, it takes the place of a cached summary of the same window;
/// without, an existing one wins (a concurrent request cached first) and is returned.
pub async fn store(
    tx: &TenantTx,
    s: &SummaryRow,
    replace: bool,
) -> Result<SummaryRow, tokio_postgres::Error> {
    let db = tx.client();
    let on_conflict = if replace {
        "DO UPDATE SET summary_id = EXCLUDED.summary_id, summary_text = EXCLUDED.summary_text,
                       event_count = EXCLUDED.event_count, model = EXCLUDED.model,
                       created_at = EXCLUDED.created_at"
    } else {
        "DO NOTHING"
    };
    let stmt = db
        .prepare_cached(&format!(
            "INSERT INTO summaries (summary_id, space_id, window_start, window_end, summary_text,
                                    event_count, model, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (space_id, window_start, window_end) {on_conflict}
             RETURNING {COLUMNS}"
        ))
        .await?;
    let inserted = db
        .query_opt(
            &stmt,
            &[
                &s.summary_id,
                &s.space_id,
                &s.window_start,
                &s.window_end,
                &s.summary_text,
                &s.event_count,
                &s.model,
                &s.created_at,
            ],
        )
        .await?;
    match inserted {
        Some(row) => Ok(SummaryRow::from_row(&row)),
        None => Ok(get(tx, &s.space_id, s.window_start, s.window_end)
            .await?
            .unwrap_or_else(|| s.clone())),
    }
}

/// The latest `limit` events of `[start, end]`, oldest first, and how many the window holds
/// in all (the window function is evaluated before the LIMIT).
pub async fn events_in_window(
    db: &TenantTx,
    space_id: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    limit: i64,
) -> Result<(Vec<EventRow>, i64), tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached(&format!(
            "SELECT {}, count(*) OVER () AS total FROM events
             WHERE space_id = $1 AND created_at >= $2 AND created_at <= $3
             ORDER BY seq DESC LIMIT $4",
            events::COLUMNS
        ))
        .await?;
    let rows = db.query(&stmt, &[&space_id, &start, &end, &limit]).await?;
    let total = rows.first().map_or(0, |r| r.get::<_, i64>("total"));
    let mut events: Vec<EventRow> = rows.iter().map(EventRow::from_row).collect();
    events.reverse();
    Ok((events, total))
}
