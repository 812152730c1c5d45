//! Control-plane queries on actors.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
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
        }
    }
}

pub async fn insert(db: &impl GenericClient, a: &ActorRow) -> Result<(), tokio_postgres::Error> {
    db.execute(
        "INSERT INTO convo.actors (actor_id, display_name, actor_type, email, agent_profile,
                                   metadata, sponsor_id, tenant_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
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
        ],
    )
    .await?;
    Ok(())
}

pub async fn get(
    db: &impl GenericClient,
    actor_id: Uuid,
) -> Result<Option<ActorRow>, tokio_postgres::Error> {
    let stmt = db
        .prepare_cached(
            "SELECT actor_id, display_name, actor_type, email, agent_profile, metadata,
                    sponsor_id, tenant_id, default_space_id, created_at
             FROM convo.actors WHERE actor_id = $1",
        )
        .await?;
    Ok(db
        .query_opt(&stmt, &[&actor_id])
        .await?
        .as_ref()
        .map(ActorRow::from_row))
}
