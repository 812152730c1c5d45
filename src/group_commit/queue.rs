//! The appends waiting for one space, and how a batch is taken from them: bounded in count
//! and in bytes, so neither a queue nor a transaction grows with the size of events.

use std::collections::{HashSet, VecDeque};

use tokio::sync::oneshot;

use super::{Answer, Append};

pub(super) struct Pending {
    pub append: Append,
    pub reply: oneshot::Sender<Answer>,
    /// What the append holds in memory, as counted against the queue's bounds.
    pub bytes: usize,
}

/// Waiting appends, in arrival order, and their bytes.
#[derive(Default)]
pub(super) struct Queue {
    waiting: VecDeque<Pending>,
    bytes: usize,
}

impl Queue {
    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn push_back(&mut self, pending: Pending) {
        self.bytes += pending.bytes;
        self.waiting.push_back(pending);
    }

    /// Take the next batch from the front: at most `max_appends` appends and, after the
    /// first, no more than `max_bytes`; skipping (and dropping) those whose client has gone,
    /// and leaving in place, in order, any append whose Idempotency-Key is already in the
    /// batch. Empty only when the queue is empty.
    pub fn take_batch(&mut self, max_appends: usize, max_bytes: usize) -> Vec<Pending> {
        let mut batch: Vec<Pending> = Vec::new();
        let mut batch_bytes = 0;
        let mut keys = HashSet::new();
        let mut later = Vec::new();
        while batch.len() < max_appends {
            let Some(next) = self.waiting.front() else {
                break;
            };
            if !batch.is_empty() && batch_bytes + next.bytes > max_bytes {
                break;
            }
            let pending = self.waiting.pop_front().expect("just seen");
            self.bytes -= pending.bytes;
            if pending.reply.is_closed() {
                continue;
            }
            let key = pending.append.key.as_ref();
            if key.is_some_and(|k| !keys.insert((k.actor_id, k.key.clone()))) {
                later.push(pending);
            } else {
                batch_bytes += pending.bytes;
                batch.push(pending);
            }
        }
        for pending in later.into_iter().rev() {
            self.bytes += pending.bytes;
            self.waiting.push_front(pending);
        }
        batch
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use uuid::Uuid;

    use super::*;
    use crate::store::{events::NewEvent, idempotency::KeyClaim};

    fn pending(key: Option<&str>, bytes: usize) -> (Pending, oneshot::Receiver<Answer>) {
        let (reply, rx) = oneshot::channel();
        let append = Append {
            event: NewEvent {
                event_id: Uuid::now_v7(),
                space_id: "room".into(),
                speaker_id: "s".into(),
                speaker_name: "S".into(),
                speaker_type: "human".into(),
                text: "t".into(),
                parent_event_id: None,
                thread_id: None,
                references: Vec::new(),
                metadata: json!({}),
                body: String::new(),
            },
            parent_event_id: None,
            thread_id: None,
            key: key.map(|k| KeyClaim {
                actor_id: Uuid::nil(),
                key: k.into(),
                request_hash: Vec::new(),
            }),
        };
        let pending = Pending {
            append,
            reply,
            bytes,
        };
        (pending, rx)
    }

    fn keys(batch: &[Pending]) -> Vec<Option<String>> {
        batch
            .iter()
            .map(|p| p.append.key.as_ref().map(|k| k.key.clone()))
            .collect()
    }

    fn queue_of(keys: &[Option<&str>]) -> (Queue, Vec<oneshot::Receiver<Answer>>) {
        let mut queue = Queue::default();
        let mut receivers = Vec::new();
        for key in keys {
            let (p, rx) = pending(*key, 10);
            queue.push_back(p);
            receivers.push(rx);
        }
        (queue, receivers)
    }

    #[test]
    fn a_repeated_key_waits_for_the_next_batch_in_order() {
        let (mut queue, _receivers) =
            queue_of(&[Some("a"), None, Some("a"), Some("b"), Some("a"), None]);
        let first = queue.take_batch(256, usize::MAX);
        let some = |k: &str| Some(k.to_string());
        assert_eq!(keys(&first), vec![some("a"), None, some("b"), None]);
        assert_eq!(queue.bytes(), 20);
        assert_eq!(keys(&queue.take_batch(256, usize::MAX)), vec![some("a")]);
        assert_eq!(keys(&queue.take_batch(256, usize::MAX)), vec![some("a")]);
        assert!(queue.take_batch(256, usize::MAX).is_empty());
        assert_eq!(queue.bytes(), 0);
    }

    #[test]
    fn batches_are_bounded_and_abandoned_appends_are_dropped() {
        let mut queue = Queue::default();
        let mut receivers = Vec::new();
        for i in 0..266 {
            let (p, rx) = pending(None, 10);
            queue.push_back(p);
            // The first client gave up before its batch was formed.
            if i > 0 {
                receivers.push(rx);
            }
        }
        assert_eq!(queue.take_batch(256, usize::MAX).len(), 256);
        assert_eq!(queue.take_batch(256, usize::MAX).len(), 9);
        assert!(queue.take_batch(256, usize::MAX).is_empty());
        assert_eq!(queue.bytes(), 0);
    }

    #[test]
    fn batches_are_bounded_in_bytes_but_never_empty() {
        let mut queue = Queue::default();
        let mut receivers = Vec::new();
        for bytes in [400, 300, 300, 2000, 100] {
            let (p, rx) = pending(None, bytes);
            queue.push_back(p);
            receivers.push(rx);
        }
        let sizes = |batch: Vec<Pending>| batch.iter().map(|p| p.bytes).collect::<Vec<_>>();
        assert_eq!(sizes(queue.take_batch(256, 1000)), [400, 300, 300]);
        assert_eq!(
            sizes(queue.take_batch(256, 1000)),
            [2000],
            "one larger than the bound"
        );
        assert_eq!(sizes(queue.take_batch(256, 1000)), [100]);
        assert_eq!(queue.bytes(), 0);
    }
}
