//! `GET /api/spaces/{space_id}/events/stream`: Server-Sent Events.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use poem::{Request, web::Data};
use poem_openapi::{
    Object, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
};

use super::{
    ApiTags,
    sse::{EventMessages, Handoff},
    tenant_tx,
};
use crate::{
    api::AppState,
    auth::{ApiKeyAuth, revocation},
    domain::SpaceId,
    error::ApiError,
    realtime::subscription,
    store::spaces,
    tenancy::SpaceKey,
};

/// A short-lived token for one space's event stream.
#[derive(Object)]
pub struct StreamToken {
    /// Pass as `?token=` to `GET /api/spaces/{space_id}/events/stream`; valid for no other
    /// request.
    token: String,
    /// The only space whose stream the token opens.
    space_id: String,
    /// When the token stops working.
    expires_at: DateTime<Utc>,
}

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
        req: &Request,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The space's id.
        space_id: Path<SpaceId>,
        /// Resume after this event id.
        since: Query<Option<String>>,
        /// Resume after this event id (takes precedence over `since`).
        #[oai(name = "Last-Event-ID")]
        last_event_id: Header<Option<String>>,
    ) -> Result<EventMessages, ApiError> {
        let caller = auth.principal();
        let slot = state
            .stream_limiter
            .try_acquire(caller.actor_id)
            .ok_or_else(|| {
                ApiError::too_many_requests(format!(
                    "Too many open event streams for this actor (limit {})",
                    state.stream_limiter.max()
                ))
            })?;
        let cursor = last_event_id.0.or(since.0).filter(|c| !c.trim().is_empty());
        let tx = tenant_tx(&state, caller).await?;
        let after = super::events::cursor(&tx, &space_id, cursor.as_deref().map(str::trim)).await?;
        tx.end_read();
        let space = SpaceKey {
            schema: caller.schema.clone(),
            space_id: space_id.0.into_string(),
        };
        // Subscribe now, not when the stream is first polled (after its replay): an
        // invalidation in between would otherwise be missed and the stream never closed.
        let invalidations = state.auth.cache.invalidations();
        let stop = {
            let (state, caller) = (state.0.clone(), caller.clone());
            async move {
                revocation::until_revoked(&state.auth, &caller, invalidations, state.stream_recheck)
                    .await
            }
        };
        let stream = subscription::events(state.hub.clone(), space, after, stop)
            // The slot lives as long as the stream.
            .map(move |event| {
                let _ = &slot;
                event
            })
            .boxed();
        Ok(EventMessages {
            events: stream,
            keep_alive: state.sse_keepalive,
            handoff: Handoff::of(req, &state.connections),
        })
    }

    /// Create a stream token
    ///
    /// A signed token valid only for this space's event stream, for a short time (5 minutes
    /// by default), so browsers need not put a long-lived API key in a URL. Revoking the key
    /// that created it revokes the token.
    #[oai(
        path = "/api/spaces/:space_id/stream-token",
        method = "post",
        operation_id = "create_stream_token"
    )]
    async fn stream_token(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The space's id.
        space_id: Path<SpaceId>,
    ) -> Result<Json<StreamToken>, ApiError> {
        let caller = auth.principal();
        let tx = tenant_tx(&state, caller).await?;
        spaces::require(&tx, &space_id).await?;
        tx.commit().await?;
        let (token, expires_at) = state.auth.stream_tokens.mint(caller, &space_id);
        Ok(Json(StreamToken {
            token,
            space_id: space_id.0.into_string(),
            expires_at,
        }))
    }
}
