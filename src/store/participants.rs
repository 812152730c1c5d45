//! Tenant-plane queries on space participants.

use super::rows;
use crate::tenancy::TenantTx;
use chrono::{DateTime, Utc};
use tokio_postgres::Row;
use uuid::Uuid;

#[derive(Clone, Debug)]
pub struct ParticipantRow {
    pub space_id: String,
    pub participant_id: String,
    pub name: String,
    pub participant_type: String,
    pub agent_adapter: Option<String>,
    pub actor_id: Option<Uuid>,
    pub joined_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "space_id, participant_id, name, participant_type, agent_adapter, actor_id, joined_at";

impl ParticipantRow {
    fn from_row(row: &Row) -> Self {
        ParticipantRow {
            space_id: row.get("space_id"),
            participant_id: row.get("participant_id"),
            name: row.get("name"),
            participant_type: row.get("participant_type"),
            agent_adapter: row.get("agent_adapter"),
            actor_id: row.get("actor_id"),
            joined_at: row.get("joined_at"),
        }
    }
}

/// Participants of the given spaces, in joining order.
pub async fn list(
    db: &TenantTx,
    space_ids: &[&str],
) -> Result<Vec<ParticipantRow>, tokio_postgres::Error> {
    rows::all(
        db.client(),
        &format!(
            "SELECT {COLUMNS} FROM participants WHERE space_id = ANY($1)
             ORDER BY joined_at, participant_id"
        ),
        &[&space_ids],
        ParticipantRow::from_row,
    )
    .await
}

/// Add a participant, or refresh its name and adapter if it is already there.
pub async fn join(
    db: &TenantTx,
    p: &ParticipantRow,
) -> Result<ParticipantRow, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached(&format!(
            "INSERT INTO participants (space_id, participant_id, name, participant_type, agent_adapter, actor_id)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (space_id, participant_id) DO UPDATE SET
                 name = EXCLUDED.name,
                 agent_adapter = COALESCE(EXCLUDED.agent_adapter, participants.agent_adapter)
             RETURNING {COLUMNS}"
        ))
        .await?;
    let row = db
        .query_one(
            &stmt,
            &[
                &p.space_id,
                &p.participant_id,
                &p.name,
                &p.participant_type,
                &p.agent_adapter,
                &p.actor_id,
            ],
        )
        .await?;
    Ok(ParticipantRow::from_row(&row))
}
