//! The event object as the API returns it, built from its row: shared by every endpoint that
//! returns events (REST) and by the fan-out that serialises each new event once for every
//! stream ([`crate::realtime`]), so it lives below both.

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use serde::{Serialize, Serializer};
use serde_json::Value;
use uuid::Uuid;

use crate::store::events::EventRow;

// Serialised by serde when sent through `JsonBody` (see api/json_body.rs): the same JSON as its
// `ToJSON`, tested below. (A doc comment here would land in the spec.)
/// Something said or done in a space.
#[derive(Object, Serialize, Clone, Debug)]
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
    #[serde(serialize_with = "rfc3339")]
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

/// What poem-openapi writes for a timestamp (`+00:00`, not serde's `Z`).
pub(crate) fn rfc3339<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&at.to_rfc3339())
}

#[cfg(test)]
mod tests {
    use poem_openapi::types::ToJSON;
    use serde_json::json;

    use super::*;

    #[test]
    fn serde_gives_the_json_poem_openapi_would() {
        let full = Event {
            event_id: Uuid::now_v7(),
            space_id: "room".into(),
            speaker_id: "s-1".into(),
            speaker_name: "Zoë \"quoted\"\n".into(),
            speaker_type: "agent".into(),
            text: "line one\nline two \u{1F600} <tag> \\".into(),
            timestamp: Utc::now(),
            parent_event_id: Some(Uuid::now_v7()),
            references: vec!["https://example.com/a".into()],
            thread_id: Some(Uuid::now_v7()),
            metadata: json!({"mentions": ["a", "b"], "n": 1.5, "nested": {"x": null}}),
            sequence: 42,
        };
        let bare = Event {
            parent_event_id: None,
            thread_id: None,
            references: vec![],
            metadata: json!({}),
            timestamp: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            ..full.clone()
        };
        for event in [full, bare] {
            let direct: Value =
                serde_json::from_slice(&serde_json::to_vec(&event).unwrap()).unwrap();
            assert_eq!(Some(direct), event.to_json());
        }
    }
}
