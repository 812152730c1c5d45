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
//!   or its own 404/409, as [`crate::domain::append`] decides). A failed batch answers every request with the error: nothing is
//!   acknowledged that was not committed.
//! - Batches of several requests run in the spawned drain task, so a client that disconnects
//!   cannot cancel a batch others wait on (a leader's batch holds only its own request); a
//!   request whose client is already gone when its batch is formed is dropped without being
//!   stored. Each event is stored whole or not at all.
//! - Two requests with the same Idempotency-Key never share a batch: the later one waits
//!   for the next batch and then finds the key used (a replay or a 409), exactly as if it
//!   had come alone after the first.
//! - The queue of a space holds at most [`MAX_QUEUED`] waiting appends and a configured number
//!   of bytes, and all queues of the replica together a configured number of bytes (an event
//!   can be ~250 KB, so a count alone bounds nothing); beyond that a request gets a 503
//!   instead of growing memory. A batch is bounded in bytes as well. A queue is removed as
//!   soon as it is empty, so idle spaces cost nothing.
//!
//! Nothing here assumes a single replica: batches of the same space from several replicas
//! still serialise on the row lock. Spaces never wait on each other: the map of queues is
//! locked only to push or pop, never across a database call.
//!
//! See docs/architecture.md#group-commit.

mod batch;
mod queue;

use std::{
    collections::{HashMap, hash_map::Entry},
    panic::AssertUnwindSafe,
    sync::{Arc, Mutex},
};

use crate::db::Pool;
use futures::FutureExt;
use tokio::sync::oneshot;

use crate::{
    error::ApiError, memory_bounds::MemoryBounds, metrics::METRICS, realtime::Hub,
    tenancy::SpaceKey,
};
pub use batch::{Answer, Append};
use queue::{Pending, Queue};

/// Most appends in one transaction.
pub const MAX_BATCH: usize = 256;
/// Most appends waiting for one space on one replica.
pub const MAX_QUEUED: usize = 2048;

/// The append queues of one replica.
pub struct GroupCommit {
    pool: Pool,
    hub: Arc<Hub>,
    queues: Mutex<Queues>,
    bounds: Bounds,
}

/// The queues of the spaces with a batch in flight, and the bytes waiting in all of them.
#[derive(Default)]
struct Queues {
    /// Present exactly while a batch of the space is in flight (its leader's or a drain
    /// task's), holding the appends waiting for the next one.
    by_space: HashMap<SpaceKey, Queue>,
    bytes: usize,
}

struct Bounds {
    queue_bytes: usize,
    total_bytes: usize,
    batch_bytes: usize,
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
        match queues.by_space.get(self.space) {
            Some(queue) if !queue.is_empty() => {
                tokio::spawn(self.commit.clone().drain(self.space.clone()));
            }
            _ => {
                queues.by_space.remove(self.space);
            }
        }
    }
}

impl GroupCommit {
    pub fn new(pool: Pool, hub: Arc<Hub>, bounds: &MemoryBounds) -> Arc<GroupCommit> {
        Arc::new(GroupCommit {
            pool,
            hub,
            queues: Mutex::default(),
            bounds: Bounds {
                queue_bytes: bounds.append_queue_bytes,
                total_bytes: bounds.append_queues_total_bytes,
                batch_bytes: bounds.append_batch_bytes,
            },
        })
    }

    /// Append to `space` in the next batch of that space, and wait for its outcome.
    pub async fn append(self: &Arc<Self>, space: SpaceKey, append: Append) -> Answer {
        match self.enqueue(&space, append)? {
            Turn::Lead(append) => self.lead(space, append).await,
            Turn::Follow(answer) => answer
                .await
                .unwrap_or_else(|_| Err(ApiError::internal("an append batch ended unanswered"))),
        }
    }

    /// Lead an idle space, or wait in its queue if the queue's bounds allow (503 otherwise).
    fn enqueue(&self, space: &SpaceKey, append: Append) -> Result<Turn, ApiError> {
        let bytes = append.bytes();
        let mut guard = self.queues.lock().unwrap();
        let queues = &mut *guard;
        match queues.by_space.entry(space.clone()) {
            Entry::Occupied(queue)
                if queue.get().len() >= MAX_QUEUED
                    || queue.get().bytes() + bytes > self.bounds.queue_bytes
                    || queues.bytes + bytes > self.bounds.total_bytes =>
            {
                Err(ApiError::busy(
                    "Too many writes are waiting for this space, retry later",
                ))
            }
            Entry::Occupied(mut queue) => {
                let (reply, answer) = oneshot::channel();
                queue.get_mut().push_back(Pending {
                    append,
                    reply,
                    bytes,
                });
                queues.bytes += bytes;
                Ok(Turn::Follow(answer))
            }
            Entry::Vacant(slot) => {
                slot.insert(Queue::default());
                Ok(Turn::Lead(append))
            }
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
        self.queues.lock().unwrap().by_space.len()
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
        let queue = queues
            .by_space
            .get_mut(space)
            .expect("a draining queue stays");
        let before = queue.bytes();
        let batch = queue.take_batch(MAX_BATCH, self.bounds.batch_bytes);
        let taken = before - queue.bytes();
        if batch.is_empty() {
            queues.by_space.remove(space);
        }
        queues.bytes -= taken;
        batch
    }
}
