//! The per-participant activity digest of a space, in one query.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;

use super::events::{self, EventRow};

/// One speaker's activity since a point in time.
#[derive(Clone, Debug)]
pub struct SpeakerActivity {
    pub speaker_id: String,
    /// All of the speaker's events since then, not only those in `events`.
    pub event_count: i64,
    pub last_event_at: DateTime<Utc>,
    /// The speaker's latest events, oldest first.
    pub events: Vec<EventRow>,
}

/// Everyone who spoke in the space at or after `since`, most recently active first, each with
/// their `per_speaker` latest events. Window functions count and rank per speaker, so the
/// database returns only the rows that are sent, whatever the number of speakers.
pub async fn since(
    db: &impl GenericClient,
    space_id: &str,
    since: DateTime<Utc>,
    per_speaker: i64,
) -> Result<Vec<SpeakerActivity>, tokio_postgres::Error> {
    let stmt = db
        .prepare_cached(&format!(
            "SELECT * FROM (
                 SELECT {cols},
                        count(*) OVER w AS speaker_count,
                        max(created_at) OVER w AS speaker_last,
                        row_number() OVER (PARTITION BY speaker_id ORDER BY seq DESC) AS rank
                 FROM events
                 WHERE space_id = $1 AND created_at >= $2
                 WINDOW w AS (PARTITION BY speaker_id)
             ) recent
             WHERE rank <= $3
             ORDER BY speaker_last DESC, speaker_id, seq",
            cols = events::COLUMNS
        ))
        .await?;
    let rows = db.query(&stmt, &[&space_id, &since, &per_speaker]).await?;
    let mut out: Vec<SpeakerActivity> = Vec::new();
    for row in &rows {
        let event = EventRow::from_row(row);
        match out.last_mut() {
            Some(last) if last.speaker_id == event.speaker_id => last.events.push(event),
            _ => out.push(SpeakerActivity {
                speaker_id: event.speaker_id.clone(),
                event_count: row.get("speaker_count"),
                last_event_at: row.get("speaker_last"),
                events: vec![event],
            }),
        }
    }
    Ok(out)
}
