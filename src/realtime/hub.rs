//! The hub of one replica: a feed per watched space, and the task per feed that reads what
//! is new and broadcasts it.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::sync::{Notify, broadcast, watch};
use uuid::Uuid;

use super::{Batch, SharedEvent};
use crate::{
    db::Db,
    error::ApiError,
    store::event_pages::{self, PageSize, Scope},
    tenancy::{SpaceKey, TenantTx},
};

/// Batches buffered per space for subscribers; one that falls further behind reads from the
/// database instead.
pub(super) const BROADCAST_CAPACITY: usize = 64;

pub(super) struct Feed {
    pub(super) tx: broadcast::Sender<Arc<Batch>>,
    pub(super) wake: Notify,
}

pub struct Hub {
    pub(super) db: Db,
    /// Most bytes of events one stream's replay page holds.
    pub(super) read_page_bytes: usize,
    /// Most bytes of events one broadcast batch shares.
    pub(super) shared_batch_bytes: usize,
    pub(super) replica_id: Uuid,
    pub(super) feeds: Mutex<HashMap<SpaceKey, Arc<Feed>>>,
    pub(super) outbox: Mutex<HashSet<SpaceKey>>,
    pub(super) outbox_ready: Notify,
    pub(super) shutdown: watch::Receiver<bool>,
}

impl Hub {
    /// Call after a transaction that appended events to `space` has committed: wakes this
    /// replica's subscribers now and the other replicas' within a few milliseconds.
    pub fn appended(&self, space: &SpaceKey) {
        self.wake(space);
        self.outbox.lock().unwrap().insert(space.clone());
        self.outbox_ready.notify_one();
    }

    /// Receive the batches of `space` from now on. Everything committed before this returns
    /// is in the database for the caller's replay; everything after it is broadcast.
    pub async fn subscribe(
        self: &Arc<Self>,
        space: &SpaceKey,
    ) -> Result<broadcast::Receiver<Arc<Batch>>, crate::error::ApiError> {
        if let Some(feed) = self.feeds.lock().unwrap().get(space) {
            return Ok(feed.tx.subscribe());
        }
        // A new feed starts after the last event committed *now*, before any subscriber of
        // it replays: were it read later, an event committed in between would be neither
        // replayed nor broadcast.
        let start = current_seq(self, space).await?;
        let mut feeds = self.feeds.lock().unwrap();
        if let Some(feed) = feeds.get(space) {
            // Another subscriber created it meanwhile, also before our replay: use theirs.
            return Ok(feed.tx.subscribe());
        }
        let (tx, rx) = broadcast::channel(BROADCAST_CAPACITY);
        let feed = Arc::new(Feed {
            tx,
            wake: Notify::new(),
        });
        feeds.insert(space.clone(), feed.clone());
        tokio::spawn(run(self.clone(), space.clone(), feed, start));
        Ok(rx)
    }

    /// A signal that fires when the server shuts down.
    pub fn shutdown(&self) -> watch::Receiver<bool> {
        self.shutdown.clone()
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub(super) fn wake(&self, space: &SpaceKey) {
        if let Some(feed) = self.feeds.lock().unwrap().get(space) {
            feed.wake.notify_one();
        }
    }

    pub(super) fn wake_all(&self) {
        for feed in self.feeds.lock().unwrap().values() {
            feed.wake.notify_one();
        }
    }

    /// Forget a feed whose last subscriber left (checked under the lock, so a subscriber
    /// arriving meanwhile keeps it).
    fn retire(&self, space: &SpaceKey) -> bool {
        let mut feeds = self.feeds.lock().unwrap();
        match feeds.get(space) {
            Some(feed) if feed.tx.receiver_count() == 0 => {
                feeds.remove(space);
                true
            }
            _ => false,
        }
    }
}

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

/// The next page of events of `space` after sequence `after`, serialised once, and whether
/// more may follow.
pub(super) async fn fetch_page(
    hub: &Hub,
    space: &SpaceKey,
    after: i64,
    size: &mut PageSize,
) -> Result<(Vec<SharedEvent>, bool), ApiError> {
    let tx = TenantTx::begin(&hub.db.pool, &space.schema).await?;
    let page = event_pages::after(&tx, &space.space_id, Scope::All, after, i64::MAX, size).await?;
    tx.commit().await?;
    let events = page.events.into_iter().map(SharedEvent::new).collect();
    Ok((events, page.more))
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
