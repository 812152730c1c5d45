//! The per-participant activity digest of a space: who spoke since when, a page of speakers
//! at a time, each with the sequence numbers of their latest events (the events themselves
//! are read in pages bounded in bytes, see [`super::event_pages::of_seqs`]).

use crate::tenancy::TenantTx;
use chrono::{DateTime, Utc};

/// One speaker's activity since a point in time.
#[derive(Clone, Debug)]
pub struct SpeakerActivity {
    pub speaker_id: String,
    /// All of the speaker's events since then, not only those in `latest`.
    pub event_count: i64,
    pub last_event_at: DateTime<Utc>,
    /// The sequence numbers of the speaker's latest events, oldest first.
    pub latest: Vec<i64>,
    /// The speaker name and type the speaker's latest event was written with.
    pub said_as: (String, String),
}

impl SpeakerActivity {
    /// Where the next page of speakers starts.
    pub fn cursor(&self) -> (DateTime<Utc>, String) {
        (self.last_event_at, self.speaker_id.clone())
    }
}

/// Up to `limit` of the speakers of the space at or after `since`, most recently active
/// first (then by id), after `cursor` in that order, each with their `per_speaker` latest
/// events.
pub async fn speakers(
    db: &TenantTx,
    space_id: &str,
    since: DateTime<Utc>,
    per_speaker: i64,
    cursor: Option<&(DateTime<Utc>, String)>,
    limit: i64,
) -> Result<Vec<SpeakerActivity>, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached(
            "SELECT a.*, e.speaker_name AS said_name, e.speaker_type AS said_type
             FROM (SELECT speaker_id, count(*) AS event_count,
                          max(created_at) AS last_event_at, max(seq) AS last_seq,
                          (array_agg(seq ORDER BY seq DESC))[1:$3] AS latest
                   FROM events
                   WHERE space_id = $1 AND created_at >= $2
                   GROUP BY speaker_id
                   HAVING $4::timestamptz IS NULL OR max(created_at) < $4
                       OR (max(created_at) = $4 AND speaker_id > $5)
                   ORDER BY last_event_at DESC, speaker_id
                   LIMIT $6) a
             JOIN events e ON e.space_id = $1 AND e.seq = a.last_seq
             ORDER BY a.last_event_at DESC, a.speaker_id",
        )
        .await?;
    let (after_at, after_id) = (cursor.map(|c| c.0), cursor.map(|c| c.1.as_str()));
    let rows = db
        .query(
            &stmt,
            &[
                &space_id,
                &since,
                &(per_speaker as i32),
                &after_at,
                &after_id,
                &limit,
            ],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| {
            let mut latest: Vec<i64> = row.get("latest");
            latest.reverse();
            SpeakerActivity {
                speaker_id: row.get("speaker_id"),
                event_count: row.get("event_count"),
                last_event_at: row.get("last_event_at"),
                latest,
                said_as: (row.get("said_name"), row.get("said_type")),
            }
        })
        .collect())
}
