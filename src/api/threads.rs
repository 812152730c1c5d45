//! Threads: side conversations hanging off one event of a space.

use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::{StreamExt, stream};
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Path, payload::Json};
use serde::Serialize;
use uuid::Uuid;

use super::{
    ApiTags,
    event_pager::{EventPager, PAGE_ROWS},
    event_write::{event_not_found, missing_from_space, thread_not_found},
    json_stream::{JsonStream, event_elements, json},
    tenant_tx,
};
use crate::store::event_json::{Event, rfc3339};
use crate::{
    api::AppState,
    auth::ApiKeyAuth,
    db::pipeline,
    domain::{SpaceId, Str, ThreadId, ThreadSubject},
    error::{ApiError, space_not_active, space_not_found},
    store::{
        event_pages::{PageSize, Scope},
        events, spaces, threads,
        threads::ThreadRow,
    },
};

#[derive(Object)]
pub struct NewThread {
    /// The event of this space the thread hangs off (404 if unknown).
    parent_event_id: Str,
    /// At most 200 characters.
    #[oai(nullable)]
    subject: Option<ThreadSubject>,
}

#[derive(Object, Serialize)]
pub struct Thread {
    /// The thread's id.
    thread_id: Uuid,
    /// The space the thread belongs to.
    space_id: String,
    /// The event the thread hangs off.
    parent_event_id: Uuid,
    /// The thread's subject; `null` when not set.
    #[oai(nullable)]
    subject: Option<String>,
    /// When the thread was created.
    #[serde(serialize_with = "rfc3339")]
    created_at: DateTime<Utc>,
}

impl From<ThreadRow> for Thread {
    fn from(t: ThreadRow) -> Self {
        Thread {
            thread_id: t.thread_id,
            space_id: t.space_id,
            parent_event_id: t.parent_event_id,
            subject: t.subject,
            created_at: t.created_at,
        }
    }
}

// The schema of `get_thread`'s response, which is written page by page (see json_stream.rs)
// rather than built. (A doc comment here would land in the spec.)
#[derive(Object)]
pub struct ThreadWithEvents {
    /// The thread.
    thread: Thread,
    /// The parent event first, then the events posted into the thread, in sequence order.
    events: Vec<Event>,
}

pub struct ThreadsApi;

#[OpenApi(tag = "ApiTags::Threads")]
impl ThreadsApi {
    /// Create a thread
    ///
    /// An event has at most one thread: creating it again returns the existing thread (also
    /// once the space is no longer active). Otherwise 409 if the space is not active.
    #[oai(
        path = "/api/spaces/:space_id/threads",
        method = "post",
        operation_id = "create_thread"
    )]
    async fn create(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The space's id.
        space_id: Path<SpaceId>,
        body: Json<NewThread>,
    ) -> Result<Json<Thread>, ApiError> {
        let caller = auth.principal();
        let subject = body.0.subject.map(ThreadSubject::into_string);
        let tx = tenant_tx(&state, caller).await?;
        // Locked until commit, so no archive lands between the check and the insert; a
        // thread that already exists is still answered in a space no longer active.
        let active = spaces::lock(&tx, &space_id)
            .await?
            .ok_or_else(space_not_found)?;
        let parent =
            Uuid::parse_str(body.0.parent_event_id.trim()).map_err(|_| event_not_found())?;
        if let Some(existing) = threads::find(&tx, &space_id, parent).await?
            && existing.parent_event_id == parent
        {
            tx.commit().await?;
            return Ok(Json(existing.into()));
        }
        if !active {
            return Err(space_not_active());
        }
        let thread_id = Uuid::now_v7();
        let inserted = threads::insert(
            &tx,
            &space_id,
            thread_id,
            parent,
            subject.as_deref(),
            caller.actor_id,
        )
        .await?;
        let thread = match inserted {
            Some(t) => t,
            // Another request created it first, or the parent is not an event of the space.
            None => threads::find(&tx, &space_id, parent)
                .await?
                .filter(|t| t.parent_event_id == parent)
                .ok_or_else(event_not_found)?,
        };
        tx.commit().await?;
        Ok(Json(thread.into()))
    }

    /// Get a thread and its events
    ///
    /// `event_id` is the thread id or the id of its parent event.
    #[oai(
        path = "/api/spaces/:space_id/threads/:event_id",
        method = "get",
        operation_id = "get_thread"
    )]
    async fn get(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The space's id.
        space_id: Path<SpaceId>,
        /// The thread's id or its parent event's id (a UUID; anything else is a 404).
        event_id: Path<ThreadId>,
    ) -> Result<JsonStream<ThreadWithEvents>, ApiError> {
        let id = event_id.get();
        let caller = auth.principal();
        let tx = tenant_tx(&state, caller).await?;
        let Some(thread) = threads::find(&tx, &space_id, id).await? else {
            return Err(missing_from_space(&tx, &space_id, thread_not_found()).await?);
        };
        let (parent, through) = tokio::join!(
            events::get(&tx, &space_id, thread.parent_event_id),
            spaces::last_seq(&tx, &space_id)
        );
        let (parent, through) = pipeline::both(parent, through)?;
        let mut pager = EventPager::new(
            state.db.pool.clone(),
            caller.schema.clone(),
            space_id.0.into_string(),
            Scope::Thread(thread.thread_id),
            through.unwrap_or(0),
            i64::MAX,
            PageSize::new(PAGE_ROWS, state.memory.read_page_bytes),
        );
        let events = pager.next_in(&tx).await?;
        tx.end_read();
        // The parent event first, then the thread's events in sequence order.
        let mut first = true;
        let parent = event_elements(parent.into_iter().collect(), &mut first);
        let head = format!(r#"{{"thread":{},"events":["#, json(&Thread::from(thread)));
        let parts = stream::iter([
            Ok(Bytes::from(head)),
            Ok(parent),
            Ok(event_elements(events, &mut first)),
        ])
        .chain(pager.elements(first))
        .chain(stream::once(async { Ok(Bytes::from_static(b"]}")) }));
        Ok(JsonStream::new(parts))
    }
}
