//! One subscriber's stream: replay from the database after its cursor, then follow the
//! space's broadcast, falling back to the database on any gap or lag.

use std::{future::Future, pin::Pin, sync::Arc, time::Duration};

use futures::Stream;
use tokio::sync::{broadcast::error::RecvError, watch};

use super::{Hub, SharedEvent, hub::fetch_page};
use crate::{store::event_pages::PageSize, tenancy::SpaceKey};

/// Most events read from the database per query while replaying or catching up (a page is
/// also bounded in bytes).
const REPLAY_BATCH: i64 = 200;

/// Every event of `space` with a sequence above `after`, exactly once and in order, until
/// the client goes away, the server shuts down, or `stop` resolves.
pub fn events(
    hub: Arc<Hub>,
    space: SpaceKey,
    after: i64,
    stop: impl Future<Output = ()> + Send + 'static,
) -> impl Stream<Item = SharedEvent> + Send + 'static {
    async_stream::stream! {
        let mut stop = Box::pin(stop);
        let mut shutdown = hub.shutdown();
        // Subscribe before replaying, so nothing committed meanwhile can fall between the two.
        let mut rx = loop {
            match Box::pin(hub.subscribe(&space)).await {
                Ok(rx) => break rx,
                Err(_) => {
                    if give_up_waiting(&mut shutdown, &mut stop).await {
                        return;
                    }
                }
            }
        };
        let mut last = after;
        let mut size = PageSize::new(REPLAY_BATCH, hub.read_page_bytes);
        'catch_up: loop {
            loop {
                // Boxed: a database round trip's state is large, and inline it would sit in
                // every idle stream for its whole life.
                match Box::pin(fetch_page(&hub, &space, last, &mut size)).await {
                    Ok((events, more)) => {
                        let caught_up = !more;
                        for event in events {
                            last = event.seq;
                            yield event;
                        }
                        if caught_up {
                            break;
                        }
                    }
                    Err(_) => {
                        if give_up_waiting(&mut shutdown, &mut stop).await {
                            break 'catch_up;
                        }
                    }
                }
            }
            loop {
                let received = tokio::select! {
                    received = rx.recv() => received,
                    _ = shutdown.changed() => break 'catch_up,
                    _ = &mut stop => break 'catch_up,
                };
                match received {
                    Ok(batch) => {
                        if batch.through <= last {
                            continue;
                        }
                        let fresh = unsent(&batch.events, last);
                        // A gap (this batch starts after events we have not sent), or events
                        // too large to share: the database has them.
                        if fresh.first().is_none_or(|first| first.seq != last + 1) {
                            continue 'catch_up;
                        }
                        for event in fresh {
                            last = event.seq;
                            yield event;
                        }
                        if batch.through > last {
                            continue 'catch_up;
                        }
                    }
                    // Fell behind the bounded buffer: read from the database by our own cursor.
                    Err(RecvError::Lagged(_)) => continue 'catch_up,
                    Err(RecvError::Closed) => break 'catch_up,
                }
            }
        }
    }
}

/// The database did not answer: wait a second before trying again. `true` when the stream
/// should end instead (the server shuts down, or `stop` resolved).
async fn give_up_waiting(
    shutdown: &mut watch::Receiver<bool>,
    stop: &mut Pin<Box<impl Future<Output = ()>>>,
) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(Duration::from_secs(1)) => false,
        _ = shutdown.changed() => true,
        _ = stop => true,
    }
}

/// The events of `batch` after sequence `last`.
fn unsent(batch: &[SharedEvent], last: i64) -> Vec<SharedEvent> {
    batch.iter().filter(|e| e.seq > last).cloned().collect()
}
