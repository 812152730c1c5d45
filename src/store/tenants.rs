//! Control-plane queries on tenants.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::{domain::TenantStatus, tenancy::SchemaName};

#[derive(Clone, Debug)]
pub struct TenantRow {
    pub tenant_id: Uuid,
    pub name: String,
    pub schema_name: SchemaName,
    pub status: TenantStatus,
    pub created_at: DateTime<Utc>,
}

impl TenantRow {
    pub fn new(tenant_id: Uuid, name: String, schema_name: SchemaName) -> Self {
        TenantRow {
            tenant_id,
            name,
            schema_name,
            status: TenantStatus::Active,
            created_at: crate::domain::now(),
        }
    }

    fn from_row(row: &Row) -> Self {
        TenantRow {
            tenant_id: row.get("tenant_id"),
            name: row.get("name"),
            schema_name: SchemaName::parse(row.get("schema_name"))
                .expect("schema names in the database were validated on insert"),
            status: TenantStatus::from_db(row.get("status")),
            created_at: row.get("created_at"),
        }
    }
}

pub async fn insert(db: &impl GenericClient, t: &TenantRow) -> Result<(), tokio_postgres::Error> {
    db.execute(
        "INSERT INTO convo.tenants (tenant_id, name, schema_name, status, created_at)
         VALUES ($1, $2, $3, 'active', $4)",
        &[
            &t.tenant_id,
            &t.name,
            &t.schema_name.as_str(),
            &t.created_at,
        ],
    )
    .await?;
    Ok(())
}

pub async fn assign_actor(
    db: &impl GenericClient,
    actor_id: Uuid,
    tenant_id: Uuid,
) -> Result<(), tokio_postgres::Error> {
    db.execute(
        "UPDATE convo.actors SET tenant_id = $2 WHERE actor_id = $1",
        &[&actor_id, &tenant_id],
    )
    .await?;
    Ok(())
}

pub async fn get(
    db: &impl GenericClient,
    tenant_id: Uuid,
) -> Result<Option<TenantRow>, tokio_postgres::Error> {
    let stmt = db
        .prepare_cached(
            "SELECT tenant_id, name, schema_name, status, created_at
             FROM convo.tenants WHERE tenant_id = $1",
        )
        .await?;
    Ok(db
        .query_opt(&stmt, &[&tenant_id])
        .await?
        .as_ref()
        .map(TenantRow::from_row))
}
