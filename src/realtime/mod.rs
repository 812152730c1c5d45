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
//!
//! See docs/architecture.md#real-time.

mod hints;
mod hub;
mod limiter;
mod shared_event;
pub mod subscription;

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

use tokio::sync::{Notify, watch};
use uuid::Uuid;

use crate::{db::Db, memory_bounds::MemoryBounds};
pub use hints::{CHANNEL, HintHandler};
pub use hub::Hub;
pub use limiter::{StreamLimiter, StreamSlot};
pub use shared_event::{Batch, EVENT_TYPE, SharedEvent};

// Here rather than in hub.rs: the hub's tasks (hints.rs) read the hub, so the hub does not
// start them itself.
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
}
