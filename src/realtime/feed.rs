//! One task per watched space on this replica: read what is new, broadcast it.

use std::{sync::Arc, time::Duration};

use super::{Batch, Feed, Hub, SharedEvent, SpaceKey};
use crate::{realtime::subscription::fetch_page, store::event_pages::PageSize};

/// The safety net: a lost hint delays delivery by at most this much.
const RECHECK: Duration = Duration::from_secs(1);
const FETCH_LIMIT: i64 = 500;

pub(super) async fn run(hub: Arc<Hub>, space: SpaceKey, feed: Arc<Feed>, start: i64) {
    let mut shutdown = hub.shutdown();
    let mut last_seq = start;
    let mut size = PageSize::new(FETCH_LIMIT, hub.shared_batch_bytes);
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
            let (events, more) = match fetch_page(&hub, &space, last_seq, &mut size).await {
                Ok(page) => page,
                Err(err) => {
                    tracing::warn!(space = %space.space_id, "feed read failed: {err:?}");
                    break;
                }
            };
            if let Some(last) = events.last() {
                last_seq = last.seq;
                let batch = shareable(events, size.max_bytes());
                // No receivers is fine: they come and go.
                let _ = feed.tx.send(Arc::new(batch));
            }
            if !more {
                break;
            }
        }
    }
}

/// `events` as a batch that shares the longest prefix within `budget` bytes.
fn shareable(mut events: Vec<SharedEvent>, budget: i64) -> Batch {
    let through = events.last().map_or(0, |e| e.seq);
    let mut used = 0;
    let fit = events
        .iter()
        .take_while(|e| {
            used += e.size() as i64;
            used <= budget
        })
        .count();
    events.truncate(fit);
    Batch { events, through }
}

pub(super) async fn current_seq(
    hub: &Hub,
    space: &SpaceKey,
) -> Result<i64, crate::error::ApiError> {
    let tx = crate::tenancy::TenantTx::begin(&hub.db.pool, &space.schema).await?;
    let seq = crate::store::spaces::last_seq(&tx, &space.space_id).await?;
    tx.commit().await?;
    Ok(seq.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_shares_only_what_fits_and_still_covers_the_rest() {
        let event = |seq, len| SharedEvent::framed(seq, &"x".repeat(len));
        let batch = shareable(vec![event(1, 100), event(2, 100), event(3, 1000)], 300);
        let seqs: Vec<i64> = batch.events.iter().map(|e| e.seq).collect();
        assert_eq!((seqs, batch.through), (vec![1, 2], 3));
        let batch = shareable(vec![event(4, 10_000)], 300);
        assert!(batch.events.is_empty());
        assert_eq!(batch.through, 4);
    }
}
