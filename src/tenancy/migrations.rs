//! Migrations with refinery: `migrations/` for the control plane (schema `convo`),
//! `tenant_migrations/` for every tenant schema, each with its own history table.

use anyhow::anyhow;
use refinery::Migration;
use tokio_postgres::Client;

use crate::{db::Db, tenancy::SchemaName};

mod control {
    refinery::embed_migrations!("migrations");
}
mod tenant {
    refinery::embed_migrations!("tenant_migrations");
}

/// The history table refinery keeps in each schema.
pub const HISTORY_TABLE: &str = "refinery_schema_history";

/// Every tenant migration, in order.
pub fn tenant_migrations() -> Vec<Migration> {
    tenant::migrations::runner().get_migrations().clone()
}

/// Migrate the control plane. Safe to run from several processes at once.
pub async fn migrate_control_plane(client: &mut Client) -> anyhow::Result<usize> {
    client
        .batch_execute(
            "SELECT pg_advisory_lock(hashtext('convo.control_plane'));
             CREATE SCHEMA IF NOT EXISTS convo;",
        )
        .await?;
    let mut runner = control::migrations::runner();
    runner.set_migration_table_name(format!("convo.{HISTORY_TABLE}"));
    let result = runner.set_abort_divergent(true).run_async(client).await;
    client
        .batch_execute("SELECT pg_advisory_unlock(hashtext('convo.control_plane'))")
        .await?;
    let report = result.map_err(|e| anyhow!("control plane: {}", describe(&e)))?;
    Ok(report.applied_migrations().len())
}

/// Bring one tenant schema up to date with `migrations` (normally [`tenant_migrations`]),
/// creating it if needed. The advisory lock is taken before `CREATE SCHEMA IF NOT EXISTS`,
/// which races too. Each migration commits on its own, so an interrupted run resumes where
/// it stopped. Returns how many were applied.
pub async fn migrate_tenant(
    client: &mut Client,
    schema: &SchemaName,
    migrations: &[Migration],
) -> anyhow::Result<usize> {
    let lock_key = tenant_lock_key(schema);
    client
        .execute("SELECT pg_advisory_lock(hashtext($1))", &[&lock_key])
        .await?;
    let result = async {
        client
            .batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {q}; SET search_path TO {q};",
                q = schema.quoted()
            ))
            .await?;
        let mut runner = refinery::Runner::new(migrations);
        // Only the tenant schema is on the path, so nothing can land in `public`.
        runner.set_migration_table_name(format!("{}.{HISTORY_TABLE}", schema.quoted()));
        let report = runner
            .set_abort_divergent(true)
            .run_async(client)
            .await
            .map_err(|e| anyhow!("{}", describe(&e)))?;
        anyhow::Ok(report.applied_migrations().len())
    }
    .await;
    // Still under the lock, and also after a run that failed part-way: what was applied.
    let recorded = record_version(client, schema).await;
    client
        .execute("SELECT pg_advisory_unlock(hashtext($1))", &[&lock_key])
        .await?;
    client.batch_execute("RESET search_path").await?;
    let applied = result?;
    recorded?;
    Ok(applied)
}

/// Copy the schema's newest applied migration into `convo.tenants.schema_version`, which
/// /metrics reads (one query, not one per schema). The default schema has no row there.
async fn record_version(
    client: &Client,
    schema: &SchemaName,
) -> Result<u64, tokio_postgres::Error> {
    client
        .execute(
            &format!(
                "UPDATE convo.tenants SET schema_version =
                     (SELECT max(version) FROM {}.{HISTORY_TABLE})
                 WHERE schema_name = $1",
                schema.quoted()
            ),
            &[&schema.as_str()],
        )
        .await
}

/// The advisory lock (`hashtext` of this) held while a tenant schema is migrated; taking a
/// spare schema for a tenant tries it too, so a spare is never renamed mid-migration.
pub fn tenant_lock_key(schema: &SchemaName) -> String {
    format!("convo.tenant:{schema}")
}

/// The outcome of migrating one tenant schema.
pub struct TenantOutcome {
    pub schema: SchemaName,
    pub result: anyhow::Result<usize>,
}

/// Every tenant schema, the shared default one first.
pub async fn tenant_schemas(db: &Db) -> anyhow::Result<Vec<SchemaName>> {
    let conn = db.pool.get().await?;
    let rows = conn
        .query(
            "SELECT schema_name FROM convo.tenants ORDER BY created_at",
            &[],
        )
        .await?;
    let mut schemas = vec![SchemaName::default_tenant()];
    schemas.extend(rows.iter().filter_map(|r| SchemaName::parse(r.get(0))));
    Ok(schemas)
}

/// Migrate `schemas` with `concurrency` workers, each holding one connection for all the
/// schemas it takes (10,000 tenants must not mean 10,000 connects). Outcomes are reported to
/// `on_outcome` as they happen, for progress.
pub async fn migrate_tenants(
    db: &Db,
    schemas: Vec<SchemaName>,
    migrations: &[Migration],
    concurrency: usize,
    mut on_outcome: impl FnMut(TenantOutcome),
) {
    let queue = std::sync::Mutex::new(schemas.into_iter());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let workers: Vec<_> = (0..concurrency.max(1))
        .map(|_| (&queue, tx.clone()))
        .map(|(queue, tx)| async move {
            let mut client: Option<Client> = None;
            loop {
                let Some(schema) = queue.lock().unwrap().next() else {
                    return;
                };
                if client.as_ref().is_none_or(Client::is_closed) {
                    client = db.dedicated().await.ok();
                }
                let result = match client.as_mut() {
                    Some(c) => migrate_tenant(c, &schema, migrations).await,
                    None => Err(anyhow!("cannot connect to PostgreSQL")),
                };
                let _ = tx.send(TenantOutcome { schema, result });
            }
        })
        .collect();
    // The workers hold the only senders left: the report loop ends when they are done.
    drop(tx);
    let work = futures::future::join_all(workers);
    let report = async {
        while let Some(outcome) = rx.recv().await {
            on_outcome(outcome);
        }
    };
    tokio::join!(work, report);
}

/// Migrate every tenant schema with all tenant migrations; the outcomes in completion order.
pub async fn migrate_all_tenants(
    db: &Db,
    concurrency: usize,
) -> anyhow::Result<Vec<TenantOutcome>> {
    let schemas = tenant_schemas(db).await?;
    let mut outcomes = Vec::with_capacity(schemas.len());
    migrate_tenants(db, schemas, &tenant_migrations(), concurrency, |o| {
        outcomes.push(o)
    })
    .await;
    Ok(outcomes)
}

/// How many tenant schemas are at each migration version (`None`: no migration recorded).
pub async fn tenant_versions(
    db: &Db,
) -> anyhow::Result<std::collections::BTreeMap<Option<i32>, usize>> {
    let schemas = tenant_schemas(db).await?;
    let conn = db.pool.get().await?;
    let mut counts = std::collections::BTreeMap::new();
    // One query per 500 schemas; the names are validated identifiers, quoted.
    for chunk in schemas.chunks(500) {
        let sql = chunk
            .iter()
            .map(|s| {
                format!(
                    "SELECT (SELECT max(version) FROM {}.{HISTORY_TABLE})",
                    s.quoted()
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        for row in conn.query(&sql, &[]).await? {
            *counts.entry(row.get::<_, Option<i32>>(0)).or_default() += 1;
        }
    }
    Ok(counts)
}

/// refinery's Display hides the PostgreSQL message; dig it out of the source chain.
fn describe(err: &refinery::Error) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(err);
    while let Some(cause) = source {
        if let Some(pg) = cause.downcast_ref::<tokio_postgres::Error>() {
            return format!("{err}: {}", crate::error::db_message(pg));
        }
        source = cause.source();
    }
    err.to_string()
}
