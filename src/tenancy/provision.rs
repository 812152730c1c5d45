//! Creating a tenant in one transaction: pick a unique schema name, create the schema, run
//! every tenant migration in it, record them in the schema's refinery history, insert the
//! tenant (with its schema version) and assign its creator and the agents it sponsors. A failure
//! anywhere leaves nothing behind.

use chrono::SecondsFormat;
use deadpool_postgres::{GenericClient, Object};
use refinery::Migration;
use tokio_postgres::error::SqlState;
use uuid::Uuid;

use crate::{
    auth::invalidation,
    store::tenants::{self, TenantRow},
    tenancy::{SchemaName, migrations::HISTORY_TABLE},
};

/// Attempts before giving up on a name race between tenants with different base names.
const ATTEMPTS: usize = 3;

pub async fn create_tenant(
    conn: &mut Object,
    name: &str,
    creator: Uuid,
    migrations: &[Migration],
) -> Result<TenantRow, tokio_postgres::Error> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match try_create(conn, name, creator, migrations).await {
            Err(err) if attempt < ATTEMPTS && is_name_race(&err) => continue,
            other => return other,
        }
    }
}

fn is_name_race(err: &tokio_postgres::Error) -> bool {
    matches!(err.code(), Some(c) if *c == SqlState::DUPLICATE_SCHEMA || *c == SqlState::UNIQUE_VIOLATION)
}

async fn try_create(
    conn: &mut Object,
    name: &str,
    creator: Uuid,
    migrations: &[Migration],
) -> Result<TenantRow, tokio_postgres::Error> {
    let tx = conn.transaction().await?;
    let base = SchemaName::base_for_tenant(name);
    // Creators of the same base name queue up, so they pick distinct suffixes.
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext($1))",
        &[&format!("convo.schema:{base}")],
    )
    .await?;
    let schema = free_schema_name(&tx, &base).await?;
    tx.batch_execute(&format!(
        "CREATE SCHEMA {q}; SET LOCAL search_path TO {q};",
        q = schema.quoted()
    ))
    .await?;
    for migration in migrations {
        tx.batch_execute(migration.sql().unwrap_or_default())
            .await?;
    }
    record_history(&tx, &schema, migrations).await?;
    let tenant = TenantRow::new(Uuid::new_v4(), name.to_string(), schema);
    tenants::insert(&tx, &tenant).await?;
    // What /metrics counts tenants by; `convo migrate` keeps it current from here on.
    let version = migrations.iter().map(Migration::version).max();
    tx.execute(
        "UPDATE convo.tenants SET schema_version = $2 WHERE tenant_id = $1",
        &[&tenant.tenant_id, &version],
    )
    .await?;
    // The creator's agents move with it: an agent left behind would keep reading a tenant
    // its sponsor left, with keys its sponsor holds.
    // Locked in a statement of its own first, so the move's snapshot, taken after the lock is
    // granted, includes an agent whose registration held the lock (see `actors::insert`).
    tx.execute(
        "SELECT 1 FROM convo.actors WHERE actor_id = $1 FOR UPDATE",
        &[&creator],
    )
    .await?;
    let moved = tenants::assign_actor_and_agents(&tx, creator, tenant.tenant_id).await?;
    // Their cached credentials name the old tenant: drop them on every replica.
    for actor in moved {
        invalidation::notify_actor(&tx, actor).await?;
    }
    tx.commit().await?;
    Ok(tenant)
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
