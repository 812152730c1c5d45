//! Group commit of event appends: concurrent appends to one space share one transaction.
//!
//! Appending takes the space's row lock until commit (that is what makes commit order equal
//! sequence order), so one event per transaction would serialise a busy space on commit
//! latency. Instead each replica keeps a queue per (tenant schema, space) that has appends
//! waiting or in flight:
//!
//! - The first append to an idle space goes at once, alone, in its own request's task: there
//!   is no timer and no added delay, and a quiet space costs what a plain append does.
//!   Appends that arrive while a batch is in flight wait in the queue; when the batch ends, a
//!   drain task takes them over and runs them together (at most [`MAX_BATCH`] per
//!   transaction) until the queue is empty, so batches grow exactly as fast as the space is
//!   busy.
//! - One batch is one transaction ([`batch`]): the Idempotency-Keys are claimed and the
//!   parents and threads checked set-based, the space row is locked once, all accepted events
//!   are inserted with consecutive sequence numbers, the transaction commits, the replica's
//!   streams are woken once, and then every request gets its own answer (its event, a replay,
//!   or its own 404/409). A failed batch answers every request with the error: nothing is
//!   acknowledged that was not committed.
//! - Batches of several requests run in the spawned drain task, so a client that disconnects
//!   cannot cancel a batch others wait on (a leader's batch holds only its own request); a
//!   request whose client is already gone when its batch is formed is dropped without being
//!   stored. Each event is stored whole or not at all.
//! - Two requests with the same Idempotency-Key never share a batch: the later one waits
//!   for the next batch and then finds the key used (a replay or a 409), exactly as if it
//!   had come alone after the first.
//! - The queue of a space holds at most [`MAX_QUEUED`] waiting appends; beyond that a request
//!   gets a 503 instead of growing memory. A queue is removed as soon as it is empty, so idle
//!   spaces cost nothing.
//!
//! Nothing here assumes a single replica: batches of the same space from several replicas
//! still serialise on the row lock. Spaces never wait on each other: the map of queues is
//! locked only to push or pop, never across a database call.

mod batch;

use std::{
    collections::{HashMap, HashSet, VecDeque, hash_map::Entry},
    panic::AssertUnwindSafe,
    sync::{Arc, Mutex},
};

use deadpool_postgres::Pool;
use futures::FutureExt;
use tokio::sync::oneshot;

use crate::{
    error::ApiError,
    metrics::METRICS,
    realtime::{Hub, SpaceKey},
    store::events::EventRow,
};
pub use batch::Append;

/// Most appends in one transaction.
pub const MAX_BATCH: usize = 256;
/// Most appends waiting for one space on one replica.
pub const MAX_QUEUED: usize = 2048;

/// What one append gets back.
pub type Answer = Result<EventRow, ApiError>;

/// The append queues of one replica.
pub struct GroupCommit {
    pool: Pool,
    hub: Arc<Hub>,
    /// Present exactly while a batch of the space is in flight (its leader's or a drain
    /// task's), holding the appends waiting for the next one.
    queues: Mutex<HashMap<SpaceKey, VecDeque<Pending>>>,
}

struct Pending {
    append: Append,
    reply: oneshot::Sender<Answer>,
}

/// Whether an append found its space idle (and stores itself) or queued behind a batch.
#[allow(
    clippy::large_enum_variant,
    reason = "one short-lived value on a call's stack"
)]
enum Turn {
    Lead(Append),
    Follow(oneshot::Receiver<Answer>),
}

/// Ends a leader's turn: passes the queue to a drain task, or removes it when empty.
struct HandOff<'a> {
    commit: &'a Arc<GroupCommit>,
    space: &'a SpaceKey,
}

impl Drop for HandOff<'_> {
    fn drop(&mut self) {
        // Also runs while unwinding: never panic here.
        let mut queues = self
            .commit
            .queues
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match queues.get(self.space) {
            Some(queue) if !queue.is_empty() => {
                tokio::spawn(self.commit.clone().drain(self.space.clone()));
            }
            _ => {
                queues.remove(self.space);
            }
        }
    }
}

impl GroupCommit {
    pub fn new(pool: Pool, hub: Arc<Hub>) -> Arc<GroupCommit> {
        Arc::new(GroupCommit {
            pool,
            hub,
            queues: Mutex::default(),
        })
    }

    /// Append to `space` in the next batch of that space, and wait for its outcome.
    pub async fn append(self: &Arc<Self>, space: SpaceKey, append: Append) -> Answer {
        let turn = match self.queues.lock().unwrap().entry(space.clone()) {
            Entry::Occupied(queue) if queue.get().len() >= MAX_QUEUED => {
                return Err(ApiError::busy(
                    "Too many writes are waiting for this space, retry later",
                ));
            }
            Entry::Occupied(mut queue) => {
                let (reply, answer) = oneshot::channel();
                queue.get_mut().push_back(Pending { append, reply });
                Turn::Follow(answer)
            }
            Entry::Vacant(slot) => {
                slot.insert(VecDeque::new());
                Turn::Lead(append)
            }
        };
        match turn {
            Turn::Lead(append) => self.lead(space, append).await,
            Turn::Follow(answer) => answer
                .await
                .unwrap_or_else(|_| Err(ApiError::internal("an append batch ended unanswered"))),
        }
    }

    /// Store `append` alone, in the caller's own task, so that a quiet space costs no hand-over
    /// between tasks; whatever queued meanwhile goes to a drain task when this ends, even if
    /// the caller is cancelled (its own transaction then rolls back).
    async fn lead(self: &Arc<Self>, space: SpaceKey, append: Append) -> Answer {
        let _hand_off = HandOff {
            commit: self,
            space: &space,
        };
        METRICS.append_batch_size.observe(1.0);
        let (mut answers, stored) =
            batch::run(&self.pool, &space, std::slice::from_ref(&append)).await;
        if stored {
            self.hub.appended(&space);
        }
        answers.pop().expect("one answer per append")
    }

    /// How many spaces have appends queued or in flight on this replica.
    pub fn busy_spaces(&self) -> usize {
        self.queues.lock().unwrap().len()
    }

    /// Run the batches of `space` one after another until its queue is empty.
    async fn drain(self: Arc<Self>, space: SpaceKey) {
        let mut batch = self.next_batch(&space);
        while !batch.is_empty() {
            METRICS.append_batch_size.observe(batch.len() as f64);
            let (appends, replies): (Vec<_>, Vec<_>) =
                batch.into_iter().map(|p| (p.append, p.reply)).unzip();
            // A panic must not end the task: the queue would stay, and later appends to the
            // space would wait forever.
            let outcome = AssertUnwindSafe(batch::run(&self.pool, &space, &appends))
                .catch_unwind()
                .await;
            let (answers, stored) = outcome.unwrap_or_else(|_| {
                let failed = ApiError::internal("an append batch panicked");
                (appends.iter().map(|_| Err(failed.clone())).collect(), true)
            });
            // Only now are the events visible: wake this replica's streams, hint the others.
            if stored {
                self.hub.appended(&space);
            }
            // Formed (and an idle queue removed) before answering, so that once a client has
            // its answer and nothing else is waiting, the space holds nothing on this replica.
            batch = self.next_batch(&space);
            for (reply, answer) in replies.into_iter().zip(answers) {
                // A client that went away meanwhile simply gets no answer.
                let _ = reply.send(answer);
            }
        }
    }

    /// The next batch of `space`; when there is none, the queue is removed.
    fn next_batch(&self, space: &SpaceKey) -> Vec<Pending> {
        let mut queues = self.queues.lock().unwrap();
        let queue = queues.get_mut(space).expect("a draining queue stays");
        let batch = take_batch(queue);
        if batch.is_empty() {
            queues.remove(space);
        }
        batch
    }
}

/// Take the next batch from the front of `queue`: at most [`MAX_BATCH`] appends, skipping
/// (and dropping) those whose client has gone, and leaving in place, in order, any append
/// whose Idempotency-Key is already in the batch. Empty only when the queue is empty.
fn take_batch(queue: &mut VecDeque<Pending>) -> Vec<Pending> {
    let mut batch = Vec::new();
    let mut keys = HashSet::new();
    let mut later = Vec::new();
    while batch.len() < MAX_BATCH {
        let Some(pending) = queue.pop_front() else {
            break;
        };
        if pending.reply.is_closed() {
            continue;
        }
        let key = pending.append.key.as_ref();
        if key.is_some_and(|k| !keys.insert((k.actor_id, k.key.clone()))) {
            later.push(pending);
        } else {
            batch.push(pending);
        }
    }
    for pending in later.into_iter().rev() {
        queue.push_front(pending);
    }
    batch
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use uuid::Uuid;

    use super::*;
    use crate::store::{events::NewEvent, idempotency::KeyClaim};

    fn pending(key: Option<&str>) -> (Pending, oneshot::Receiver<Answer>) {
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
            },
            parent_event_id: None,
            thread_id: None,
            key: key.map(|k| KeyClaim {
                actor_id: Uuid::nil(),
                key: k.into(),
                request_hash: Vec::new(),
            }),
        };
        (Pending { append, reply }, rx)
    }

    fn keys(batch: &[Pending]) -> Vec<Option<String>> {
        batch
            .iter()
            .map(|p| p.append.key.as_ref().map(|k| k.key.clone()))
            .collect()
    }

    #[test]
    fn a_repeated_key_waits_for_the_next_batch_in_order() {
        let mut queue = VecDeque::new();
        let mut receivers = Vec::new();
        for key in [Some("a"), None, Some("a"), Some("b"), Some("a"), None] {
            let (p, rx) = pending(key);
            queue.push_back(p);
            receivers.push(rx);
        }
        let first = take_batch(&mut queue);
        let some = |k: &str| Some(k.to_string());
        assert_eq!(keys(&first), vec![some("a"), None, some("b"), None]);
        assert_eq!(keys(queue.make_contiguous()), vec![some("a"), some("a")]);
        assert_eq!(keys(&take_batch(&mut queue)), vec![some("a")]);
        assert_eq!(keys(&take_batch(&mut queue)), vec![some("a")]);
        assert!(take_batch(&mut queue).is_empty());
    }

    #[test]
    fn batches_are_bounded_and_abandoned_appends_are_dropped() {
        let mut queue = VecDeque::new();
        let mut receivers = Vec::new();
        for i in 0..MAX_BATCH + 10 {
            let (p, rx) = pending(None);
            queue.push_back(p);
            // The first client gave up before its batch was formed.
            if i > 0 {
                receivers.push(rx);
            }
        }
        assert_eq!(take_batch(&mut queue).len(), MAX_BATCH);
        assert_eq!(take_batch(&mut queue).len(), 9);
        assert!(take_batch(&mut queue).is_empty());
    }
}
