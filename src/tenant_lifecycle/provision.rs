//! Creating a tenant in one transaction: pick a unique schema name, take a spare schema at the
//! latest migration and rename it to that name ([`super::spares`]), or, when none is ready,
//! create the schema, run every tenant migration in it and record them in the schema's refinery
//! history; then insert the tenant (with its schema version) and assign its creator and the
//! agents it sponsors. A failure anywhere leaves nothing behind (a spare stays a spare).
//!
//! The creator's quota (tenants per hour and in total) is counted in the same transaction,
//! with the creator's row locked, so concurrent creations cannot overshoot it.

use std::time::Duration;

use chrono::SecondsFormat;
use deadpool_postgres::{GenericClient, Transaction};
use refinery::Migration;
use tokio_postgres::error::SqlState;
use uuid::Uuid;

use super::spares;
use crate::{
    auth::invalidation,
    store::{
        actors,
        tenants::{self, TenantRow},
    },
    tenancy::{
        Control, ControlConn, SchemaName,
        migrations::{self, HISTORY_TABLE, Placement},
    },
};

/// Attempts before giving up on a name race between tenants with different base names.
const ATTEMPTS: usize = 3;

/// The window of [`TenantQuota::per_hour`].
const HOUR: Duration = Duration::from_secs(3600);

/// How many tenants one actor may create; 0 means no limit.
#[derive(Clone, Copy, Debug)]
pub struct TenantQuota {
    pub per_hour: u32,
    pub total: u32,
}

impl TenantQuota {
    pub const UNLIMITED: TenantQuota = TenantQuota {
        per_hour: 0,
        total: 0,
    };
}

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error(transparent)]
    Db(#[from] tokio_postgres::Error),
    /// The creator has created `limit` tenants in total.
    #[error("tenant quota reached: {limit} in total")]
    TotalReached { limit: u32 },
    /// The creator has created `limit` tenants within the last hour.
    #[error("tenant quota reached: {limit} per hour")]
    HourlyReached { limit: u32, retry_after: Duration },
    /// The creator no longer exists.
    #[error("the creator no longer exists")]
    NoCreator,
}

pub async fn create_tenant(
    conn: &mut ControlConn,
    name: &str,
    creator: Uuid,
    migrations: &[Migration],
    quota: TenantQuota,
) -> Result<TenantRow, ProvisionError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match try_create(conn, name, creator, migrations, quota).await {
            Err(ProvisionError::Db(err)) if attempt < ATTEMPTS && is_name_race(&err) => continue,
            other => return other,
        }
    }
}

fn is_name_race(err: &tokio_postgres::Error) -> bool {
    matches!(err.code(), Some(c) if *c == SqlState::DUPLICATE_SCHEMA || *c == SqlState::UNIQUE_VIOLATION)
}

/// Refuse when `creator` has used up `quota` (call with the creator's row locked).
async fn check_quota(
    tx: &impl Control,
    creator: Uuid,
    quota: TenantQuota,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ProvisionError> {
    if quota.per_hour == 0 && quota.total == 0 {
        return Ok(());
    }
    let window = chrono::TimeDelta::from_std(HOUR).expect("an hour fits");
    let created = tenants::created_by(tx, creator, now - window).await?;
    if quota.total > 0 && created.total >= i64::from(quota.total) {
        return Err(ProvisionError::TotalReached { limit: quota.total });
    }
    if quota.per_hour > 0 && created.recent >= i64::from(quota.per_hour) {
        // A slot frees up an hour after the oldest creation in the window.
        let frees_at = created.oldest_recent.unwrap_or(now) + window;
        let retry_after = (frees_at - now).to_std().unwrap_or(Duration::ZERO);
        return Err(ProvisionError::HourlyReached {
            limit: quota.per_hour,
            retry_after,
        });
    }
    Ok(())
}

async fn try_create(
    conn: &mut ControlConn,
    name: &str,
    creator: Uuid,
    migrations: &[Migration],
    quota: TenantQuota,
) -> Result<TenantRow, ProvisionError> {
    let control = conn.transaction().await?;
    let tx = control.raw();
    // Locked first: concurrent creations by one actor queue here and count each other.
    if actors::lock(&control, creator).await?.is_none() {
        return Err(ProvisionError::NoCreator);
    }
    check_quota(&control, creator, quota, crate::domain::now()).await?;
    let base = SchemaName::base_for_tenant(name);
    // Creators of the same base name queue up, so they pick distinct suffixes.
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext($1))",
        &[&format!("convo.schema:{base}")],
    )
    .await?;
    let schema = free_schema_name(tx, &base).await?;
    let version = migrations.iter().map(Migration::version).max();
    let from_spare = match version {
        Some(version) => spares::take(tx, version, &schema).await?,
        None => false,
    };
    if !from_spare {
        provision_schema(tx, &schema, migrations).await?;
    }
    let tenant = TenantRow::new(Uuid::new_v4(), name.to_string(), schema);
    tenants::insert(&control, &tenant, creator).await?;
    // What /metrics counts tenants by, and what lets `convo migrate` skip current tenants;
    // it keeps it current from here on. A spare was taken only at exactly this version.
    tx.execute(
        "UPDATE convo.tenants SET schema_version = $2 WHERE tenant_id = $1",
        &[&tenant.tenant_id, &version],
    )
    .await?;
    // The creator's agents move with it: an agent left behind would keep reading a tenant
    // its sponsor left, with keys its sponsor holds. The creator's row was locked in a
    // statement of its own at the start, so the move's snapshot, taken after the lock was
    // granted, includes an agent whose registration held the lock (see `actors::insert`).
    let moved = tenants::assign_actor_and_agents(&control, creator, tenant.tenant_id).await?;
    // Their cached credentials name the old tenant: drop them on every replica.
    for actor in moved {
        invalidation::notify_actor(&control, actor).await?;
    }
    control.commit().await?;
    Ok(tenant)
}

/// No spare was ready: create the schema and run every migration in it here, in the
/// creating transaction.
async fn provision_schema(
    tx: &Transaction<'_>,
    schema: &SchemaName,
    migrations: &[Migration],
) -> Result<(), tokio_postgres::Error> {
    // Distributed on Citus; statements one at a time, as Citus needs (docs/citus.md).
    migrations::create_schema(tx, schema, Placement::Distributed).await?;
    tx.batch_execute(&format!("SET LOCAL search_path TO {}", schema.quoted()))
        .await?;
    for migration in migrations {
        migrations::apply(tx, migration).await?;
    }
    record_history(tx, schema, migrations).await
}

/// The base name if no schema has it, else the base with the lowest free numeric suffix.
async fn free_schema_name(
    tx: &impl GenericClient,
    base: &SchemaName,
) -> Result<SchemaName, tokio_postgres::Error> {
    let taken: Vec<String> = tx
        .query(
            "SELECT nspname::text FROM pg_namespace
             WHERE nspname = $1 OR nspname ~ ('^' || $1 || '_[0-9]+$')",
            &[&base.as_str()],
        )
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    if !taken.iter().any(|t| t == base.as_str()) {
        return Ok(base.clone());
    }
    let candidate = (2u32..)
        .map(|n| base.with_suffix(n))
        .find(|c| !taken.iter().any(|t| t == c.as_str()))
        .expect("an unbounded range has a free suffix");
    Ok(candidate)
}

/// Write the history refinery would have written, so `convo migrate` later applies only
/// what is new.
async fn record_history(
    tx: &impl GenericClient,
    schema: &SchemaName,
    migrations: &[Migration],
) -> Result<(), tokio_postgres::Error> {
    let table = format!("{}.{HISTORY_TABLE}", schema.quoted());
    tx.batch_execute(&format!(
        "CREATE TABLE {table} (version int4 PRIMARY KEY, name varchar(255),
                               applied_on varchar(255), checksum varchar(255))"
    ))
    .await?;
    let applied_on = chrono::Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let insert = format!(
        "INSERT INTO {table} (version, name, applied_on, checksum) VALUES ($1, $2, $3, $4)"
    );
    for m in migrations {
        tx.execute(
            insert.as_str(),
            &[
                &m.version(),
                &m.name(),
                &applied_on,
                &m.checksum().to_string(),
            ],
        )
        .await?;
    }
    Ok(())
}
