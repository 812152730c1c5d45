//! The event object as the API returns it: its documented type ([`Event`], what the spec
//! says), and its JSON as every endpoint that returns events writes it ([`EventJson`]).
//!
//! An event never changes once written, so its JSON is rendered once: at write time, every
//! field but `sequence` and `timestamp` (which the append assigns inside its statement) is
//! serialised by serde into the `body` column ([`Body::render`]); a read selects `seq`, `created_at`
//! and `body` and [`assemble`]s the object by concatenation, so the hot read path copies
//! bytes instead of decoding a dozen columns and encoding them again. Responses (REST
//! pages, streamed documents, Server-Sent Events) share the same bytes. Rows without a body
//! (written before tenant migration V3, or by the previous release during a rolling deploy)
//! are rendered by PostgreSQL in the read query ([`BODY_OR_RENDERED`]): the same values,
//! with PostgreSQL's spacing.
//!
//! It lives in the store, below the API and the realtime fan-out, because both use it.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use serde::{Serialize, Serializer};
use serde_json::Value;
use tokio_postgres::Row;
use uuid::Uuid;

// The documented type: poem-openapi derives the spec's `Event` schema from it. Responses
// are written from `EventJson`; a test checks they carry exactly what serialising this
// would. (A doc comment here would land in the spec.)
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

/// What poem-openapi writes for a timestamp (`+00:00`, not serde's `Z`).
pub(crate) fn rfc3339<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&at.to_rfc3339())
}

/// The stored part of an event's JSON: [`Event`] without `sequence` and `timestamp`.
#[derive(Serialize)]
pub struct Body<'a> {
    pub event_id: Uuid,
    pub space_id: &'a str,
    pub speaker_id: &'a str,
    pub speaker_name: &'a str,
    pub speaker_type: &'a str,
    pub text: &'a str,
    pub parent_event_id: Option<Uuid>,
    pub references: &'a [String],
    pub thread_id: Option<Uuid>,
    pub metadata: &'a Value,
}

impl Body<'_> {
    /// The `body` column of an event about to be written: a JSON object of every field but
    /// `sequence` and `timestamp`.
    pub fn render(&self) -> String {
        serde_json::to_string(self).expect("an event serialises")
    }
}

/// The `body` column, or for a row stored without one (before tenant migration V3, or by
/// the previous release during a rolling deploy) the same object rendered by PostgreSQL:
/// the same values, spaced as PostgreSQL spaces them. `COALESCE` evaluates the rendering
/// only for such rows.
pub const BODY_OR_RENDERED: &str = "COALESCE(body, json_build_object(\
     'event_id', event_id, 'space_id', space_id, 'speaker_id', speaker_id, \
     'speaker_name', speaker_name, 'speaker_type', speaker_type, 'text', text, \
     'parent_event_id', parent_event_id, 'references', refs, 'thread_id', thread_id, \
     'metadata', metadata)::text)";

/// An event's complete JSON from its parts: `sequence` and `timestamp` written in front of
/// the fields of `body` (an object with at least one field).
pub fn assemble(seq: i64, at: &DateTime<Utc>, body: &str) -> String {
    let fields = body.strip_prefix('{').unwrap_or(body);
    let mut out = String::with_capacity(fields.len() + 72);
    // Infallible: writing to a String.
    let _ = write!(
        out,
        r#"{{"sequence":{seq},"timestamp":"{}","#,
        at.to_rfc3339()
    );
    out.push_str(fields);
    out
}

/// An event as the API returns it: its JSON, complete, and what callers page or frame by.
#[derive(Clone, Debug)]
pub struct EventJson {
    pub event_id: Uuid,
    pub seq: i64,
    pub json: String,
}

/// The columns [`EventJson::from_row`] reads.
pub fn columns() -> String {
    format!("event_id, seq, created_at, {BODY_OR_RENDERED} AS body")
}

impl EventJson {
    pub fn from_row(row: &Row) -> EventJson {
        let seq = row.get("seq");
        let at: DateTime<Utc> = row.get("created_at");
        EventJson {
            event_id: row.get("event_id"),
            seq,
            json: assemble(seq, &at, row.get("body")),
        }
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::types::ToJSON;
    use serde_json::json;

    use super::*;

    /// An event's fields, owned.
    #[derive(Clone)]
    struct NewEvent {
        event_id: Uuid,
        space_id: String,
        speaker_id: String,
        speaker_name: String,
        speaker_type: String,
        text: String,
        parent_event_id: Option<Uuid>,
        thread_id: Option<Uuid>,
        references: Vec<String>,
        metadata: Value,
    }

    fn body(e: &NewEvent) -> String {
        Body {
            event_id: e.event_id,
            space_id: &e.space_id,
            speaker_id: &e.speaker_id,
            speaker_name: &e.speaker_name,
            speaker_type: &e.speaker_type,
            text: &e.text,
            parent_event_id: e.parent_event_id,
            references: &e.references,
            thread_id: e.thread_id,
            metadata: &e.metadata,
        }
        .render()
    }

    fn new_event(text: &str, metadata: Value, linked: bool) -> NewEvent {
        NewEvent {
            event_id: Uuid::now_v7(),
            space_id: "room-ü".into(),
            speaker_id: "s-1".into(),
            speaker_name: "Zoë \"quoted\"\n\u{7}".into(),
            speaker_type: "agent".into(),
            text: text.into(),
            parent_event_id: linked.then(Uuid::now_v7),
            thread_id: linked.then(Uuid::now_v7),
            references: if linked {
                vec!["https://example.com/a?b=\"c\"".into()]
            } else {
                vec![]
            },
            metadata,
        }
    }

    /// What the API returned before bodies were stored: `Event` serialised by serde.
    fn old_json(e: &NewEvent, seq: i64, at: DateTime<Utc>) -> String {
        serde_json::to_string(&event(e, seq, at)).unwrap()
    }

    /// The documented event object of `e`.
    fn event(e: &NewEvent, seq: i64, at: DateTime<Utc>) -> Event {
        Event {
            event_id: e.event_id,
            space_id: e.space_id.clone(),
            speaker_id: e.speaker_id.clone(),
            speaker_name: e.speaker_name.clone(),
            speaker_type: e.speaker_type.clone(),
            text: e.text.clone(),
            timestamp: at,
            parent_event_id: e.parent_event_id,
            references: e.references.clone(),
            thread_id: e.thread_id,
            metadata: e.metadata.clone(),
            sequence: seq,
        }
    }

    fn events() -> Vec<NewEvent> {
        vec![
            new_event(
                "line one\nline two \u{1F600} <tag> \\ \u{0}\u{1f}\u{7f}\u{2028} \"q\"",
                json!({"mentions": ["a", "b"], "n": 1.5, "big": 18446744073709551615u64,
                       "neg": -3, "nested": {"x": null, "y": [true, false, {"z": "é"}]}}),
                true,
            ),
            new_event("plain", json!({}), false),
            new_event(
                "\t",
                json!({"message_type": "note", "deep": [[[[{}]]]]}),
                false,
            ),
        ]
    }

    /// Times with every fraction length chrono writes (none, milli, micro).
    fn times() -> Vec<DateTime<Utc>> {
        [0, 120_000_000, 123_456_000, 1_000]
            .into_iter()
            .map(|ns| DateTime::from_timestamp(1_700_000_000, ns).unwrap())
            .collect()
    }

    #[test]
    fn the_assembled_json_has_the_old_serialisers_bytes_for_every_value() {
        for e in events() {
            let body = body(&e);
            for (seq, at) in [1, 42, i64::MAX].into_iter().zip(times()) {
                let old = old_json(&e, seq, at);
                let new = assemble(seq, &at, &body);
                // Only the order of the fields differs: the old JSON without `timestamp`
                // and `sequence` is the stored body, byte for byte...
                let stamp = format!(r#""timestamp":"{}","#, at.to_rfc3339());
                let sequence = format!(r#","sequence":{seq}"#);
                assert_eq!(old.replacen(&stamp, "", 1).replacen(&sequence, "", 1), body);
                // ...and the new JSON is those two members followed by it.
                assert_eq!(new, format!("{{\"sequence\":{seq},{stamp}{}", &body[1..]));
                let (old, new): (Value, Value) = (
                    serde_json::from_str(&old).unwrap(),
                    serde_json::from_str(&new).unwrap(),
                );
                assert_eq!(old, new);
            }
        }
    }

    #[test]
    fn timestamps_are_written_as_poem_openapi_writes_them() {
        let [whole, milli, micro, nano]: [DateTime<Utc>; 4] = times().try_into().unwrap();
        let stamp = |at: &DateTime<Utc>| {
            let v: Value = serde_json::from_str(&assemble(1, at, r#"{"a":1}"#)).unwrap();
            assert_eq!(Some(v["timestamp"].clone()), at.to_json());
            v["timestamp"].as_str().unwrap().to_string()
        };
        assert_eq!(stamp(&whole), "2023-11-14T22:13:20+00:00");
        assert_eq!(stamp(&milli), "2023-11-14T22:13:20.120+00:00");
        assert_eq!(stamp(&micro), "2023-11-14T22:13:20.123456+00:00");
        assert_eq!(stamp(&nano), "2023-11-14T22:13:20.000001+00:00");
    }

    #[test]
    fn serde_gives_the_json_poem_openapi_would() {
        for e in events() {
            for at in times() {
                let event: Value = serde_json::from_str(&old_json(&e, 7, at)).unwrap();
                assert_eq!(Some(event), self::event(&e, 7, at).to_json());
            }
        }
    }
}
