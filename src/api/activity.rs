//! `GET /api/spaces/{space_id}/activity`: a per-participant digest for catching up.

use std::{
    collections::{HashMap, VecDeque},
    sync::Arc,
};

use crate::db::Pool;
use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use futures::Stream;
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
};

use super::{
    ApiTags,
    event_pager::PAGE_ROWS,
    json_stream::{JsonStream, event_elements, json},
    tenant_tx,
};
use crate::store::event_json::Event;
use crate::{
    api::AppState,
    auth::ApiKeyAuth,
    db::pipeline,
    domain::{IsoTimestamp, SpaceId},
    error::ApiError,
    store::{
        activity::{self, SpeakerActivity},
        event_json::EventJson,
        event_pages::{self, PageSize},
        participants::{self, ParticipantRow},
        spaces,
    },
    tenancy::{SchemaName, TenantTx},
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
        space_id: Path<SpaceId>,
        /// ISO 8601 timestamp (UTC when it has no offset); default: one hour ago.
        since: Query<Option<IsoTimestamp>>,
        /// Most events listed per participant (1–20, default 5).
        #[oai(validator(minimum(value = "1"), maximum(value = "20")))]
        max_events: Query<Option<i64>>,
    ) -> Result<JsonStream<SpaceActivity>, ApiError> {
        let since = since.0.map_or_else(
            || crate::domain::now() - Duration::hours(1),
            IsoTimestamp::get,
        );
        let max_events = max_events.0.unwrap_or(5);
        let caller = auth.principal();
        let tx = tenant_tx(&state, caller).await?;
        spaces::require(&tx, &space_id).await?;
        let ids = [space_id.as_str()];
        let (speakers, joined) = tokio::join!(
            activity::speakers(&tx, &space_id, since, max_events, None, SPEAKER_PAGE),
            participants::list(&tx, &ids)
        );
        let (speakers, joined) = pipeline::both(speakers, joined)?;
        tx.end_read();
        let digest = Digest {
            pool: state.db.pool.clone(),
            schema: caller.schema.clone(),
            space_id: space_id.0.into_string(),
            since,
            max_events,
            page_bytes: state.memory.read_page_bytes,
        };
        Ok(JsonStream::new(digest.write(speakers, joined)))
    }
}

/// Most speakers read per query; their events are read in pages bounded in bytes.
const SPEAKER_PAGE: i64 = 100;

/// What the digest is written from, page after page, each in a transaction of its own.
struct Digest {
    pool: Pool,
    schema: SchemaName,
    space_id: String,
    since: DateTime<Utc>,
    max_events: i64,
    page_bytes: usize,
}

impl Digest {
    /// The document: the speakers (the first page given), each followed by their latest
    /// events, then the joined participants who did not speak. A participant's name and type
    /// come last in its object: for someone who did not join, they are those of their latest
    /// event, known only once it is written.
    fn write(
        self,
        mut speakers: Vec<SpeakerActivity>,
        joined: Vec<ParticipantRow>,
    ) -> impl Stream<Item = Result<Bytes, ApiError>> {
        async_stream::try_stream! {
            yield Bytes::from(format!(
                r#"{{"space_id":{},"since":{},"participants":["#,
                json(&self.space_id),
                json(&self.since.to_rfc3339())
            ));
            let mut joined_by_id: HashMap<&str, &ParticipantRow> =
                joined.iter().map(|p| (p.participant_id.as_str(), p)).collect();
            let mut comma = "";
            let mut size = PageSize::new(PAGE_ROWS, self.page_bytes);
            loop {
                let seqs: Vec<i64> = speakers.iter().flat_map(|s| s.latest.clone()).collect();
                let mut events = VecDeque::new();
                let mut read = 0;
                for speaker in &speakers {
                    let mut out = format!(
                        r#"{comma}{{"participant_id":{},"event_count":{},"last_event_at":{},"events":["#,
                        json(&speaker.speaker_id),
                        speaker.event_count,
                        json(&speaker.last_event_at.to_rfc3339()),
                    )
                    .into_bytes();
                    comma = ",";
                    let mut first = true;
                    // The name and type the speaker's latest event was written with, once
                    // one of the speaker's events is in the document.
                    let mut said_as = None;
                    for _ in &speaker.latest {
                        if events.is_empty() && read < seqs.len() {
                            if !out.is_empty() {
                                yield Bytes::from(std::mem::take(&mut out));
                            }
                            let page = self.events(&seqs[read..], &mut size).await?;
                            read += page.len();
                            events.extend(page);
                        }
                        let Some(event) = events.pop_front() else { break };
                        said_as = Some(speaker.said_as.clone());
                        out.extend_from_slice(&event_elements(vec![event], &mut first));
                    }
                    let (name, kind) = match joined_by_id.remove(speaker.speaker_id.as_str()) {
                        Some(p) => (p.name.clone(), p.participant_type.clone()),
                        None => said_as.unwrap_or_else(|| (speaker.speaker_id.clone(), String::new())),
                    };
                    out.extend_from_slice(
                        format!(r#"],"name":{},"participant_type":{}}}"#, json(&name), json(&kind))
                            .as_bytes(),
                    );
                    yield Bytes::from(out);
                }
                if (speakers.len() as i64) < SPEAKER_PAGE {
                    break;
                }
                let cursor = speakers.last().map(SpeakerActivity::cursor);
                let tx = TenantTx::begin(&self.pool, &self.schema).await?;
                speakers = activity::speakers(
                    &tx,
                    &self.space_id,
                    self.since,
                    self.max_events,
                    cursor.as_ref(),
                    SPEAKER_PAGE,
                )
                .await?;
                tx.end_read();
            }
            let silent = joined.iter().filter(|p| joined_by_id.contains_key(p.participant_id.as_str()));
            let mut out = Vec::new();
            for p in silent {
                out.extend_from_slice(
                    format!(
                        r#"{comma}{{"participant_id":{},"event_count":0,"last_event_at":null,"events":[],"name":{},"participant_type":{}}}"#,
                        json(&p.participant_id),
                        json(&p.name),
                        json(&p.participant_type)
                    )
                    .as_bytes(),
                );
                comma = ",";
            }
            out.extend_from_slice(b"]}");
            yield Bytes::from(out);
        }
    }

    /// The next page of the events with sequence numbers `seqs`, in that order.
    async fn events(&self, seqs: &[i64], size: &mut PageSize) -> Result<Vec<EventJson>, ApiError> {
        let tx = TenantTx::begin(&self.pool, &self.schema).await?;
        let page = event_pages::of_seqs(&tx, &self.space_id, seqs, size).await?;
        tx.end_read();
        Ok(page.events)
    }
}
