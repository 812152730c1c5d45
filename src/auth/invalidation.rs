//! Cross-replica invalidation of cached credentials over PostgreSQL NOTIFY. Issued inside the
//! transaction that changes the credential, so replicas hear of it exactly when it commits.
//! These writes are rare, so NOTIFY's commit-time lock costs nothing that matters here.

use std::sync::Arc;

use uuid::Uuid;

use super::cache::AuthCache;
use crate::{db::listener::NotificationHandler, tenancy::Control};

pub const CHANNEL: &str = "convo_auth";

pub async fn notify_actor(db: &impl Control, actor_id: Uuid) -> Result<(), tokio_postgres::Error> {
    notify(db, format!("actor:{actor_id}")).await
}

pub async fn notify_tenant(
    db: &impl Control,
    tenant_id: Uuid,
) -> Result<(), tokio_postgres::Error> {
    notify(db, format!("tenant:{tenant_id}")).await
}

async fn notify(db: &impl Control, payload: String) -> Result<(), tokio_postgres::Error> {
    db.client()
        .execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])
        .await?;
    Ok(())
}

/// Applies invalidations heard on [`CHANNEL`] to this replica's cache.
pub struct Invalidator(pub Arc<AuthCache>);

impl NotificationHandler for Invalidator {
    fn on_notification(&self, channel: &str, payload: &str) {
        if channel != CHANNEL {
            return;
        }
        let parsed = payload
            .split_once(':')
            .and_then(|(kind, id)| Some((kind, id.parse::<Uuid>().ok()?)));
        match parsed {
            Some(("actor", id)) => self.0.invalidate_actor(id),
            Some(("tenant", id)) => self.0.invalidate_tenant(id),
            _ => self.0.invalidate_all(),
        }
    }

    /// Invalidations may have been missed while disconnected: start over.
    fn on_connected(&self) {
        self.0.invalidate_all();
    }
}
