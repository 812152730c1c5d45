//! `GET /api/spaces/{space_id}/events/stream`: Server-Sent Events.

use std::sync::Arc;

use futures::{StreamExt, stream::BoxStream};
use poem::web::{Data, sse};
use poem_openapi::{
    OpenApi,
    param::{Header, Path, Query},
    payload::EventStream,
};
use uuid::Uuid;

use super::{ApiTags, space_not_found, tenant_tx};
use crate::{
    app::AppState,
    auth::ApiKeyAuth,
    error::ApiError,
    realtime::{SharedEvent, SpaceKey, subscription},
    store::{events, spaces},
};

pub struct StreamApi;

#[OpenApi(tag = "ApiTags::Events")]
impl StreamApi {
    /// Stream events (SSE)
    ///
    /// Server-Sent Events: each event arrives as `event: context_event`, `id: <event_id>`,
    /// `data: <the event object>`. Resume after an event with the `Last-Event-ID` header
    /// (browsers send it on reconnect) or `?since=<event_id>`; with neither, the space is
    /// replayed from its first event, then the stream follows new events live. Each event is
    /// delivered exactly once, in order. Keep-alive comments are sent while idle. Browsers
    /// authenticate with `?token=`.
    #[oai(
        path = "/api/spaces/:space_id/events/stream",
        method = "get",
        operation_id = "stream_events"
    )]
    async fn stream(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        space_id: Path<String>,
        /// Resume after this event id.
        since: Query<Option<String>>,
        /// Resume after this event id (takes precedence over `since`).
        #[oai(name = "Last-Event-ID")]
        last_event_id: Header<Option<String>>,
    ) -> Result<EventStream<BoxStream<'static, SharedEvent>>, ApiError> {
        let caller = auth.principal();
        let cursor = last_event_id.0.or(since.0).filter(|c| !c.trim().is_empty());
        let tx = tenant_tx(&state, caller).await?;
        spaces::state(tx.client(), &space_id)
            .await?
            .ok_or_else(space_not_found)?;
        let after = match cursor {
            None => 0,
            Some(cursor) => {
                let id = Uuid::parse_str(cursor.trim()).map_err(|_| {
                    ApiError::bad_request("since / Last-Event-ID must be an event id")
                })?;
                events::seq_of(tx.client(), &space_id, id)
                    .await?
                    .ok_or_else(|| ApiError::not_found("Event not found"))?
            }
        };
        tx.commit().await?;
        let space = SpaceKey {
            schema: caller.schema.clone(),
            space_id: space_id.0,
        };
        let stream = subscription::events(state.hub.clone(), space, after).boxed();
        Ok(EventStream::new(stream)
            .keep_alive(state.sse_keepalive)
            .to_event(|e| {
                sse::Event::message(e.json.to_string())
                    .event_type("context_event")
                    .id(e.event_id.to_string())
            }))
    }
}
