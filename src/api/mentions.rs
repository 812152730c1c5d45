//! `GET /api/spaces/{space_id}/mentions/{participant_id}`.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::{
    OpenApi,
    param::{Path, Query},
};

use super::{ApiTags, event::Event, events::cursor, json_body::JsonBody, tenant_tx};
use crate::{app::AppState, auth::ApiKeyAuth, error::ApiError, store::events};

pub struct MentionsApi;

#[OpenApi(tag = "ApiTags::Mentions")]
impl MentionsApi {
    /// Get events mentioning a participant
    ///
    /// Events whose `metadata.mentions` lists `participant_id`, in sequence order.
    #[oai(
        path = "/api/spaces/:space_id/mentions/:participant_id",
        method = "get",
        operation_id = "list_mentions"
    )]
    async fn list(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The space's id.
        space_id: Path<String>,
        /// The participant's id (an actor id).
        participant_id: Path<String>,
        /// An event id of this space: only events after it are returned (404 if unknown,
        /// 400 if not a UUID).
        since: Query<Option<String>>,
        /// Maximum number of events, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<i64>>,
    ) -> Result<JsonBody<Vec<Event>>, ApiError> {
        let tx = tenant_tx(&state, auth.principal()).await?;
        let after = cursor(&tx, &space_id, since.0.as_deref()).await?;
        let rows = events::mentioning(
            tx.client(),
            &space_id,
            &participant_id,
            after,
            limit.unwrap_or(20),
        )
        .await?;
        tx.end_read();
        Ok(JsonBody(rows.into_iter().map(Event::from).collect()))
    }
}
