//! Summaries written by a model through the Anthropic Messages API
//! (`POST {base_url}/v1/messages`).
//!
//! The prompt is the window's transcript (latest lines first to be kept when it is too long)
//! and its decisions. The key travels only in the `x-api-key` header; error messages carry
//! the status and a bounded slice of the body, never the request.

use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::{Summarizer, Summary, SummaryError, SummaryInput, truncate};

pub const API_VERSION: &str = "2023-06-01";
const MAX_TOKENS: u32 = 1024;
/// Largest transcript sent, in characters (roughly 25k tokens); older lines are dropped.
const MAX_TRANSCRIPT_CHARS: usize = 100_000;
/// Longest line of the transcript, in characters.
const MAX_LINE_CHARS: usize = 2000;
const HEADING: &str = "# Space Summary";

pub struct Anthropic {
    http: reqwest::Client,
    url: String,
    api_key: String,
    model: String,
}

impl Anthropic {
    pub fn new(
        base_url: &str,
        api_key: String,
        model: String,
        timeout: Duration,
    ) -> anyhow::Result<Anthropic> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()?;
        Ok(Anthropic {
            http,
            url: format!("{}/v1/messages", base_url.trim_end_matches('/')),
            api_key,
            model,
        })
    }

    async fn call(&self, input: &SummaryInput) -> Result<Summary, SummaryError> {
        let body = json!({
            "model": self.model,
            "max_tokens": MAX_TOKENS,
            "messages": [{"role": "user", "content": prompt(input)}],
        });
        let resp = self
            .http
            .post(&self.url)
            .header("x-api-key", &self.api_key)
            .header("anthropic-version", API_VERSION)
            .json(&body)
            .send()
            .await
            .map_err(|e| SummaryError::Request(e.without_url().to_string()))?;
        let status = resp.status();
        if !status.is_success() {
            let text = resp.text().await.unwrap_or_default();
            return Err(SummaryError::Status {
                status: status.as_u16(),
                body: truncate(&text, 300),
            });
        }
        let value: Value = resp
            .json()
            .await
            .map_err(|e| SummaryError::Response(e.without_url().to_string()))?;
        let text = value
            .pointer("/content/0/text")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| SummaryError::Response("no text in content[0]".to_string()))?;
        // Every summary starts with the same heading, whoever wrote it.
        let text = if text.starts_with(HEADING) {
            text.to_string()
        } else {
            format!("{HEADING}\n\n{text}")
        };
        let model = value
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or(&self.model)
            .to_string();
        Ok(Summary { text, model })
    }
}

impl Summarizer for Anthropic {
    fn summarize<'a>(
        &'a self,
        input: &'a SummaryInput,
    ) -> BoxFuture<'a, Result<Summary, SummaryError>> {
        Box::pin(self.call(input))
    }
}

/// The instructions, the decisions and as much of the transcript as fits, newest kept.
fn prompt(input: &SummaryInput) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut used = 0;
    for e in input.events.iter().rev() {
        let line = format!(
            "[{}] {} ({}): {}",
            e.created_at.format("%Y-%m-%d %H:%M:%S"),
            e.speaker_name,
            e.speaker_type,
            truncate(&e.text.replace('\n', " "), MAX_LINE_CHARS)
        );
        used += line.len() + 1;
        if used > MAX_TRANSCRIPT_CHARS {
            break;
        }
        lines.push(line);
    }
    lines.reverse();
    let decisions: Vec<String> = input
        .decisions
        .iter()
        .map(|d| match &d.resolution {
            Some(r) => format!("- [{}] {} — {}", d.status, d.text, r),
            None => format!("- [{}] {}", d.status, d.text),
        })
        .collect();
    format!(
        "Summarize the activity of the collaboration space `{space}` between {start} and {end} \
         (UTC). It holds {count} events; the transcript below has the latest {shown}.\n\n\
         Write Markdown that starts with the heading `{HEADING}`. Cover the participants, the \
         main topics, decisions, open questions and action items. Be concise and factual; do \
         not invent anything that is not in the transcript.\n\n\
         Decisions in this window:\n{decisions}\n\nTranscript:\n{transcript}\n",
        space = input.space_id,
        start = input.window_start.to_rfc3339(),
        end = input.window_end.to_rfc3339(),
        count = input.event_count,
        shown = lines.len(),
        decisions = if decisions.is_empty() {
            "(none)".to_string()
        } else {
            decisions.join("\n")
        },
        transcript = if lines.is_empty() {
            "(no events)".to_string()
        } else {
            lines.join("\n")
        },
    )
}
