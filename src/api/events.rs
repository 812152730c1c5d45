//! Events of a space: the three ways to add one, and the reads (by cursor, by id, by time).

use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt, stream};
use poem::{Request, web::Data};
use poem_openapi::{
    Object, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
};
use serde_json::Value;
use uuid::Uuid;

use super::{
    ApiTags,
    event_pager::{EventPager, PAGE_ROWS},
    event_write::{Draft, KeyHeader, event_not_found, missing_from_space, post_event},
    json_body::JsonText,
    json_stream::{JsonStream, event_elements},
    space_not_found, tenant_tx,
};
use crate::store::event_json::Event;
use crate::{
    api::AppState,
    auth::ApiKeyAuth,
    db::pipeline,
    domain::{
        EventId, EventText, IdempotencyKey, IsoTimestamp, Reference, SpaceId, SpeakerId,
        SpeakerName, SpeakerType, Str,
    },
    error::ApiError,
    store::event_pages::{self, PageSize, Scope},
    store::events,
    store::spaces,
    tenancy::TenantTx,
};

/// A human speaking.
#[derive(Object)]
pub struct SpeechRequest {
    /// Who spoke, at most 128 characters; defaults to the caller's actor id.
    #[oai(nullable)]
    speaker_id: Option<SpeakerId>,
    /// At most 200 characters; defaults to the caller's display name.
    #[oai(nullable)]
    speaker_name: Option<SpeakerName>,
    /// 1–32768 characters, not blank; kept as sent.
    text: EventText,
    /// A thread of this space to post into (404 if unknown).
    #[oai(nullable)]
    thread_id: Option<Str>,
    /// A JSON object of at most 16 KiB. `mentions`, if present, is an array of at most 50
    /// participant ids (strings of at most 128 characters).
    #[oai(nullable)]
    metadata: Option<Value>,
}

/// An agent responding. The speaker is always the authenticated actor.
#[derive(Object)]
pub struct AgentResponseRequest {
    /// Ignored (taken from the authenticated actor).
    #[oai(nullable)]
    agent_id: Option<Str>,
    /// Ignored (taken from the authenticated actor).
    #[oai(nullable)]
    agent_name: Option<Str>,
    /// 1–32768 characters, not blank; kept as sent.
    text: EventText,
    /// The event of this space this responds to (404 if unknown).
    #[oai(nullable)]
    parent_event_id: Option<Str>,
    /// A thread of this space to post into (404 if unknown).
    #[oai(nullable)]
    thread_id: Option<Str>,
    /// A JSON object of at most 16 KiB. `mentions`, if present, is an array of at most 50
    /// participant ids (strings of at most 128 characters).
    #[oai(nullable)]
    metadata: Option<Value>,
}

/// An event from any source.
#[derive(Object)]
pub struct NewEventRequest {
    /// Source identifier, 1–128 characters.
    speaker_id: SpeakerId,
    /// Display name, 1–200 characters.
    speaker_name: SpeakerName,
    /// `human` (the default), `agent`, `transcript`, `system`, or a custom type matching
    /// `^[a-z][a-z0-9_-]{0,31}$`.
    #[oai(nullable)]
    speaker_type: Option<SpeakerType>,
    /// 1–32768 characters, not blank; kept as sent.
    text: EventText,
    /// The event of this space this one answers (404 if unknown).
    #[oai(nullable)]
    parent_event_id: Option<Str>,
    /// Artifact URIs: at most 50, each absolute (with a scheme) and at most 2048 characters.
    /// Schemes that run script when a link is followed (`javascript:`, `vbscript:`, `data:`,
    /// in any case, as browsers read them) are refused.
    #[oai(nullable, validator(max_items = 50))]
    references: Option<Vec<Reference>>,
    /// A thread of this space to post into (404 if unknown).
    #[oai(nullable)]
    thread_id: Option<Str>,
    /// A JSON object of at most 16 KiB. `mentions`, if present, is an array of at most 50
    /// participant ids (strings of at most 128 characters).
    #[oai(nullable)]
    metadata: Option<Value>,
}

pub struct EventsApi;

#[OpenApi(tag = "ApiTags::Events")]
impl EventsApi {
    /// Add a human speech event
    ///
    /// The speaker defaults to the caller. 409 if the space is paused or archived. With an
    /// `Idempotency-Key`, a retry of the same request within 24 hours returns the original
    /// event, and a different request under the same key is a 409.
    #[oai(
        path = "/api/spaces/:space_id/speech",
        method = "post",
        operation_id = "add_speech"
    )]
    async fn speech(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        req: &Request,
        /// The space's id.
        space_id: Path<SpaceId>,
        /// Makes retries safe: 1–255 visible ASCII characters, unique per request.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<IdempotencyKey>>,
        body: Json<SpeechRequest>,
    ) -> Result<JsonText<Event>, ApiError> {
        let caller = auth.principal();
        let b = body.0;
        let draft = Draft {
            speaker_id: b
                .speaker_id
                .map_or_else(|| caller.actor_id.to_string(), SpeakerId::into_string),
            speaker_name: b
                .speaker_name
                .map_or_else(|| caller.display_name.clone(), SpeakerName::into_string),
            speaker_type: "human".into(),
            text: b.text.into_string(),
            parent_event_id: None,
            thread_id: b.thread_id,
            references: Vec::new(),
            metadata: b.metadata,
        };
        let event = post_event(
            &state,
            caller,
            &space_id,
            "speech",
            KeyHeader(idempotency_key.0, req),
            draft,
        );
        Ok(JsonText::new(event.await?.json))
    }

    /// Add an agent response
    ///
    /// The speaker is the authenticated actor (`speaker_type` `agent`), whatever the body
    /// says. 409 if the space is not active; 404 if `thread_id` or `parent_event_id` is not
    /// an id of this space. `Idempotency-Key` as for speech.
    #[oai(
        path = "/api/spaces/:space_id/response",
        method = "post",
        operation_id = "add_response"
    )]
    async fn response(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        req: &Request,
        /// The space's id.
        space_id: Path<SpaceId>,
        /// Makes retries safe: 1–255 visible ASCII characters, unique per request.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<IdempotencyKey>>,
        body: Json<AgentResponseRequest>,
    ) -> Result<JsonText<Event>, ApiError> {
        let caller = auth.principal();
        let b = body.0;
        let draft = Draft {
            speaker_id: caller.actor_id.to_string(),
            speaker_name: caller.display_name.clone(),
            speaker_type: "agent".into(),
            text: b.text.into_string(),
            parent_event_id: b.parent_event_id,
            thread_id: b.thread_id,
            references: Vec::new(),
            metadata: b.metadata,
        };
        let event = post_event(
            &state,
            caller,
            &space_id,
            "response",
            KeyHeader(idempotency_key.0, req),
            draft,
        );
        Ok(JsonText::new(event.await?.json))
    }

    /// Add an event
    ///
    /// A generic event from any source type. 409 if the space is not active.
    /// `Idempotency-Key` as for speech.
    #[oai(
        path = "/api/spaces/:space_id/events",
        method = "post",
        operation_id = "add_event"
    )]
    async fn add(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        req: &Request,
        /// The space's id.
        space_id: Path<SpaceId>,
        /// Makes retries safe: 1–255 visible ASCII characters, unique per request.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<IdempotencyKey>>,
        body: Json<NewEventRequest>,
    ) -> Result<JsonText<Event>, ApiError> {
        let b = body.0;
        let draft = Draft {
            speaker_id: b.speaker_id.into_string(),
            speaker_name: b.speaker_name.into_string(),
            speaker_type: b
                .speaker_type
                .map_or_else(|| "human".into(), SpeakerType::into_string),
            text: b.text.into_string(),
            parent_event_id: b.parent_event_id,
            thread_id: b.thread_id,
            references: b
                .references
                .unwrap_or_default()
                .into_iter()
                .map(Reference::into_string)
                .collect(),
            metadata: b.metadata,
        };
        let caller = auth.principal();
        let event = post_event(
            &state,
            caller,
            &space_id,
            "events",
            KeyHeader(idempotency_key.0, req),
            draft,
        );
        Ok(JsonText::new(event.await?.json))
    }

    /// List events
    ///
    /// In sequence order, after the `since` cursor if given.
    #[oai(
        path = "/api/spaces/:space_id/events",
        method = "get",
        operation_id = "list_events"
    )]
    async fn list(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The space's id.
        space_id: Path<SpaceId>,
        /// An event id of this space: only events after it are returned (404 if unknown,
        /// 400 if not a UUID).
        since: Query<Option<String>>,
        /// Maximum number of events, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<i64>>,
    ) -> Result<JsonStream<Vec<Event>>, ApiError> {
        let since = Since::parse(since.0.as_deref());
        let caller = auth.principal();
        let limit = limit.unwrap_or(50);
        let tx = tenant_tx(&state, caller).await?;
        let db = &tx;
        // One round trip: the page is read after the cursor's event by a subquery, while the
        // space and the cursor are checked beside it (the page is dropped if either fails).
        // The page is bounded in bytes too; what does not fit follows in further pages.
        let mut size = PageSize::new(limit, state.memory.read_page_bytes);
        let page = event_pages::after_event(db, &space_id, since.event_id(), &mut size);
        // Joined, not try-joined: the error to report is the one that explains the failure.
        let (checked, page) = tokio::join!(since.check(&tx, &space_id), page);
        let (checked, page) = pipeline::both(checked, page)?;
        checked?;
        tx.end_read();
        let returned = page.events.len() as i64;
        let rest = match page.events.last() {
            Some(last) if page.more && returned < limit => Some(
                EventPager::new(
                    state.db.pool.clone(),
                    caller.schema.clone(),
                    space_id.0.into_string(),
                    Scope::All,
                    i64::MAX,
                    limit - returned,
                    size,
                )
                .after(last.seq),
            ),
            _ => None,
        };
        let mut first = true;
        let mut head = b"[".to_vec();
        head.extend_from_slice(&event_elements(page.events, &mut first));
        let Some(rest) = rest else {
            // The usual case: the whole list in one part.
            head.push(b']');
            return Ok(JsonStream::new(stream::iter([Ok(Bytes::from(head))])));
        };
        let parts = stream::iter([Ok(Bytes::from(head))])
            .chain(rest.elements(first))
            .chain(stream::once(async { Ok(Bytes::from_static(b"]")) }));
        Ok(JsonStream::new(parts))
    }

    /// Get an event
    ///
    /// One event of the space. 404 when the space or the event is unknown, or the id is not
    /// a UUID.
    #[oai(
        path = "/api/spaces/:space_id/events/:event_id",
        method = "get",
        operation_id = "get_event"
    )]
    async fn get(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The space's id.
        space_id: Path<SpaceId>,
        /// The event's id (a UUID; anything else is a 404).
        event_id: Path<EventId>,
    ) -> Result<JsonText<Event>, ApiError> {
        let id = event_id.get();
        let tx = tenant_tx(&state, auth.principal()).await?;
        let Some(event) = events::get(&tx, &space_id, id).await? else {
            return Err(missing_from_space(&tx, &space_id, event_not_found()).await?);
        };
        tx.end_read();
        Ok(JsonText::new(event.json))
    }

    /// Get the transcript
    ///
    /// Events stored between `start` and `end` (inclusive; ISO 8601, each optional), in
    /// sequence order, at most 1000 per request: page on with a later `start`, or with
    /// `since` on the events list.
    #[oai(
        path = "/api/spaces/:space_id/transcript",
        method = "get",
        operation_id = "get_transcript"
    )]
    async fn transcript(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The space's id.
        space_id: Path<SpaceId>,
        /// ISO 8601 start time, e.g. `2026-04-07T10:00:00Z` (UTC when it has no offset).
        start: Query<Option<IsoTimestamp>>,
        /// ISO 8601 end time (UTC when it has no offset); not before `start`.
        end: Query<Option<IsoTimestamp>>,
        /// Maximum number of events, 1–1000 (default 1000).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        limit: Query<Option<i64>>,
    ) -> Result<JsonStream<Vec<Event>>, ApiError> {
        if let (Some(s), Some(e)) = (start.0, end.0)
            && s > e
        {
            return Err(ApiError::bad_request("start must not be after end"));
        }
        let caller = auth.principal();
        let tx = tenant_tx(&state, caller).await?;
        let through = spaces::last_seq(&tx, &space_id)
            .await?
            .ok_or_else(space_not_found)?;
        let mut pager = EventPager::new(
            state.db.pool.clone(),
            caller.schema.clone(),
            space_id.0.into_string(),
            Scope::Between(start.0.map(IsoTimestamp::get), end.0.map(IsoTimestamp::get)),
            through,
            limit.unwrap_or(1000),
            PageSize::new(PAGE_ROWS, state.memory.read_page_bytes),
        );
        let events = pager.next_in(&tx).await?;
        tx.end_read();
        let mut first = true;
        let head = event_elements(events, &mut first);
        let parts = stream::iter([Ok(Bytes::from_static(b"[")), Ok(head)])
            .chain(pager.elements(first))
            .chain(stream::once(async { Ok(Bytes::from_static(b"]")) }));
        Ok(JsonStream::new(parts))
    }
}

/// The sequence number after which to read: 0 without a cursor. Also checks that the space
/// exists, so an empty page always means an empty result.
pub(super) async fn cursor(
    tx: &TenantTx,
    space_id: &str,
    since: Option<&str>,
) -> Result<i64, ApiError> {
    Since::parse(since).check(tx, space_id).await?
}

/// A `since` query parameter: none, an event id, or not a UUID (a 400, but only once the
/// space is known to exist, so a missing space is always a 404).
pub(super) struct Since(Option<Result<Uuid, ()>>);

impl Since {
    pub(super) fn parse(since: Option<&str>) -> Since {
        // An empty cursor (`?since=`) means none, as clients building URLs often send it.
        Since(
            since
                .filter(|s| !s.trim().is_empty())
                .map(|s| Uuid::parse_str(s).map_err(|_| ())),
        )
    }

    /// The cursor's event id, when it is one.
    pub(super) fn event_id(&self) -> Option<Uuid> {
        self.0.and_then(Result::ok)
    }

    /// Check the space and the cursor in one round trip; the outer error is the database's,
    /// the inner one the request's: the cursor's sequence number (0 without one), or 404 for
    /// a missing space or cursor event, 400 for a malformed cursor.
    pub(super) async fn check(
        &self,
        tx: &TenantTx,
        space_id: &str,
    ) -> Result<Result<i64, ApiError>, tokio_postgres::Error> {
        let db = &tx;
        let (space, seq) = tokio::join!(spaces::state(db, space_id), async {
            match self.event_id() {
                Some(id) => events::seq_of(db, space_id, id).await.map(Some),
                None => Ok(None),
            }
        });
        let (space, seq) = pipeline::both(space, seq)?;
        Ok(match (space, self.0) {
            (None, _) => Err(space_not_found()),
            (Some(_), None) => Ok(0),
            (Some(_), Some(Err(()))) => {
                Err(ApiError::bad_request("since must be an event id (a UUID)"))
            }
            (Some(_), Some(Ok(_))) => seq.flatten().ok_or_else(event_not_found),
        })
    }
}
