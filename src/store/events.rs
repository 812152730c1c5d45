//! Tenant-plane queries on events.
//!
//! Ordering: an append advances `spaces.last_seq` by the number of events and inserts them
//! with the numbers in between, in one statement. The UPDATE holds the space's row lock until
//! commit, so within a space commit order equals sequence order and a reader paging by `seq`
//! never skips an event that commits late. The same lock makes the `status = 'active'` check
//! race-free against a concurrent archive. Appends are batched per space by
//! [`crate::group_commit`].

use std::collections::HashMap;

use super::{
    event_json::{self, EventJson},
    rows,
};
use crate::tenancy::TenantTx;
use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio_postgres::Row;
use uuid::Uuid;

#[derive(Clone, Debug)]
pub struct EventRow {
    pub event_id: Uuid,
    pub space_id: String,
    pub seq: i64,
    pub speaker_id: String,
    pub speaker_name: String,
    pub speaker_type: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub parent_event_id: Option<Uuid>,
    pub thread_id: Option<Uuid>,
    pub references: Vec<String>,
    pub metadata: Value,
}

/// An event to append; the sequence number and time are assigned by the append.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub event_id: Uuid,
    pub space_id: String,
    pub speaker_id: String,
    pub speaker_name: String,
    pub speaker_type: String,
    pub text: String,
    pub parent_event_id: Option<Uuid>,
    pub thread_id: Option<Uuid>,
    pub references: Vec<String>,
    pub metadata: Value,
    /// Its JSON as stored ([`event_json::Body`]); set by [`NewEvent::rendered`].
    pub body: String,
}

impl NewEvent {
    /// The event with its `body` rendered: done by the request's own task, so the space's
    /// group commit only copies it.
    pub fn rendered(mut self) -> NewEvent {
        self.body = event_json::Body {
            event_id: self.event_id,
            space_id: &self.space_id,
            speaker_id: &self.speaker_id,
            speaker_name: &self.speaker_name,
            speaker_type: &self.speaker_type,
            text: &self.text,
            parent_event_id: self.parent_event_id,
            references: &self.references,
            thread_id: self.thread_id,
            metadata: &self.metadata,
        }
        .render();
        self
    }
}

/// The columns [`EventRow::from_row`] reads, for queries in other modules.
pub const COLUMNS: &str = "event_id, space_id, seq, speaker_id, speaker_name, speaker_type, text, \
     created_at, parent_event_id, thread_id, refs, metadata";

impl EventRow {
    pub fn from_row(row: &Row) -> Self {
        let refs: Value = row.get("refs");
        EventRow {
            event_id: row.get("event_id"),
            space_id: row.get("space_id"),
            seq: row.get("seq"),
            speaker_id: row.get("speaker_id"),
            speaker_name: row.get("speaker_name"),
            speaker_type: row.get("speaker_type"),
            text: row.get("text"),
            created_at: row.get("created_at"),
            parent_event_id: row.get("parent_event_id"),
            thread_id: row.get("thread_id"),
            references: serde_json::from_value(refs).unwrap_or_default(),
            metadata: row.get("metadata"),
        }
    }
}

/// Append `events` to an active space, in order, with consecutive sequence numbers and one
/// shared timestamp (the clock read here and bound, never earlier than the space's last
/// event, so times never go backwards in sequence order): one statement locks the space row
/// (held until commit), advances its counter by the batch size and inserts every row. Empty
/// when the space does not exist or is not active (the caller learns which from
/// [`super::spaces::lock`], sent with it); the rows come back in no particular order.
pub async fn append_batch(
    db: &TenantTx,
    space_id: &str,
    events: &[&NewEvent],
) -> Result<Vec<EventJson>, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached(
            "WITH s AS (
                 UPDATE spaces SET last_seq = last_seq + cardinality($2::uuid[]),
                                   event_count = event_count + cardinality($2::uuid[]),
                                   last_event_at = GREATEST($11::timestamptz, last_event_at)
                 WHERE space_id = $1 AND status = 'active'
                 RETURNING last_seq - cardinality($2::uuid[]) AS before, last_event_at)
             INSERT INTO events (event_id, space_id, seq, speaker_id, speaker_name, speaker_type,
                                 text, created_at, parent_event_id, thread_id, refs, metadata,
                                 body)
             SELECT e.event_id, $1, s.before + e.n, e.speaker_id, e.speaker_name,
                    e.speaker_type, e.text, s.last_event_at, e.parent_event_id, e.thread_id,
                    e.refs, e.metadata, e.body
             FROM s, unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],
                            $7::uuid[], $8::uuid[], $9::jsonb[], $10::jsonb[], $12::text[])
                     WITH ORDINALITY
                     AS e(event_id, speaker_id, speaker_name, speaker_type, text,
                          parent_event_id, thread_id, refs, metadata, body, n)
             RETURNING event_id, seq, created_at",
        )
        .await?;
    let column = |f: fn(&NewEvent) -> &str| events.iter().map(|e| f(e)).collect::<Vec<_>>();
    let ids: Vec<Uuid> = events.iter().map(|e| e.event_id).collect();
    let parents: Vec<Option<Uuid>> = events.iter().map(|e| e.parent_event_id).collect();
    let threads: Vec<Option<Uuid>> = events.iter().map(|e| e.thread_id).collect();
    let refs: Vec<Value> = events
        .iter()
        .map(|e| serde_json::json!(e.references))
        .collect();
    let metadata: Vec<&Value> = events.iter().map(|e| &e.metadata).collect();
    let rows = db
        .query(
            &stmt,
            &[
                &space_id,
                &ids,
                &column(|e| &e.speaker_id),
                &column(|e| &e.speaker_name),
                &column(|e| &e.speaker_type),
                &column(|e| &e.text),
                &parents,
                &threads,
                &refs,
                &metadata,
                &crate::domain::now(),
                &column(|e| &e.body),
            ],
        )
        .await?;
    // The JSON is the body rendered by the request plus what the statement assigned.
    let bodies: HashMap<Uuid, &str> = events.iter().map(|e| (e.event_id, &*e.body)).collect();
    Ok(rows
        .iter()
        .map(|row| {
            let (event_id, seq) = (row.get("event_id"), row.get("seq"));
            let at: DateTime<Utc> = row.get("created_at");
            EventJson {
                event_id,
                seq,
                json: event_json::assemble(seq, &at, bodies[&event_id]),
            }
        })
        .collect())
}

/// Which of the ids an append points at exist in the space, and the space's status (`None`
/// when the space does not exist), read in one round trip.
pub struct Targets {
    pub space_status: Option<String>,
    pub events: Vec<Uuid>,
    pub threads: Vec<Uuid>,
}

pub async fn known_targets(
    db: &TenantTx,
    space_id: &str,
    events: &[Uuid],
    threads: &[Uuid],
) -> Result<Targets, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached(
            "SELECT (SELECT status FROM spaces WHERE space_id = $1),
                    ARRAY(SELECT event_id FROM events
                          WHERE space_id = $1 AND event_id = ANY($2::uuid[])),
                    ARRAY(SELECT thread_id FROM threads
                          WHERE space_id = $1 AND thread_id = ANY($3::uuid[]))",
        )
        .await?;
    let row = db.query_one(&stmt, &[&space_id, &events, &threads]).await?;
    Ok(Targets {
        space_status: row.get(0),
        events: row.get(1),
        threads: row.get(2),
    })
}

/// The events of the space with these ids, in no particular order.
pub async fn get_many(
    db: &TenantTx,
    space_id: &str,
    event_ids: &[Uuid],
) -> Result<Vec<EventJson>, tokio_postgres::Error> {
    rows::all(
        db.client(),
        &format!(
            "SELECT {} FROM events WHERE space_id = $1 AND event_id = ANY($2::uuid[])",
            event_json::columns()
        ),
        &[&space_id, &event_ids],
        EventJson::from_row,
    )
    .await
}

pub async fn get(
    db: &TenantTx,
    space_id: &str,
    event_id: Uuid,
) -> Result<Option<EventJson>, tokio_postgres::Error> {
    rows::opt(
        db.client(),
        &format!(
            "SELECT {} FROM events WHERE space_id = $1 AND event_id = $2",
            event_json::columns()
        ),
        &[&space_id, &event_id],
        EventJson::from_row,
    )
    .await
}

/// The sequence number of an event of the space, for cursors.
pub async fn seq_of(
    db: &TenantTx,
    space_id: &str,
    event_id: Uuid,
) -> Result<Option<i64>, tokio_postgres::Error> {
    rows::opt(
        db.client(),
        "SELECT seq FROM events WHERE space_id = $1 AND event_id = $2",
        &[&space_id, &event_id],
        |r| r.get(0),
    )
    .await
}

/// The SQL of [`mentioning`]; public so a test can EXPLAIN it. The containment expression
/// is the one `events_mentions_idx` indexes.
pub fn mentioning_sql() -> String {
    "SELECT seq FROM events
     WHERE space_id = $1 AND metadata -> 'mentions' @> jsonb_build_array($2::text)
       AND seq > $3
     ORDER BY seq LIMIT $4"
        .to_string()
}

/// The sequence numbers of up to `limit` events of the space after `after_seq` whose
/// `metadata.mentions` lists `participant_id`, in order: the events themselves are read in
/// pages bounded in bytes ([`super::event_pages::of_seqs`]).
pub async fn mentioning(
    db: &TenantTx,
    space_id: &str,
    participant_id: &str,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<i64>, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db.prepare_cached(&mentioning_sql()).await?;
    Ok(db
        .query(&stmt, &[&space_id, &participant_id, &after_seq, &limit])
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect())
}
