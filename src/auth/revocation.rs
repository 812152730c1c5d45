//! Ending a long-lived stream when its credential stops standing: key revoked or rotated,
//! actor deleted or moved, tenant suspended.
//!
//! A stream re-checks its credential against the database whenever an invalidation concerns
//! it. A re-check the database cannot answer (an outage, a statement timeout, a cancelled
//! query) must not close the stream — an outage would then end every stream at once — but it
//! must not count as "still valid" either: the invalidation that asked may have been a
//! revocation, and no second notice is coming (on another replica it was committed and
//! broadcast while this one could not read it). So the question stays open and is asked again,
//! with doubling, jittered waits (a recovered database is not hit by every stream in the same
//! instant), until the database answers; a "no" then ends the stream.

use std::time::Duration;

use rand::RngExt;
use tokio::sync::broadcast::{self, error::RecvError};

use super::{Authenticator, Principal, cache::Invalidation};
use crate::config::StreamRecheckConfig;

/// The first wait before re-asking.
fn first(retry: &StreamRecheckConfig) -> Duration {
    Duration::from_millis(retry.stream_recheck_retry_ms.max(1))
}

/// The wait after `wait`: doubled, up to the configured longest.
fn after(retry: &StreamRecheckConfig, wait: Duration) -> Duration {
    (wait * 2).min(Duration::from_millis(retry.stream_recheck_retry_max_ms).max(first(retry)))
}

/// A wait between half of `wait` and all of it.
fn jittered(wait: Duration) -> Duration {
    let millis = wait.as_millis().max(1) as u64;
    Duration::from_millis(rand::rng().random_range(millis / 2..=millis))
}

/// Resolves when `principal`'s credential no longer stands as it did when the stream opened.
/// `invalidations` must be subscribed before the stream's own subscription, so none between
/// authentication and now is missed: the first check covers them.
pub async fn until_revoked(
    auth: &Authenticator,
    principal: &Principal,
    mut invalidations: broadcast::Receiver<Invalidation>,
    retry: StreamRecheckConfig,
) {
    let mut owed = true;
    let mut wait = first(&retry);
    loop {
        if owed {
            // Boxed: its database state would otherwise sit in every idle stream.
            match Box::pin(auth.still_valid(principal)).await {
                Ok(true) => {
                    owed = false;
                    wait = first(&retry);
                }
                Ok(false) => return,
                Err(_) => {}
            }
        }
        let received = if owed {
            tokio::select! {
                received = invalidations.recv() => received,
                _ = tokio::time::sleep(jittered(wait)) => {
                    wait = after(&retry, wait);
                    continue;
                }
            }
        } else {
            invalidations.recv().await
        };
        match received {
            Ok(Invalidation::Actor(id)) if id != principal.actor_id => {}
            Ok(Invalidation::Tenant(id)) if Some(id) != principal.tenant_id => {}
            // The authenticator is gone (shutting down): nothing will tell us any more.
            Err(RecvError::Closed) => return std::future::pending().await,
            // About us, everyone, or we lagged and may have missed one about us.
            _ => owed = true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_maximum_with_jitter() {
        let retry = StreamRecheckConfig {
            stream_recheck_retry_ms: 100,
            stream_recheck_retry_max_ms: 350,
        };
        let waits: Vec<_> = std::iter::successors(Some(first(&retry)), |w| Some(after(&retry, *w)))
            .take(5)
            .map(|w| w.as_millis())
            .collect();
        assert_eq!(waits, [100, 200, 350, 350, 350]);
        for _ in 0..100 {
            let j = jittered(Duration::from_millis(100)).as_millis();
            assert!((50..=100).contains(&j), "{j}");
        }
        // A zero setting cannot make a busy loop.
        let zero = StreamRecheckConfig {
            stream_recheck_retry_ms: 0,
            stream_recheck_retry_max_ms: 0,
        };
        assert_eq!(after(&zero, first(&zero)), Duration::from_millis(1));
    }
}
