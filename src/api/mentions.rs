//! `GET /api/spaces/{space_id}/mentions/{participant_id}`.
//!
//! Up to 100 events of up to ~250 KB each: the matching sequence numbers are read first, then
//! the events in pages bounded in bytes, written as they are read (see
//! [`super::json_stream`]), each page after the first in a short transaction of its own.

use std::sync::Arc;

use crate::db::Pool;
use bytes::Bytes;
use futures::{StreamExt, stream};
use poem::web::Data;
use poem_openapi::{
    OpenApi,
    param::{Path, Query},
};

use super::{
    ApiTags,
    events::cursor,
    json_stream::{JsonStream, event_elements},
    tenant_tx,
};
use crate::store::event_json::Event;
use crate::{
    api::AppState,
    auth::ApiKeyAuth,
    domain::{ParticipantId, SpaceId},
    error::ApiError,
    store::{
        event_json::EventJson,
        event_pages::{self, PageSize},
        events,
    },
    tenancy::{SchemaName, TenantTx},
};

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
        space_id: Path<SpaceId>,
        /// The participant's id (an actor id).
        participant_id: Path<ParticipantId>,
        /// An event id of this space: only events after it are returned (404 if unknown,
        /// 400 if not a UUID).
        since: Query<Option<String>>,
        /// Maximum number of events, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<i64>>,
    ) -> Result<JsonStream<Vec<Event>>, ApiError> {
        let caller = auth.principal();
        let tx = tenant_tx(&state, caller).await?;
        let after = cursor(&tx, &space_id, since.0.as_deref()).await?;
        let seqs =
            events::mentioning(&tx, &space_id, &participant_id, after, limit.unwrap_or(20)).await?;
        let mut pages = SeqPages {
            pool: state.db.pool.clone(),
            schema: caller.schema.clone(),
            space_id: space_id.0.into_string(),
            size: PageSize::new(seqs.len() as i64, state.memory.read_page_bytes),
            seqs,
        };
        let events = pages.next_in(&tx).await?;
        tx.end_read();
        let mut first = true;
        let mut head = b"[".to_vec();
        head.extend_from_slice(&event_elements(events, &mut first));
        if pages.seqs.is_empty() {
            // The usual case: the whole list in one part.
            head.push(b']');
            return Ok(JsonStream::new(stream::iter([Ok(Bytes::from(head))])));
        }
        let parts = stream::iter([Ok(Bytes::from(head))])
            .chain(pages.elements(first))
            .chain(stream::once(async { Ok(Bytes::from_static(b"]")) }));
        Ok(JsonStream::new(parts))
    }
}

/// The events with given sequence numbers, read in pages bounded in bytes.
struct SeqPages {
    pool: Pool,
    schema: SchemaName,
    space_id: String,
    /// What is still to be read, in order.
    seqs: Vec<i64>,
    size: PageSize,
}

impl SeqPages {
    async fn next_in(&mut self, tx: &TenantTx) -> Result<Vec<EventJson>, ApiError> {
        if self.seqs.is_empty() {
            return Ok(Vec::new());
        }
        let page = event_pages::of_seqs(tx, &self.space_id, &self.seqs, &mut self.size).await?;
        // Continue after the last event read (an event that vanished meanwhile is skipped,
        // never read twice or waited for).
        let read = page.events.last().map_or(self.seqs.len(), |last| {
            self.seqs
                .iter()
                .position(|&seq| seq == last.seq)
                .map_or(self.seqs.len(), |at| at + 1)
        });
        self.seqs.drain(..read);
        Ok(page.events)
    }

    fn elements(self, first: bool) -> impl futures::Stream<Item = Result<Bytes, ApiError>> {
        stream::try_unfold((self, first), |(mut pages, mut first)| async move {
            if pages.seqs.is_empty() {
                return Ok(None);
            }
            let tx = TenantTx::begin(&pages.pool, &pages.schema).await?;
            let events = pages.next_in(&tx).await?;
            tx.end_read();
            let part = event_elements(events, &mut first);
            Ok(Some((part, (pages, first))))
        })
    }
}
