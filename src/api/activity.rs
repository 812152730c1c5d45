//! `GET /api/spaces/{space_id}/activity`: a per-participant digest for catching up.

use std::{collections::HashMap, sync::Arc};

use chrono::{DateTime, Duration, Utc};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{ApiTags, event::Event, space_not_found, tenant_tx};
use crate::{
    app::AppState,
    auth::ApiKeyAuth,
    domain::IsoTimestamp,
    error::ApiError,
    store::{activity, participants, spaces},
};

/// What happened in a space since a point in time, per participant.
#[derive(Object)]
pub struct SpaceActivity {
    /// The space.
    space_id: String,
    /// Start of the digest: events at or after this time are counted.
    since: DateTime<Utc>,
    /// Everyone who spoke since `since`, most recently active first; then the joined
    /// participants who did not, in joining order (`event_count` 0, no events).
    participants: Vec<ParticipantActivity>,
}

/// One participant's activity since `since`.
#[derive(Object)]
pub struct ParticipantActivity {
    /// The speaker's id (an actor id for participants who joined).
    participant_id: String,
    /// The participant's display name.
    name: String,
    /// `human`, `agent`, or the speaker type of their latest event.
    participant_type: String,
    /// All of their events since `since`.
    event_count: i64,
    /// Time of their latest event; `null` when they have none since `since`.
    #[oai(nullable)]
    last_event_at: Option<DateTime<Utc>>,
    /// Their latest `max_events` events, oldest first.
    events: Vec<Event>,
}

pub struct ActivityApi;

#[OpenApi(tag = "ApiTags::Activity")]
impl ActivityApi {
    /// Per-participant activity digest
    ///
    /// Useful for catching up after being away: for each participant, how many events they
    /// wrote since `since` and their latest ones.
    #[oai(
        path = "/api/spaces/:space_id/activity",
        method = "get",
        operation_id = "get_space_activity"
    )]
    async fn get(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The space's id.
        space_id: Path<String>,
        /// ISO 8601 timestamp (UTC when it has no offset); default: one hour ago.
        since: Query<Option<IsoTimestamp>>,
        /// Most events listed per participant (1–20, default 5).
        #[oai(validator(minimum(value = "1"), maximum(value = "20")))]
        max_events: Query<Option<i64>>,
    ) -> Result<Json<SpaceActivity>, ApiError> {
        let since = since.0.map_or_else(
            || crate::domain::now() - Duration::hours(1),
            IsoTimestamp::get,
        );
        let max_events = max_events.0.unwrap_or(5);
        let tx = tenant_tx(&state, auth.principal()).await?;
        spaces::state(tx.client(), &space_id)
            .await?
            .ok_or_else(space_not_found)?;
        let speakers = activity::since(tx.client(), &space_id, since, max_events).await?;
        let joined = participants::list(tx.client(), &[space_id.as_str()]).await?;
        tx.end_read();

        let mut joined_by_id: HashMap<String, participants::ParticipantRow> = joined
            .iter()
            .map(|p| (p.participant_id.clone(), p.clone()))
            .collect();
        let mut out: Vec<ParticipantActivity> = speakers
            .into_iter()
            .map(|s| {
                // A joined participant is named as they joined; anyone else as they last spoke.
                let latest = s.events.last().expect("a speaker has at least one event");
                let (name, participant_type) = match joined_by_id.remove(&s.speaker_id) {
                    Some(p) => (p.name, p.participant_type),
                    None => (latest.speaker_name.clone(), latest.speaker_type.clone()),
                };
                ParticipantActivity {
                    participant_id: s.speaker_id,
                    name,
                    participant_type,
                    event_count: s.event_count,
                    last_event_at: Some(s.last_event_at),
                    events: s.events.into_iter().map(Event::from).collect(),
                }
            })
            .collect();
        out.extend(
            joined
                .into_iter()
                .filter(|p| joined_by_id.contains_key(&p.participant_id))
                .map(|p| ParticipantActivity {
                    participant_id: p.participant_id,
                    name: p.name,
                    participant_type: p.participant_type,
                    event_count: 0,
                    last_event_at: None,
                    events: vec![],
                }),
        );
        Ok(Json(SpaceActivity {
            space_id: space_id.0,
            since,
            participants: out,
        }))
    }
}
