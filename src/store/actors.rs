//! Control-plane queries on actors.

use super::rows;
use chrono::{DateTime, Utc};

use crate::tenancy::Control;
use serde_json::Value;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::domain::ActorType;

#[derive(Clone, Debug)]
pub struct ActorRow {
    pub actor_id: Uuid,
    pub display_name: String,
    pub actor_type: ActorType,
    pub email: Option<String>,
    pub agent_profile: Option<String>,
    pub metadata: Value,
    pub sponsor_id: Option<Uuid>,
    pub tenant_id: Option<Uuid>,
    pub default_space_id: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The installation the agent is connected to; `None` when available (always for humans).
    pub installation_id: Option<String>,
}

impl ActorRow {
    fn from_row(row: &Row) -> Self {
        ActorRow {
            actor_id: row.get("actor_id"),
            display_name: row.get("display_name"),
            actor_type: ActorType::from_db(row.get("actor_type")),
            email: row.get("email"),
            agent_profile: row.get("agent_profile"),
            metadata: row.get("metadata"),
            sponsor_id: row.get("sponsor_id"),
            tenant_id: row.get("tenant_id"),
            default_space_id: row.get("default_space_id"),
            created_at: row.get("created_at"),
            installation_id: row.get("installation_id"),
        }
    }
}

const COLUMNS: &str = "actor_id, display_name, actor_type, email, agent_profile, metadata,
     sponsor_id, tenant_id, default_space_id, created_at, installation_id";

/// Insert an actor; an agent with an `installation_id` starts connected to it. An agent gets
/// its sponsor's tenant as stored now, not `a.tenant_id` (read from a cached credential): the
/// sponsor's row is share-locked, so a concurrent move of the sponsor (which locks that row
/// before moving its agents) either waits for this agent and moves it too, or commits first and
/// this agent lands in the new tenant. Returns the tenant the actor was inserted in.
pub async fn insert(
    db: &impl Control,
    a: &ActorRow,
) -> Result<Option<Uuid>, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached(
            "INSERT INTO convo.actors (actor_id, display_name, actor_type, email, agent_profile,
                                   metadata, sponsor_id, tenant_id, created_at,
                                   installation_id, connection_state, connected_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7,
                 CASE WHEN $7::uuid IS NULL THEN $8::uuid
                      ELSE (SELECT tenant_id FROM convo.actors WHERE actor_id = $7 FOR SHARE)
                 END,
                 $9::timestamptz, $10::text,
                 CASE WHEN $10::text IS NULL THEN 'available' ELSE 'connected' END,
                 CASE WHEN $10::text IS NULL THEN NULL ELSE $9::timestamptz END)
         RETURNING tenant_id",
        )
        .await?;
    let row = db
        .query_one(
            &stmt,
            &[
                &a.actor_id,
                &a.display_name,
                &a.actor_type.as_str(),
                &a.email,
                &a.agent_profile,
                &a.metadata,
                &a.sponsor_id,
                &a.tenant_id,
                &a.created_at,
                &a.installation_id,
            ],
        )
        .await?;
    Ok(row.get(0))
}

pub async fn get(
    db: &impl Control,
    actor_id: Uuid,
) -> Result<Option<ActorRow>, tokio_postgres::Error> {
    rows::opt(
        db.client(),
        &format!("SELECT {COLUMNS} FROM convo.actors WHERE actor_id = $1"),
        &[&actor_id],
        ActorRow::from_row,
    )
    .await
}

/// The actor, its row locked until the end of the transaction.
pub async fn lock(
    db: &impl Control,
    actor_id: Uuid,
) -> Result<Option<ActorRow>, tokio_postgres::Error> {
    rows::opt(
        db.client(),
        &format!("SELECT {COLUMNS} FROM convo.actors WHERE actor_id = $1 FOR UPDATE"),
        &[&actor_id],
        ActorRow::from_row,
    )
    .await
}

/// How many agents `sponsor_id` sponsors (lock the sponsor first to count and insert safely).
pub async fn count_sponsored(
    db: &impl Control,
    sponsor_id: Uuid,
) -> Result<i64, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached("SELECT count(*) FROM convo.actors WHERE sponsor_id = $1")
        .await?;
    Ok(db.query_one(&stmt, &[&sponsor_id]).await?.get(0))
}

/// The agents `sponsor_id` sponsors, oldest first.
pub async fn list_sponsored(
    db: &impl Control,
    sponsor_id: Uuid,
) -> Result<Vec<ActorRow>, tokio_postgres::Error> {
    rows::all(
        db.client(),
        &format!(
            "SELECT {COLUMNS} FROM convo.actors WHERE sponsor_id = $1
             ORDER BY created_at, actor_id"
        ),
        &[&sponsor_id],
        ActorRow::from_row,
    )
    .await
}

/// Change the given fields; `None` if there is no such actor.
pub async fn update(
    db: &impl Control,
    actor_id: Uuid,
    display_name: Option<&str>,
    metadata: Option<&Value>,
) -> Result<Option<ActorRow>, tokio_postgres::Error> {
    rows::opt(
        db.client(),
        &format!(
            "UPDATE convo.actors
             SET display_name = COALESCE($2, display_name), metadata = COALESCE($3, metadata)
             WHERE actor_id = $1
             RETURNING {COLUMNS}"
        ),
        &[&actor_id, &display_name, &metadata],
        ActorRow::from_row,
    )
    .await
}

/// Delete an actor and the agents it sponsors (`ON DELETE CASCADE`, with their keys).
/// Returns the ids of every actor deleted, the actor's own first; empty if it did not exist.
/// The rows are locked first, so an agent registered concurrently either is in the list or
/// fails its sponsor's foreign-key check.
pub async fn delete_with_agents(
    db: &impl Control,
    actor_id: Uuid,
) -> Result<Vec<Uuid>, tokio_postgres::Error> {
    let db = db.client();
    let lock = db
        .prepare_cached(
            "SELECT actor_id FROM convo.actors WHERE actor_id = $1 OR sponsor_id = $1
             ORDER BY actor_id <> $1, actor_id
             FOR UPDATE",
        )
        .await?;
    let ids: Vec<Uuid> = db
        .query(&lock, &[&actor_id])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if ids.first() != Some(&actor_id) {
        return Ok(Vec::new());
    }
    let delete = db
        .prepare_cached("DELETE FROM convo.actors WHERE actor_id = $1")
        .await?;
    db.execute(&delete, &[&actor_id]).await?;
    Ok(ids)
}

/// Connect the agent to `installation_id`, or make it available when `None`.
pub async fn set_installation(
    db: &impl Control,
    actor_id: Uuid,
    installation_id: Option<&str>,
) -> Result<(), tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached(
            "UPDATE convo.actors
             SET installation_id = $2::text,
                 connection_state = CASE WHEN $2::text IS NULL THEN 'available' ELSE 'connected' END,
                 connected_at = CASE WHEN $2::text IS NULL THEN NULL ELSE $3::timestamptz END
             WHERE actor_id = $1",
        )
        .await?;
    db.execute(&stmt, &[&actor_id, &installation_id, &crate::domain::now()])
        .await?;
    Ok(())
}

/// Make a connected agent available; `false` if it was not connected.
pub async fn release(db: &impl Control, actor_id: Uuid) -> Result<bool, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached(
            "UPDATE convo.actors
             SET installation_id = NULL, connection_state = 'available', connected_at = NULL
             WHERE actor_id = $1 AND connection_state = 'connected'",
        )
        .await?;
    Ok(db.execute(&stmt, &[&actor_id]).await? == 1)
}
