//! `last_used_at` of personal access tokens, kept current without a database write per
//! request: at most one write per token per [`WRITE_INTERVAL`], made by a spawned task so the
//! request never waits for it. Memory is bounded: only tokens used within the interval are
//! remembered.

use std::{sync::Arc, time::Duration};

use crate::db::Pool;
use moka::sync::Cache;
use tokio::sync::watch;
use uuid::Uuid;

use crate::{store::pats, tenancy::ControlConn};

pub const WRITE_INTERVAL: Duration = Duration::from_secs(60);

pub struct PatUsage {
    /// Tokens whose use was written within the interval.
    recent: Cache<Uuid, ()>,
    /// Counts finished writes; tests and observers can await changes.
    writes: watch::Sender<u64>,
}

impl PatUsage {
    pub fn new(interval: Duration) -> PatUsage {
        PatUsage {
            recent: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(interval)
                .build(),
            writes: watch::Sender::new(0),
        }
    }

    /// Whether a use of `pat_id` now should be written (the first within the interval).
    pub fn due(&self, pat_id: Uuid) -> bool {
        self.recent.entry(pat_id).or_insert(()).is_fresh()
    }

    /// Observe finished `last_used_at` writes.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.writes.subscribe()
    }

    /// Note a use of `pat_id`; writes it in the background when due.
    pub fn record(self: &Arc<Self>, pool: &Pool, pat_id: Uuid) {
        if !self.due(pat_id) {
            return;
        }
        let (usage, pool) = (self.clone(), pool.clone());
        tokio::spawn(async move {
            let written = match ControlConn::get(&pool).await {
                Ok(conn) => pats::touch(&conn, pat_id).await.is_ok(),
                Err(_) => false,
            };
            if !written {
                // Try again on the next use.
                usage.recent.invalidate(&pat_id);
                tracing::warn!(%pat_id, "could not record the use of a personal access token");
            }
            usage.writes.send_modify(|n| *n += 1);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_use_is_due_once_per_interval_and_token() {
        let usage = PatUsage::new(Duration::from_secs(60));
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        assert!(usage.due(a));
        assert!(!usage.due(a));
        assert!(usage.due(b));
        assert!(!usage.due(a) && !usage.due(b));
    }

    #[test]
    fn a_use_is_due_again_after_the_interval() {
        let usage = PatUsage::new(Duration::from_millis(1));
        let a = Uuid::new_v4();
        assert!(usage.due(a));
        std::thread::sleep(Duration::from_millis(5));
        assert!(usage.due(a));
    }
}
