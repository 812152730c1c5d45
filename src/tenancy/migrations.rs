//! Migrations with refinery: `migrations/` for the control plane (schema `convo`),
//! `tenant_migrations/` for every tenant schema, each with its own history table.

use anyhow::anyhow;
use futures::StreamExt;
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

/// Bring one tenant schema up to date (creating it if needed). The advisory lock is taken
/// before `CREATE SCHEMA IF NOT EXISTS`, which races too. Returns how many were applied.
pub async fn migrate_tenant(client: &mut Client, schema: &SchemaName) -> anyhow::Result<usize> {
    let lock_key = format!("convo.tenant:{schema}");
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
        let mut runner = tenant::migrations::runner();
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
    client
        .execute("SELECT pg_advisory_unlock(hashtext($1))", &[&lock_key])
        .await?;
    client.batch_execute("RESET search_path").await?;
    result
}

/// The outcome of migrating one tenant schema.
pub struct TenantOutcome {
    pub schema: SchemaName,
    pub result: anyhow::Result<usize>,
}

/// Migrate every tenant schema (the default one included), `concurrency` at a time, each on
/// its own connection.
pub async fn migrate_all_tenants(
    db: &Db,
    concurrency: usize,
) -> anyhow::Result<Vec<TenantOutcome>> {
    let conn = db.pool.get().await?;
    let rows = conn
        .query(
            "SELECT schema_name FROM convo.tenants ORDER BY created_at",
            &[],
        )
        .await?;
    drop(conn);
    let mut schemas = vec![SchemaName::default_tenant()];
    schemas.extend(rows.iter().filter_map(|r| SchemaName::parse(r.get(0))));
    let outcomes = futures::stream::iter(schemas)
        .map(|schema| async move {
            let result = async {
                let mut client = db.dedicated().await?;
                migrate_tenant(&mut client, &schema).await
            }
            .await;
            TenantOutcome { schema, result }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    Ok(outcomes)
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
