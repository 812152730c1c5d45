//! A bound on the event streams one actor holds open (all its credentials together: minting
//! personal access tokens must not multiply it), so one client cannot tie up a replica's
//! connections and memory.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use uuid::Uuid;

pub struct StreamLimiter {
    max: usize,
    open: Mutex<HashMap<Uuid, usize>>,
}

/// An open stream's place; given back when dropped (when the stream ends).
pub struct StreamSlot {
    limiter: Arc<StreamLimiter>,
    key: Uuid,
}

impl StreamLimiter {
    pub fn new(max: usize) -> StreamLimiter {
        StreamLimiter {
            max: max.max(1),
            open: Mutex::new(HashMap::new()),
        }
    }

    pub fn max(&self) -> usize {
        self.max
    }

    /// Streams open on this replica, all actors together.
    pub fn open(&self) -> usize {
        self.open.lock().unwrap().values().sum()
    }

    pub fn try_acquire(self: &Arc<Self>, key: Uuid) -> Option<StreamSlot> {
        let mut open = self.open.lock().unwrap();
        let count = open.entry(key).or_default();
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(StreamSlot {
            limiter: self.clone(),
            key,
        })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.limiter.open.lock().unwrap();
        if let Some(count) = open.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_bounded_and_returned() {
        let limiter = Arc::new(StreamLimiter::new(2));
        let key = Uuid::new_v4();
        let a = limiter.try_acquire(key).unwrap();
        let _b = limiter.try_acquire(key).unwrap();
        assert!(limiter.try_acquire(key).is_none());
        assert!(limiter.try_acquire(Uuid::new_v4()).is_some());
        drop(a);
        assert!(limiter.try_acquire(key).is_some());
    }
}
