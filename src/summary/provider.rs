//! What every summarizer is given and gives back, and the trait the providers implement.

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;

use crate::store::{decisions::DecisionRow, events::EventRow};

/// What a summarizer is given.
#[derive(Clone, Debug)]
pub struct SummaryInput {
    pub space_id: String,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    /// The events of the window, oldest first; the latest [`super::MAX_EVENTS`] at most.
    pub events: Vec<EventRow>,
    /// How many events the window holds, including any beyond the cap.
    pub event_count: i64,
    /// Decisions proposed or settled in the window, oldest first.
    pub decisions: Vec<DecisionRow>,
}

/// A written summary and the model that wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Markdown, starting with `# Space Summary`.
    pub text: String,
    pub model: String,
}

/// Why a provider produced no summary. Messages never contain credentials.
#[derive(Debug, thiserror::Error)]
pub enum SummaryError {
    #[error("request to the summary provider failed: {0}")]
    Request(String),
    #[error("the summary provider answered HTTP {status}: {body}")]
    Status { status: u16, body: String },
    #[error("unexpected response from the summary provider: {0}")]
    Response(String),
}

/// Writes a summary of a window of events. Object-safe, so the configured provider lives in
/// the app state as `Arc<dyn Summarizer>`.
pub trait Summarizer: Send + Sync {
    fn summarize<'a>(
        &'a self,
        input: &'a SummaryInput,
    ) -> BoxFuture<'a, Result<Summary, SummaryError>>;
}

/// `text` cut to at most `max` characters, with an ellipsis when cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        format!("{}…", head.trim_end())
    } else {
        head
    }
}
