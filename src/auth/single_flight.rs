//! One verification per token at a time. A client that opens with several requests at once
//! (a CLI starting up, a page loading) would otherwise verify the same token once per request,
//! and all but the first would count as a burst on its lookup part (see [`super::throttle`]).
//! Concurrent checks of one token queue for their turn; the first verifies, the others then
//! find its verdict in the caches.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use super::cache::TokenDigest;

/// Tokens being verified, each with the queue of checks waiting for it. Entries are removed
/// when their last holder leaves, so the map holds only tokens being checked right now.
#[derive(Default)]
pub struct Turns {
    tokens: Mutex<HashMap<TokenDigest, Arc<AsyncMutex<()>>>>,
}

/// The turn of one check of a token; the next check's begins when it is dropped.
pub struct Turn<'a> {
    turns: &'a Turns,
    digest: TokenDigest,
    _guard: OwnedMutexGuard<()>,
}

impl Turns {
    pub async fn take(&self, digest: TokenDigest) -> Turn<'_> {
        let queue = self
            .tokens
            .lock()
            .unwrap()
            .entry(digest)
            .or_default()
            .clone();
        Turn {
            turns: self,
            digest,
            _guard: queue.lock_owned().await,
        }
    }

    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.tokens.lock().unwrap().len()
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut tokens = self.turns.tokens.lock().unwrap();
        // Held by the map and by this turn's guard only: nobody is waiting.
        if tokens
            .get(&self.digest)
            .is_some_and(|queue| Arc::strong_count(queue) == 2)
        {
            tokens.remove(&self.digest);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn checks_of_one_token_take_turns_and_leave_nothing_behind() {
        let turns = Turns::default();
        let first = turns.take([1; 32]).await;
        // Another token is not held up.
        drop(turns.take([2; 32]).await);
        let second = turns.take([1; 32]);
        tokio::pin!(second);
        assert!(
            tokio::time::timeout(Duration::from_millis(20), &mut second)
                .await
                .is_err()
        );
        drop(first);
        drop(second.await);
        assert_eq!(turns.tracked(), 0);
    }
}
