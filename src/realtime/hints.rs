//! Hints between replicas: "space S of tenant T has new events". Published outside any write
//! transaction (NOTIFY in a write transaction serialises commits on a global lock), coalesced
//! into one NOTIFY every few milliseconds, and received by the replica's single listener.
//! A lost hint costs at most the feed's one-second re-check, never an event.

use std::{sync::Arc, time::Duration};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Hub;
use crate::{
    db::listener::NotificationHandler,
    tenancy::{SchemaName, SpaceKey},
};

pub const CHANNEL: &str = "convo_events";
/// Appends within this window share one NOTIFY.
const COALESCE: Duration = Duration::from_millis(5);
/// PostgreSQL caps a payload at 8000 bytes.
const MAX_PAYLOAD: usize = 7000;

#[derive(Serialize, Deserialize)]
struct Hint {
    /// The publishing replica, which ignores its own hints.
    r: Uuid,
    /// (schema, space_id) pairs.
    s: Vec<(String, String)>,
}

pub(super) async fn publish(hub: Arc<Hub>) {
    let mut shutdown = hub.shutdown();
    loop {
        tokio::select! {
            _ = hub.outbox_ready.notified() => {}
            _ = shutdown.changed() => return,
        }
        tokio::time::sleep(COALESCE).await;
        let spaces: Vec<SpaceKey> = std::mem::take(&mut *hub.outbox.lock().unwrap())
            .into_iter()
            .collect();
        for payload in payloads(hub.replica_id, &spaces) {
            if let Err(err) = send(&hub, &payload).await {
                tracing::warn!(
                    "publishing an event hint failed ({err:?}); replicas re-check within a second"
                );
            }
        }
    }
}

fn payloads(replica: Uuid, spaces: &[SpaceKey]) -> Vec<String> {
    let mut out = Vec::new();
    let mut hint = Hint {
        r: replica,
        s: Vec::new(),
    };
    let mut size = 64;
    for space in spaces {
        let entry_size = space.schema.as_str().len() + space.space_id.len() + 8;
        if size + entry_size > MAX_PAYLOAD && !hint.s.is_empty() {
            out.push(serde_json::to_string(&hint).expect("serialisable"));
            hint.s.clear();
            size = 64;
        }
        hint.s
            .push((space.schema.as_str().to_string(), space.space_id.clone()));
        size += entry_size;
    }
    if !hint.s.is_empty() {
        out.push(serde_json::to_string(&hint).expect("serialisable"));
    }
    out
}

async fn send(hub: &Hub, payload: &str) -> Result<(), crate::error::ApiError> {
    let conn = hub.db.pool.get().await?;
    conn.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])
        .await?;
    Ok(())
}

/// Wakes the local feeds of the spaces other replicas hint at.
pub struct HintHandler(pub Arc<Hub>);

impl NotificationHandler for HintHandler {
    fn on_notification(&self, channel: &str, payload: &str) {
        if channel != CHANNEL {
            return;
        }
        let Ok(hint) = serde_json::from_str::<Hint>(payload) else {
            return;
        };
        if hint.r == self.0.replica_id {
            return;
        }
        for (schema, space_id) in hint.s {
            if let Some(schema) = SchemaName::parse(&schema) {
                self.0.wake(&SpaceKey { schema, space_id });
            }
        }
    }

    /// Hints may have been lost while disconnected: every feed re-reads.
    fn on_connected(&self) {
        self.0.wake_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_stay_under_the_limit() {
        let spaces: Vec<SpaceKey> = (0..500)
            .map(|i| SpaceKey {
                schema: SchemaName::parse(&format!("tenant_{i}")).unwrap(),
                space_id: format!("space-{i}-{}", "x".repeat(40)),
            })
            .collect();
        let payloads = payloads(Uuid::new_v4(), &spaces);
        assert!(payloads.len() > 1);
        let mut seen = 0;
        for p in &payloads {
            assert!(p.len() < 8000);
            seen += serde_json::from_str::<Hint>(p).unwrap().s.len();
        }
        assert_eq!(seen, 500);
    }
}
