//! One LISTEN connection per replica. It reconnects by itself; after every (re)connect it
//! tells the handler, which must assume it missed notifications while disconnected.

use std::{sync::Arc, time::Duration};

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, NoTls};

/// Receives notifications of the channels a [`spawn`]ed listener subscribes to.
pub trait NotificationHandler: Send + Sync + 'static {
    fn on_notification(&self, channel: &str, payload: &str);
    /// Called once LISTEN is in place after a (re)connect: notifications may have been lost.
    fn on_connected(&self);
}

/// Hands every notification and reconnect to several handlers (each checks the channel).
pub struct Fanout(pub Vec<Arc<dyn NotificationHandler>>);

impl NotificationHandler for Fanout {
    fn on_notification(&self, channel: &str, payload: &str) {
        for handler in &self.0 {
            handler.on_notification(channel, payload);
        }
    }
    fn on_connected(&self) {
        for handler in &self.0 {
            handler.on_connected();
        }
    }
}

/// The `application_name` of listener connections, so operators (and tests) can find them.
pub const APPLICATION_NAME: &str = "convo-listener";

/// Listen on `channels` until `shutdown` fires, reconnecting with backoff. The returned
/// receiver counts successful connections, so a caller can wait for the first one.
pub fn spawn(
    pg_config: tokio_postgres::Config,
    channels: Vec<&'static str>,
    handler: Arc<dyn NotificationHandler>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> tokio::sync::watch::Receiver<u64> {
    let mut pg_config = pg_config;
    pg_config.application_name(APPLICATION_NAME);
    let (connected_tx, connected_rx) = tokio::sync::watch::channel(0u64);
    let handler = Arc::new(Counting {
        inner: handler,
        connected: connected_tx,
    });
    tokio::spawn(async move {
        let mut backoff = Duration::from_millis(100);
        loop {
            tokio::select! {
                result = listen_once(&pg_config, &channels, handler.as_ref()) => {
                    match result {
                        Ok(()) => backoff = Duration::from_millis(100),
                        Err(err) => tracing::warn!("notification listener: {err}; reconnecting"),
                    }
                }
                _ = shutdown.changed() => return,
            }
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = shutdown.changed() => return,
            }
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
    });
    connected_rx
}

/// Counts connections on the way to the real handler.
struct Counting {
    inner: Arc<dyn NotificationHandler>,
    connected: tokio::sync::watch::Sender<u64>,
}

impl NotificationHandler for Counting {
    fn on_notification(&self, channel: &str, payload: &str) {
        self.inner.on_notification(channel, payload);
    }
    fn on_connected(&self) {
        self.inner.on_connected();
        self.connected.send_modify(|n| *n += 1);
    }
}

/// One connection's life: LISTEN, then hand every notification over until it drops.
async fn listen_once(
    pg_config: &tokio_postgres::Config,
    channels: &[&'static str],
    handler: &dyn NotificationHandler,
) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = pg_config.connect(NoTls).await?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(n)) => {
                    if tx.send(n).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!("notification connection lost: {err}");
                    break;
                }
            }
        }
    });
    let sql: String = channels.iter().map(|c| format!("LISTEN {c};")).collect();
    client.batch_execute(&sql).await?;
    handler.on_connected();
    while let Some(notification) = rx.recv().await {
        handler.on_notification(notification.channel(), notification.payload());
    }
    driver.abort();
    Ok(())
}
