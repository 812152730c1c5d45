//! Migrations: `migrations/` for the control plane (schema `convo`), `tenant_migrations/` for
//! every tenant schema, each schema with its own refinery history table. refinery embeds the
//! files and computes their checksums; [`history`] runs them one statement at a time (Citus
//! refuses some DDL inside a multi-statement string) and records them as refinery does.
//!
//! On Citus (docs/citus.md) a schema created while `citus.enable_schema_based_sharding` is on
//! becomes a distributed schema, so each schema is created once, when missing (checked first,
//! under the schema's advisory lock), with the setting made explicit for its [`Placement`].

mod history;
mod statements;

use anyhow::anyhow;
use refinery::Migration;
use tokio_postgres::{Client, Transaction};

use crate::{db::Db, tenancy::SchemaName};

mod control {
    refinery::embed_migrations!("migrations");
}
mod tenant {
    refinery::embed_migrations!("tenant_migrations");
}

pub use statements::{apply, mask, split, statements};

/// The history table refinery keeps in each schema.
pub const HISTORY_TABLE: &str = "refinery_schema_history";

/// The control plane's schema.
const CONTROL_SCHEMA: &str = "convo";

/// Every tenant migration, in order.
pub fn tenant_migrations() -> Vec<Migration> {
    tenant::migrations::runner().get_migrations().clone()
}

/// Where a schema's tables live on Citus. Tenant schemas are distributed (each placed whole
/// on one worker); the control plane and the shared default schema stay on the coordinator.
/// On plain PostgreSQL the setting is a harmless placeholder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    Coordinator,
    Distributed,
}

impl Placement {
    /// The placement of a tenant-plane schema: only the default schema stays on the
    /// coordinator.
    pub fn of(schema: &SchemaName) -> Placement {
        if *schema == SchemaName::default_tenant() {
            Placement::Coordinator
        } else {
            Placement::Distributed
        }
    }

    /// The setting every transaction that creates or migrates such a schema starts with.
    fn setting(self) -> &'static str {
        match self {
            Placement::Coordinator => "SET LOCAL citus.enable_schema_based_sharding = off",
            Placement::Distributed => "SET LOCAL citus.enable_schema_based_sharding = on",
        }
    }
}

/// Create `schema` in `tx` with the sharding setting of `placement`, so that on Citus it is
/// distributed or not by intent rather than by the cluster's default. The caller knows the
/// schema is missing: re-creating an existing one (even `IF NOT EXISTS`) with the setting on
/// would make it distributed.
pub async fn create_schema(
    tx: &Transaction<'_>,
    schema: &SchemaName,
    placement: Placement,
) -> Result<(), tokio_postgres::Error> {
    for statement in create_schema_statements(schema, placement) {
        tx.batch_execute(&statement).await?;
    }
    Ok(())
}

/// The statements of [`create_schema`], one at a time, for a caller on a pooled connection.
pub fn create_schema_statements(schema: &SchemaName, placement: Placement) -> [String; 2] {
    [
        placement.setting().to_string(),
        format!("CREATE SCHEMA {}", schema.quoted()),
    ]
}

/// Create `schema` if it does not exist (checked first; call under its advisory lock).
async fn ensure_schema(
    client: &mut Client,
    schema: &SchemaName,
    placement: Placement,
) -> Result<(), tokio_postgres::Error> {
    let exists: bool = client
        .query_one(
            "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1)",
            &[&schema.as_str()],
        )
        .await?
        .get(0);
    if !exists {
        let tx = client.transaction().await?;
        create_schema(&tx, schema, placement).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Migrate the control plane. Safe to run from several processes at once.
pub async fn migrate_control_plane(client: &mut Client) -> anyhow::Result<usize> {
    let lock_key = format!("{CONTROL_SCHEMA}.control_plane");
    client
        .execute("SELECT pg_advisory_lock(hashtext($1))", &[&lock_key])
        .await?;
    let settings = [Placement::Coordinator.setting().to_string()];
    let schema = SchemaName::parse(CONTROL_SCHEMA).expect("a valid schema name");
    let result = async {
        ensure_schema(client, &schema, Placement::Coordinator).await?;
        let scope = history::Scope {
            table: format!("{CONTROL_SCHEMA}.{HISTORY_TABLE}"),
            settings: &settings,
        };
        history::run(
            client,
            control::migrations::runner().get_migrations(),
            &scope,
        )
        .await
    }
    .await;
    client
        .execute("SELECT pg_advisory_unlock(hashtext($1))", &[&lock_key])
        .await?;
    result.map_err(|e| anyhow!("control plane: {e:#}"))
}

/// Bring one tenant schema up to date with `migrations` (normally [`tenant_migrations`]),
/// creating it if missing, with the setting of its [`Placement`]. Everything happens under
/// the schema's advisory lock, the existence check included. Each migration commits on its
/// own, so an interrupted run resumes where it stopped. Returns how many were applied.
pub async fn migrate_tenant(
    client: &mut Client,
    schema: &SchemaName,
    migrations: &[Migration],
) -> anyhow::Result<usize> {
    let lock_key = tenant_lock_key(schema);
    client
        .execute("SELECT pg_advisory_lock(hashtext($1))", &[&lock_key])
        .await?;
    let placement = Placement::of(schema);
    // Only the tenant schema is on the path, so nothing can land in `public`.
    let settings = [
        placement.setting().to_string(),
        format!("SET LOCAL search_path TO {}", schema.quoted()),
    ];
    let result = async {
        ensure_schema(client, schema, placement).await?;
        let scope = history::Scope {
            table: format!("{}.{HISTORY_TABLE}", schema.quoted()),
            settings: &settings,
        };
        history::run(client, migrations, &scope).await
    }
    .await;
    // Still under the lock, and also after a run that failed part-way: what was applied.
    let recorded = record_version(client, schema, "convo.tenants").await;
    client
        .execute("SELECT pg_advisory_unlock(hashtext($1))", &[&lock_key])
        .await?;
    let applied = result?;
    recorded?;
    Ok(applied)
}

/// Copy the schema's newest applied migration into the `schema_version` of its row in
/// `registry` (`convo.tenants`, which /metrics and `convo migrate` read without opening each
/// schema, or `convo.spare_schemas`). The default schema has no row in either.
pub async fn record_version(
    client: &Client,
    schema: &SchemaName,
    registry: &'static str,
) -> Result<u64, tokio_postgres::Error> {
    client
        .execute(
            &format!(
                "UPDATE {registry} SET schema_version =
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
