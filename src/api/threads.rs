//! Threads: side conversations hanging off one event of a space.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use super::{
    ApiTags,
    event::Event,
    event_write::{event_not_found, inactive_or_missing, missing_from_space, thread_not_found},
    space_not_found, tenant_tx,
};
use crate::{
    app::AppState,
    auth::ApiKeyAuth,
    domain::{Str, bounded_text},
    error::ApiError,
    store::{events, spaces, threads, threads::ThreadRow},
};

const MAX_SUBJECT_CHARS: usize = 200;

#[derive(Object)]
pub struct NewThread {
    /// The event of this space the thread hangs off (404 if unknown).
    parent_event_id: Str,
    /// At most 200 characters.
    #[oai(
        nullable,
        validator(
            min_length = 1,
            max_length = 200,
            pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
        )
    )]
    subject: Option<Str>,
}

#[derive(Object)]
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
        space_id: Path<String>,
        body: Json<NewThread>,
    ) -> Result<Json<Thread>, ApiError> {
        let caller = auth.principal();
        let subject = body
            .0
            .subject
            .map(|s| bounded_text("subject", &s, MAX_SUBJECT_CHARS))
            .transpose()
            .map_err(ApiError::bad_request)?;
        let tx = tenant_tx(&state, caller).await?;
        let status = spaces::state(tx.client(), &space_id)
            .await?
            .ok_or_else(space_not_found)?;
        let parent =
            Uuid::parse_str(body.0.parent_event_id.trim()).map_err(|_| event_not_found())?;
        if let Some(existing) = threads::find(tx.client(), &space_id, parent).await?
            && existing.parent_event_id == parent
        {
            tx.commit().await?;
            return Ok(Json(existing.into()));
        }
        if status != "active" {
            return Err(inactive_or_missing(&tx, &space_id).await?);
        }
        let thread_id = Uuid::now_v7();
        let inserted = threads::insert(
            tx.client(),
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
            None => threads::find(tx.client(), &space_id, parent)
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
        space_id: Path<String>,
        /// The thread's id or its parent event's id (a UUID; anything else is a 404).
        event_id: Path<String>,
    ) -> Result<Json<ThreadWithEvents>, ApiError> {
        let id = Uuid::parse_str(&event_id).map_err(|_| thread_not_found())?;
        let tx = tenant_tx(&state, auth.principal()).await?;
        let Some(thread) = threads::find(tx.client(), &space_id, id).await? else {
            return Err(missing_from_space(&tx, &space_id, thread_not_found()).await?);
        };
        let rows = events::of_thread(
            tx.client(),
            &space_id,
            thread.parent_event_id,
            thread.thread_id,
        )
        .await?;
        tx.end_read();
        Ok(Json(ThreadWithEvents {
            thread: thread.into(),
            events: rows.into_iter().map(Event::from).collect(),
        }))
    }
}
