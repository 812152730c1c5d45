//! The events of a space read page after page for a streamed response (see
//! [`super::json_stream`]): each page bounded in bytes, each in a short transaction of its
//! own, all of them within a sequence range fixed when the response starts, so a space that
//! keeps growing neither changes nor prolongs the document.

use crate::db::Pool;
use bytes::Bytes;
use futures::{Stream, stream};

use super::json_stream::event_elements;
use crate::{
    error::ApiError,
    store::{
        event_json::EventJson,
        event_pages::{self, PageSize, Scope},
    },
    tenancy::{SchemaName, TenantTx},
};

/// Most events in one page of a streamed response (pages are bounded in bytes as well).
pub const PAGE_ROWS: i64 = 500;

pub struct EventPager {
    pool: Pool,
    schema: SchemaName,
    space_id: String,
    scope: Scope,
    /// The last sequence number read so far.
    after: i64,
    /// The last sequence number the document covers.
    through: i64,
    /// Events still wanted (the caller's own limit).
    left: i64,
    size: PageSize,
    done: bool,
}

impl EventPager {
    /// Events of `scope` in `space_id` with a sequence up to `through`, at most `limit`.
    pub fn new(
        pool: Pool,
        schema: SchemaName,
        space_id: String,
        scope: Scope,
        through: i64,
        limit: i64,
        size: PageSize,
    ) -> EventPager {
        EventPager {
            pool,
            schema,
            space_id,
            scope,
            after: 0,
            through,
            left: limit,
            size,
            done: limit <= 0,
        }
    }

    /// Continue after the event with sequence number `seq`.
    pub fn after(mut self, seq: i64) -> EventPager {
        self.after = seq;
        self
    }

    /// The next page, read in `tx`; empty once every event is read.
    pub async fn next_in(&mut self, tx: &TenantTx) -> Result<Vec<EventJson>, ApiError> {
        if self.done {
            return Ok(Vec::new());
        }
        self.size.at_most(self.left);
        let page = event_pages::after(
            tx,
            &self.space_id,
            self.scope,
            self.after,
            self.through,
            &mut self.size,
        )
        .await?;
        self.left -= page.events.len() as i64;
        self.done = !page.more || self.left <= 0;
        if let Some(last) = page.events.last() {
            self.after = last.seq;
        }
        Ok(page.events)
    }

    /// The remaining pages as elements of a JSON array (`first`: none was written yet), each
    /// read in its own transaction once the previous one has been taken.
    pub fn elements(self, first: bool) -> impl Stream<Item = Result<Bytes, ApiError>> {
        stream::try_unfold((self, first), |(mut pager, mut first)| async move {
            if pager.done {
                return Ok(None);
            }
            let tx = TenantTx::begin(&pager.pool, &pager.schema).await?;
            let events = pager.next_in(&tx).await?;
            tx.end_read();
            let part = event_elements(events, &mut first);
            Ok(Some((part, (pager, first))))
        })
    }
}
