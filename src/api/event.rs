//! The event object, shared by every endpoint that returns events (REST and SSE).

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use serde_json::Value;
use uuid::Uuid;

use crate::store::events::EventRow;

/// Something said or done in a space.
#[derive(Object, Clone, Debug)]
pub struct Event {
    /// The event's id (a UUIDv7).
    event_id: Uuid,
    /// The space the event belongs to.
    space_id: String,
    /// Who said it: an actor id, or the id a client gave on `POST …/events`.
    speaker_id: String,
    /// The speaker's display name when the event was written.
    speaker_name: String,
    /// `human`, `agent`, `transcript`, `system`, or a custom type.
    speaker_type: String,
    /// What was said, kept as sent (line breaks and indentation included).
    text: String,
    /// When the event was stored.
    timestamp: DateTime<Utc>,
    /// The event this one answers; `null` otherwise.
    #[oai(nullable)]
    parent_event_id: Option<Uuid>,
    /// Artifact URIs.
    references: Vec<String>,
    /// The thread the event belongs to; `null` for the main conversation.
    #[oai(nullable)]
    thread_id: Option<Uuid>,
    /// Arbitrary metadata; `mentions` (participant ids) and `message_type` are conventional.
    metadata: Value,
    /// The event's position in its space (1, 2, 3, …): events are totally ordered by it.
    sequence: i64,
}

impl From<EventRow> for Event {
    fn from(e: EventRow) -> Self {
        Event {
            event_id: e.event_id,
            space_id: e.space_id,
            speaker_id: e.speaker_id,
            speaker_name: e.speaker_name,
            speaker_type: e.speaker_type,
            text: e.text,
            timestamp: e.created_at,
            parent_event_id: e.parent_event_id,
            references: e.references,
            thread_id: e.thread_id,
            metadata: e.metadata,
            sequence: e.seq,
        }
    }
}
