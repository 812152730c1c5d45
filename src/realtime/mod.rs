//! Real-time fan-out. The database is the log; notifications are only hints.
//!
//! Each replica has one [`Hub`]. A space that has local subscribers gets one feed task: when
//! woken (a local append, a hint from another replica, a listener reconnect, or a one-second
//! safety tick) it reads the events after the last one it broadcast — one query per space per
//! wake-up, whatever the number of subscribers — serialises each once and broadcasts the batch.
//! Subscribers keep their own cursor: they replay history from the database, drop what they
//! already sent, and fall back to the database when they lag behind the bounded broadcast
//! buffer. Delivery per connection is therefore exactly once and in order whatever happens to
//! the hints, and a slow client costs no server memory beyond the buffer.

mod feed;
mod hints;
mod limiter;
pub mod subscription;

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

use bytes::Bytes;
use tokio::sync::{Notify, broadcast, watch};
use uuid::Uuid;

use crate::{
    db::Db,
    memory_bounds::MemoryBounds,
    store::{event_json::Event, events::EventRow},
    tenancy::SpaceKey,
};
pub use hints::{CHANNEL, HintHandler};
pub use limiter::{StreamLimiter, StreamSlot};

/// An event serialised once for every subscriber, as the complete Server-Sent Events message
/// every stream writes: subscribers share the bytes instead of formatting their own copy.
/// The message is stored framed as an HTTP/1.1 chunk, which streams that own their socket
/// write as it is; streams served by the HTTP server write the message inside it.
#[derive(Clone, Debug)]
pub struct SharedEvent {
    pub seq: i64,
    chunk: Bytes,
    /// Where the message starts inside `chunk` (after the chunk-size line).
    start: usize,
}

impl SharedEvent {
    /// `id`, `event` and `data` lines, as poem's SSE writer formats them; the JSON is one
    /// line (serde escapes line breaks inside strings).
    pub fn new(row: EventRow) -> SharedEvent {
        let (seq, event_id) = (row.seq, row.event_id);
        let json = serde_json::to_string(&Event::from(row)).expect("an event serialises");
        let message = format!("id: {event_id}\nevent: {EVENT_TYPE}\ndata: {json}\n\n");
        SharedEvent::framed(seq, &message)
    }

    /// `message` framed as a chunk.
    pub(crate) fn framed(seq: i64, message: &str) -> SharedEvent {
        let size_line = format!("{:x}\r\n", message.len());
        let mut chunk = Vec::with_capacity(size_line.len() + message.len() + 2);
        chunk.extend_from_slice(size_line.as_bytes());
        chunk.extend_from_slice(message.as_bytes());
        chunk.extend_from_slice(b"\r\n");
        SharedEvent {
            seq,
            chunk: Bytes::from(chunk),
            start: size_line.len(),
        }
    }

    /// The bytes this event keeps in memory.
    pub fn size(&self) -> usize {
        self.chunk.len()
    }

    /// The Server-Sent Events message.
    pub fn message(&self) -> Bytes {
        self.chunk.slice(self.start..self.chunk.len() - 2)
    }

    /// The message framed as one chunk of a `Transfer-Encoding: chunked` body.
    pub fn chunk(&self) -> &Bytes {
        &self.chunk
    }
}

/// The `event:` field of every message.
pub const EVENT_TYPE: &str = "context_event";

/// New events of one space as broadcast: `events` are consecutive, in sequence order, and
/// the batch covers everything up to `through`. Events that did not fit the shared byte
/// budget are left out (each stream reads them from the database), so the buffer of a space
/// holds at most [`BROADCAST_CAPACITY`] times that budget, however large its events are and
/// however slow its streams.
#[derive(Debug)]
pub struct Batch {
    pub events: Vec<SharedEvent>,
    pub through: i64,
}

/// Batches buffered per space for subscribers; one that falls further behind reads from the
/// database instead.
const BROADCAST_CAPACITY: usize = 64;

struct Feed {
    tx: broadcast::Sender<Arc<Batch>>,
    wake: Notify,
}

pub struct Hub {
    db: Db,
    /// Most bytes of events one stream's replay page holds.
    read_page_bytes: usize,
    /// Most bytes of events one broadcast batch shares.
    shared_batch_bytes: usize,
    replica_id: Uuid,
    feeds: Mutex<HashMap<SpaceKey, Arc<Feed>>>,
    outbox: Mutex<HashSet<SpaceKey>>,
    outbox_ready: Notify,
    shutdown: watch::Receiver<bool>,
}

impl Hub {
    /// Create the hub and start its hint publisher.
    pub fn start(db: Db, bounds: &MemoryBounds, shutdown: watch::Receiver<bool>) -> Arc<Hub> {
        let hub = Arc::new(Hub {
            db,
            read_page_bytes: bounds.read_page_bytes,
            shared_batch_bytes: bounds.stream_shared_batch_bytes,
            replica_id: Uuid::new_v4(),
            feeds: Mutex::new(HashMap::new()),
            outbox: Mutex::new(HashSet::new()),
            outbox_ready: Notify::new(),
            shutdown,
        });
        tokio::spawn(hints::publish(hub.clone()));
        hub
    }

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
        let start = feed::current_seq(self, space).await?;
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
        tokio::spawn(feed::run(self.clone(), space.clone(), feed, start));
        Ok(rx)
    }

    /// A signal that fires when the server shuts down.
    pub fn shutdown(&self) -> watch::Receiver<bool> {
        self.shutdown.clone()
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    fn wake(&self, space: &SpaceKey) {
        if let Some(feed) = self.feeds.lock().unwrap().get(space) {
            feed.wake.notify_one();
        }
    }

    fn wake_all(&self) {
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
