//! Space summaries: what happened in a space during a time window, written by a
//! [`Summarizer`]. The built-in [`extractive`] summarizer needs no network; the
//! [`anthropic`] provider asks a model and is used when configured. Callers fall back to the
//! extractive summary when a provider fails, so a summary request never fails because of one.

pub mod anthropic;
pub mod extractive;
mod provider;

use std::{sync::Arc, time::Duration};

use anyhow::Context;

use provider::truncate;
pub use provider::{Summarizer, Summary, SummaryError, SummaryInput};

use crate::config::{SummaryConfig, SummaryProvider};

/// Most events read for one summary: the latest ones of the window. Bounds memory, the
/// prompt size and the time a summary takes, whatever the window.
pub const MAX_EVENTS: i64 = 2000;
/// Most decisions read for one summary.
pub const MAX_DECISIONS: i64 = 200;

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
