//! `GET /api/spaces/{space_id}/summary`: a cached summary of a window of events.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{ApiTags, tenant_tx};
use crate::{
    api::AppState,
    auth::ApiKeyAuth,
    domain::{IsoTimestamp, SpaceId},
    error::ApiError,
    store::{decisions, spaces, summaries, summaries::SummaryRow},
    summary::{self, MAX_DECISIONS, MAX_EVENTS, SummaryInput},
};

/// A summary of a space's events in a time window.
#[derive(Object)]
pub struct SpaceSummary {
    /// The summary's id.
    summary_id: Uuid,
    /// The summarised space.
    space_id: String,
    /// Start of the summarised window.
    window_start: DateTime<Utc>,
    /// End of the summarised window.
    window_end: DateTime<Utc>,
    /// Markdown, starting with `# Space Summary`.
    summary_text: String,
    /// Events in the window.
    event_count: i64,
    /// The model that wrote it; `extractive` for the built-in summarizer.
    model: String,
    /// When the summary was written.
    created_at: DateTime<Utc>,
}

impl From<SummaryRow> for SpaceSummary {
    fn from(s: SummaryRow) -> Self {
        SpaceSummary {
            summary_id: s.summary_id,
            space_id: s.space_id,
            window_start: s.window_start,
            window_end: s.window_end,
            summary_text: s.summary_text,
            event_count: s.event_count,
            model: s.model,
            created_at: s.created_at,
        }
    }
}

pub struct SummaryApi;

#[OpenApi(tag = "ApiTags::Activity")]
impl SummaryApi {
    /// Summarize a space
    ///
    /// Summarizes the events of `[start, end]`. `end` defaults to now rounded up to the next
    /// whole minute (so the current minute's events are included and repeated calls within a
    /// minute share one cached summary) and `start` to one hour before `end`; `start` after
    /// `end` is a 400. Timestamps are ISO 8601; one without an offset (or a bare date) is UTC.
    ///
    /// Summaries are cached per exact window: the same `start` and `end` return the cached
    /// summary (same `summary_id`) until `regenerate=true` replaces it.
    ///
    /// A summary reads at most the latest 2000 events of the window (`event_count` still
    /// counts them all) and the decisions proposed or settled in it. The built-in
    /// `extractive` summarizer lists participants and their event counts, decisions and the
    /// most significant messages; when a model provider is configured and fails, the
    /// extractive summary is returned instead and not cached.
    #[oai(
        path = "/api/spaces/:space_id/summary",
        method = "get",
        operation_id = "get_space_summary"
    )]
    async fn get(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The space's id.
        space_id: Path<SpaceId>,
        /// Window start (ISO 8601); default: one hour before `end`.
        start: Query<Option<IsoTimestamp>>,
        /// Window end (ISO 8601); default: now, rounded up to the next whole minute.
        end: Query<Option<IsoTimestamp>>,
        /// `true` to write a new summary and replace the cached one.
        regenerate: Query<Option<bool>>,
    ) -> Result<Json<SpaceSummary>, ApiError> {
        let caller = auth.principal();
        // Both bounds are at microsecond precision, like stored ones, so windows match exactly.
        let (start, end) = window(start.0, end.0)?;
        let regenerate = regenerate.0.unwrap_or(false);

        // Read, then let go of the connection: a model may take many seconds.
        let tx = tenant_tx(&state, caller).await?;
        spaces::require(&tx, &space_id).await?;
        if !regenerate && let Some(cached) = summaries::get(&tx, &space_id, start, end).await? {
            tx.commit().await?;
            return Ok(Json(cached.into()));
        }
        let (events, event_count) =
            summaries::events_in_window(&tx, &space_id, start, end, MAX_EVENTS).await?;
        let decisions = decisions::in_window(&tx, &space_id, start, end, MAX_DECISIONS).await?;
        tx.commit().await?;

        let input = SummaryInput {
            space_id: space_id.0.into_string(),
            window_start: start,
            window_end: end,
            events,
            event_count,
            decisions,
        };
        let (written, cache) = match state.summarizer.summarize(&input).await {
            Ok(s) => (s, true),
            Err(err) => {
                tracing::warn!(space_id = %input.space_id, "summary provider failed, using the extractive summary: {err}");
                (summary::extractive::summarize(&input), false)
            }
        };
        let row = SummaryRow {
            summary_id: Uuid::now_v7(),
            space_id: input.space_id,
            window_start: start,
            window_end: end,
            summary_text: written.text,
            event_count,
            model: written.model,
            created_at: crate::domain::now(),
        };
        if !cache {
            // A fallback is not what was asked for: the next request tries the provider again.
            return Ok(Json(row.into()));
        }
        let tx = tenant_tx(&state, caller).await?;
        let stored = summaries::store(&tx, &row, regenerate).await?;
        tx.commit().await?;
        Ok(Json(stored.into()))
    }
}

/// The window `[start, end]` with its defaults filled in: a 400 when `start` is after `end`,
/// or when the default `start` (an hour before `end`) would be before what the database stores.
fn window(
    start: Option<IsoTimestamp>,
    end: Option<IsoTimestamp>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), ApiError> {
    let end = match end {
        Some(end) => end,
        None => IsoTimestamp::new(next_minute(crate::domain::now())).expect("now is storable"),
    };
    let start = match start {
        Some(start) => start,
        None => end.checked_sub(Duration::hours(1)).ok_or_else(|| {
            ApiError::bad_request(
                "end is too early for the default start (one hour before end): pass start",
            )
        })?,
    };
    if start > end {
        return Err(ApiError::bad_request("start must not be after end"));
    }
    Ok((start.get(), end.get()))
}

/// The first whole minute after `t` (or `t` itself when it is one): a default window end that
/// stays the same for a minute, so default calls share one cached summary.
fn next_minute(t: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    use chrono::{DurationRound, TimeDelta};
    let floor = t.duration_trunc(TimeDelta::minutes(1)).expect("in range");
    if floor == t {
        t
    } else {
        floor + TimeDelta::minutes(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_start_is_checked() {
        let t = |s: &str| IsoTimestamp::parse(s).unwrap();
        let (start, end) = window(None, Some(t("2026-04-07T10:00:00Z"))).unwrap();
        assert_eq!(end - start, Duration::hours(1));
        for early in ["-4713-11-24T00:30:00Z", "-4713-11-24T00:00:00Z"] {
            assert!(
                matches!(window(None, Some(t(early))), Err(ApiError::BadRequest(_))),
                "{early}"
            );
        }
        assert!(
            window(
                Some(t("-4713-11-24T00:00:00Z")),
                Some(t("-4713-11-24T00:30:00Z"))
            )
            .is_ok()
        );
        assert!(matches!(
            window(
                Some(t("2026-04-07T10:00:01Z")),
                Some(t("2026-04-07T10:00:00Z"))
            ),
            Err(ApiError::BadRequest(_))
        ));
    }

    #[test]
    fn default_end_is_the_next_whole_minute() {
        let t = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
        assert_eq!(
            next_minute(t("2026-11-23T10:15:30.5Z")),
            t("2026-11-23T10:16:00Z")
        );
        assert_eq!(
            next_minute(t("2026-11-23T10:15:00Z")),
            t("2026-11-23T10:15:00Z")
        );
        assert_eq!(
            next_minute(t("2026-11-23T23:59:59Z")),
            t("2026-11-24T00:00:00Z")
        );
    }
}
