//! Space summaries: what happened in a space during a time window, written by a
//! [`Summarizer`]. The built-in [`extractive`] summarizer needs no network; the
//! [`anthropic`] provider asks a model and is used when configured. Callers fall back to the
//! extractive summary when a provider fails, so a summary request never fails because of one.

pub mod anthropic;
pub mod extractive;

use std::{sync::Arc, time::Duration};

use anyhow::Context;
use chrono::{DateTime, Utc};
use futures::future::BoxFuture;

use crate::{
    config::{SummaryConfig, SummaryProvider},
    store::{decisions::DecisionRow, events::EventRow},
};

/// Most events read for one summary: the latest ones of the window. Bounds memory, the
/// prompt size and the time a summary takes, whatever the window.
pub const MAX_EVENTS: i64 = 2000;
/// Most decisions read for one summary.
pub const MAX_DECISIONS: i64 = 200;

/// What a summarizer is given.
#[derive(Clone, Debug)]
pub struct SummaryInput {
    pub space_id: String,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    /// The events of the window, oldest first; the latest [`MAX_EVENTS`] at most.
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

/// The summarizer the configuration asks for.
pub fn from_config(config: &SummaryConfig) -> anyhow::Result<Arc<dyn Summarizer>> {
    Ok(match config.summary_provider {
        SummaryProvider::Extractive => Arc::new(extractive::Extractive),
        SummaryProvider::Anthropic => {
            let api_key = config
                .anthropic_api_key
                .clone()
                .filter(|k| !k.trim().is_empty())
                .context("CONVO_SUMMARY_PROVIDER=anthropic needs ANTHROPIC_API_KEY")?;
            Arc::new(anthropic::Anthropic::new(
                &config.anthropic_base_url,
                api_key,
                config.summary_model.clone(),
                Duration::from_secs(config.summary_timeout_secs.max(1)),
            )?)
        }
    })
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
