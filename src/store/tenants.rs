//! Control-plane queries on tenants.

use super::rows;
use chrono::{DateTime, Utc};

use crate::tenancy::Control;
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

/// Insert a tenant created by `created_by`.
pub async fn insert(
    db: &impl Control,
    t: &TenantRow,
    created_by: Uuid,
) -> Result<(), tokio_postgres::Error> {
    let db = db.client();
    db.execute(
        "INSERT INTO convo.tenants (tenant_id, name, schema_name, status, created_at, created_by)
         VALUES ($1, $2, $3, 'active', $4, $5)",
        &[
            &t.tenant_id,
            &t.name,
            &t.schema_name.as_str(),
            &t.created_at,
            &created_by,
        ],
    )
    .await?;
    Ok(())
}

/// Tenants `actor_id` created: in total, and since `since` with the oldest of those.
pub struct Created {
    pub total: i64,
    pub recent: i64,
    pub oldest_recent: Option<DateTime<Utc>>,
}

/// What `actor_id` created (lock the actor first to count and insert safely).
pub async fn created_by(
    db: &impl Control,
    actor_id: Uuid,
    since: DateTime<Utc>,
) -> Result<Created, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached(
            "SELECT count(*), count(*) FILTER (WHERE created_at > $2),
                    min(created_at) FILTER (WHERE created_at > $2)
             FROM convo.tenants WHERE created_by = $1",
        )
        .await?;
    let row = db.query_one(&stmt, &[&actor_id, &since]).await?;
    Ok(Created {
        total: row.get(0),
        recent: row.get(1),
        oldest_recent: row.get(2),
    })
}

/// Move a human and the agents it sponsors to `tenant_id` (an agent always lives in its
/// sponsor's tenant). Returns the ids of every actor moved.
pub async fn assign_actor_and_agents(
    db: &impl Control,
    actor_id: Uuid,
    tenant_id: Uuid,
) -> Result<Vec<Uuid>, tokio_postgres::Error> {
    let db = db.client();
    let rows = db
        .query(
            "UPDATE convo.actors SET tenant_id = $2
             WHERE actor_id = $1 OR sponsor_id = $1
             RETURNING actor_id",
            &[&actor_id, &tenant_id],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

pub async fn get(
    db: &impl Control,
    tenant_id: Uuid,
) -> Result<Option<TenantRow>, tokio_postgres::Error> {
    rows::opt(
        db.client(),
        "SELECT tenant_id, name, schema_name, status, created_at
             FROM convo.tenants WHERE tenant_id = $1",
        &[&tenant_id],
        TenantRow::from_row,
    )
    .await
}

/// A tenant as the platform operator sees it.
#[derive(Clone, Debug)]
pub struct TenantOverview {
    pub tenant: TenantRow,
    /// Actors assigned to the tenant (humans and agents).
    pub member_count: i64,
}

/// The columns [`TenantOverview::from_row`] reads, from every tenant.
const OVERVIEW: &str = "SELECT t.tenant_id, t.name, t.schema_name, t.status, t.created_at,
            (SELECT count(*) FROM convo.actors a WHERE a.tenant_id = t.tenant_id) AS member_count
     FROM convo.tenants t";

impl TenantOverview {
    fn from_row(row: &Row) -> Self {
        TenantOverview {
            tenant: TenantRow::from_row(row),
            member_count: row.get("member_count"),
        }
    }
}

/// Every tenant, oldest first, optionally only those with `status`.
pub async fn list_overview(
    db: &impl Control,
    status: Option<TenantStatus>,
) -> Result<Vec<TenantOverview>, tokio_postgres::Error> {
    let sql = format!(
        "{OVERVIEW} WHERE $1::text IS NULL OR t.status = $1 ORDER BY t.created_at, t.tenant_id"
    );
    let status = status.map(TenantStatus::as_str);
    rows::all(db.client(), &sql, &[&status], TenantOverview::from_row).await
}

pub async fn get_overview(
    db: &impl Control,
    tenant_id: Uuid,
) -> Result<Option<TenantOverview>, tokio_postgres::Error> {
    let sql = format!("{OVERVIEW} WHERE t.tenant_id = $1");
    rows::opt(db.client(), &sql, &[&tenant_id], TenantOverview::from_row).await
}

/// Set a tenant's status; `false` if there is no such tenant. Setting the current status
/// again is allowed (idempotent).
pub async fn set_status(
    db: &impl Control,
    tenant_id: Uuid,
    status: TenantStatus,
) -> Result<bool, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached("UPDATE convo.tenants SET status = $2 WHERE tenant_id = $1")
        .await?;
    Ok(db.execute(&stmt, &[&tenant_id, &status.as_str()]).await? == 1)
}

/// The schemas of tenants whose recorded schema version is not `latest` (behind, unknown, or
/// ahead), oldest tenant first, and how many tenants there are in all. `convo migrate` opens
/// only these: the version is written in the transaction that creates a tenant and after each
/// migration of its schema.
pub async fn schemas_not_at(
    db: &impl Control,
    latest: Option<i32>,
) -> Result<(Vec<SchemaName>, usize), tokio_postgres::Error> {
    let db = db.client();
    let rows = db
        .query(
            "SELECT schema_name, schema_version IS NOT DISTINCT FROM $1 FROM convo.tenants
             ORDER BY created_at",
            &[&latest],
        )
        .await?;
    let behind = rows
        .iter()
        .filter(|row| !row.get::<_, bool>(1))
        .filter_map(|row| SchemaName::parse(row.get(0)))
        .collect();
    Ok((behind, rows.len()))
}
