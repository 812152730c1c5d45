//! The built-in summarizer: no model, no network, deterministic.
//!
//! It reports who spoke and how often, how many events the window holds, the decisions
//! proposed or settled in it, and the most significant messages. Significance is a score:
//!
//! - length: one point per 100 characters, at most 5 (longer messages carry more content, but
//!   a wall of text should not win on size alone);
//! - replies: 3 points per event of the window answering it (`parent_event_id`);
//! - mentions: 2 points per participant in `metadata.mentions`;
//! - kind: 3 points when `metadata.message_type` is `decision`, `proposal`, `question`,
//!   `action_item` or `action`; 1 point for a question mark in the text;
//! - references: 1 point per artifact referenced.
//!
//! The [`TOP_MESSAGES`] best (ties go to the later message) are listed in chronological order.

use std::collections::HashMap;

use futures::future::BoxFuture;

use super::{Summarizer, Summary, SummaryError, SummaryInput, truncate};
use crate::store::events::EventRow;

pub const MODEL: &str = "extractive";
/// How many significant messages a summary quotes.
pub const TOP_MESSAGES: usize = 5;
/// Longest quote of a message, in characters.
const QUOTE_CHARS: usize = 280;

pub struct Extractive;

impl Summarizer for Extractive {
    fn summarize<'a>(
        &'a self,
        input: &'a SummaryInput,
    ) -> BoxFuture<'a, Result<Summary, SummaryError>> {
        Box::pin(async move { Ok(summarize(input)) })
    }
}

/// The extractive summary of `input`.
pub fn summarize(input: &SummaryInput) -> Summary {
    let mut out = String::from("# Space Summary\n\n");
    out.push_str(&format!(
        "Space `{}`, {} to {} (UTC).\n\n",
        input.space_id,
        input.window_start.format("%Y-%m-%d %H:%M:%S"),
        input.window_end.format("%Y-%m-%d %H:%M:%S"),
    ));
    out.push_str(&format!("**Events:** {}", input.event_count));
    if input.event_count > input.events.len() as i64 {
        out.push_str(&format!(
            " (this summary covers the latest {})",
            input.events.len()
        ));
    }
    out.push_str("\n\n## Participants\n\n");
    let speakers = speakers(&input.events);
    if speakers.is_empty() {
        out.push_str("No one spoke in this window.\n");
    }
    for s in &speakers {
        let plural = if s.count == 1 { "" } else { "s" };
        out.push_str(&format!(
            "- {} ({}): {} event{plural}\n",
            s.name, s.kind, s.count
        ));
    }
    out.push_str("\n## Decisions\n\n");
    if input.decisions.is_empty() {
        out.push_str("No decisions in this window.\n");
    }
    for d in &input.decisions {
        out.push_str(&format!(
            "- [{}] {}",
            d.status,
            truncate(&d.text, QUOTE_CHARS)
        ));
        if let Some(r) = &d.resolution {
            out.push_str(&format!(" — {}", truncate(r, QUOTE_CHARS)));
        }
        out.push('\n');
    }
    out.push_str("\n## Key Messages\n\n");
    let top = significant(&input.events, TOP_MESSAGES);
    if top.is_empty() {
        out.push_str("No messages in this window.\n");
    }
    for e in top {
        out.push_str(&format!(
            "- **{}** ({}): {}\n",
            e.speaker_name,
            e.created_at.format("%H:%M"),
            truncate(&e.text.replace('\n', " "), QUOTE_CHARS)
        ));
    }
    Summary {
        text: out,
        model: MODEL.to_string(),
    }
}

struct Speaker {
    name: String,
    kind: String,
    count: usize,
}

/// Speakers by number of events (most first, then by name), under their latest name.
fn speakers(events: &[EventRow]) -> Vec<Speaker> {
    let mut by_id: HashMap<&str, Speaker> = HashMap::new();
    for e in events {
        let s = by_id.entry(&e.speaker_id).or_insert(Speaker {
            name: String::new(),
            kind: String::new(),
            count: 0,
        });
        s.name.clone_from(&e.speaker_name);
        s.kind.clone_from(&e.speaker_type);
        s.count += 1;
    }
    let mut list: Vec<Speaker> = by_id.into_values().collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    list
}

/// The `n` highest-scoring events, in chronological order.
fn significant(events: &[EventRow], n: usize) -> Vec<&EventRow> {
    let mut replies: HashMap<uuid::Uuid, usize> = HashMap::new();
    for e in events {
        if let Some(parent) = e.parent_event_id {
            *replies.entry(parent).or_default() += 1;
        }
    }
    let mut scored: Vec<(usize, &EventRow)> = events
        .iter()
        .map(|e| (score(e, replies.get(&e.event_id).copied().unwrap_or(0)), e))
        .collect();
    scored.sort_by(|(a, ea), (b, eb)| b.cmp(a).then_with(|| eb.seq.cmp(&ea.seq)));
    let mut top: Vec<&EventRow> = scored.into_iter().take(n).map(|(_, e)| e).collect();
    top.sort_by_key(|e| e.seq);
    top
}

fn score(e: &EventRow, replies: usize) -> usize {
    let length = (e.text.chars().count() / 100).min(5);
    let mentions = e
        .metadata
        .get("mentions")
        .and_then(|m| m.as_array())
        .map_or(0, Vec::len);
    let kind = match e.metadata.get("message_type").and_then(|t| t.as_str()) {
        Some("decision" | "proposal" | "question" | "action_item" | "action") => 3,
        _ => 0,
    };
    let question = usize::from(e.text.contains('?'));
    length + 3 * replies + 2 * mentions + kind + question + e.references.len()
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    use super::*;

    fn event(seq: i64, speaker: &str, text: &str, metadata: serde_json::Value) -> EventRow {
        EventRow {
            event_id: uuid::Uuid::new_v4(),
            space_id: "s".into(),
            seq,
            speaker_id: format!("id-{speaker}"),
            speaker_name: speaker.into(),
            speaker_type: "human".into(),
            text: text.into(),
            created_at: Utc.with_ymd_and_hms(2026, 4, 7, 10, seq as u32, 0).unwrap(),
            parent_event_id: None,
            thread_id: None,
            references: vec![],
            metadata,
        }
    }

    fn input(events: Vec<EventRow>) -> SummaryInput {
        SummaryInput {
            space_id: "s".into(),
            window_start: Utc.with_ymd_and_hms(2026, 4, 7, 10, 0, 0).unwrap(),
            window_end: Utc.with_ymd_and_hms(2026, 4, 7, 11, 0, 0).unwrap(),
            event_count: events.len() as i64,
            events,
            decisions: vec![],
        }
    }

    #[test]
    fn empty_window() {
        let s = summarize(&input(vec![]));
        assert!(s.text.starts_with("# Space Summary\n"));
        assert!(s.text.contains("**Events:** 0"));
        assert_eq!(s.model, "extractive");
    }

    #[test]
    fn counts_speakers_and_picks_significant_messages() {
        let mut events: Vec<EventRow> = (1..=8)
            .map(|i| event(i, "Alice", &format!("ok {i}"), json!({})))
            .collect();
        events.push(event(
            9,
            "Bob",
            "Should we use RLS?",
            json!({"message_type": "question"}),
        ));
        let mut reply = event(10, "Bob", "yes", json!({}));
        reply.parent_event_id = Some(events[0].event_id);
        events.push(reply);
        let s = summarize(&input(events)).text;
        assert!(s.contains("- Alice (human): 8 events"), "{s}");
        assert!(s.contains("- Bob (human): 2 events"), "{s}");
        let key = s.split("## Key Messages").nth(1).unwrap();
        // The question and the replied-to message rank first, listed in order.
        let q = key.find("Should we use RLS?").unwrap();
        let first = key.find("ok 1\n").unwrap();
        assert!(first < q, "{key}");
        assert_eq!(key.matches("\n- ").count(), TOP_MESSAGES, "{key}");
    }
}
