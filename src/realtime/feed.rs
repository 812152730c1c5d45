//! One task per watched space on this replica: read what is new, broadcast it.

use std::{sync::Arc, time::Duration};

use super::{Batch, Feed, Hub, SpaceKey};
use crate::realtime::subscription::fetch_after;

/// The safety net: a lost hint delays delivery by at most this much.
const RECHECK: Duration = Duration::from_secs(1);
const FETCH_LIMIT: i64 = 500;

pub(super) async fn run(hub: Arc<Hub>, space: SpaceKey, feed: Arc<Feed>, start: i64) {
    let mut shutdown = hub.shutdown();
    let mut last_seq = start;
    loop {
        tokio::select! {
            _ = feed.wake.notified() => {}
            _ = tokio::time::sleep(RECHECK) => {}
            _ = shutdown.changed() => return,
        }
        if feed.tx.receiver_count() == 0 && hub.retire(&space) {
            return;
        }
        // Drain everything new; one query per wake-up unless there is more than a page.
        loop {
            let events = match fetch_after(&hub, &space, last_seq, FETCH_LIMIT).await {
                Ok(events) => events,
                Err(err) => {
                    tracing::warn!(space = %space.space_id, "feed read failed: {err:?}");
                    break;
                }
            };
            let full = events.len() as i64 == FETCH_LIMIT;
            if let Some(last) = events.last() {
                last_seq = last.seq;
                let batch: Batch = Arc::new(events);
                // No receivers is fine: they come and go.
                let _ = feed.tx.send(batch);
            }
            if !full {
                break;
            }
        }
    }
}

pub(super) async fn current_seq(
    hub: &Hub,
    space: &SpaceKey,
) -> Result<i64, crate::error::ApiError> {
    let tx = crate::tenancy::TenantTx::begin(&hub.db.pool, &space.schema).await?;
    let seq = crate::store::spaces::last_seq(tx.client(), &space.space_id).await?;
    tx.commit().await?;
    Ok(seq.unwrap_or(0))
}
