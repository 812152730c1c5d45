//! Spare tenant schemas: created and migrated ahead of time, so creating a tenant renames one
//! (`ALTER SCHEMA … RENAME`) instead of running every tenant migration inside the request.
//!
//! The life of a spare `convo_spare_<uuid>`, every step keyed by `convo.spare_schemas`:
//! 1. its row is inserted (version NULL) before the schema exists, so a crash part-way leaves a
//!    row the next refill finishes, never a schema nobody lists;
//! 2. the schema is created and migrated by [`migrations::migrate_tenant`], exactly as a tenant
//!    schema is (Citus settings included), under the schema's advisory lock, and the version it
//!    reached is recorded in its row: only then can it be taken;
//! 3. [`take`], in the creating transaction: the oldest spare at the creator's latest version is
//!    row-locked (`SKIP LOCKED`: concurrent creators get distinct spares), its advisory lock
//!    tried (a spare being migrated is skipped), its row deleted and the schema renamed to the
//!    tenant's. A rollback restores both: a failed creation leaves the spare a spare.
//!
//! [`refill`] migrates spares that are behind and tops the pool up to its target. It runs under
//! a session advisory lock, so replicas refill one at a time and the pool never holds more than
//! the largest target any of them was given.

use refinery::Migration;
use tokio_postgres::Client;
use uuid::Uuid;

use crate::db::Conn;
use crate::tenancy::{SchemaName, migrations};

/// The advisory lock one refill holds, so replicas do not overshoot the target together.
const REFILL_LOCK: &str = "convo.spare_schemas";

/// What a [`refill`] did.
#[derive(Debug, Default)]
pub struct Refill {
    /// Spares brought up to the latest migration.
    pub migrated: usize,
    /// New spares created.
    pub created: usize,
    /// Spares that failed to migrate or be created, with why.
    pub failed: Vec<(SchemaName, anyhow::Error)>,
    /// Spares ready to be taken (at the latest migration) when the refill ended.
    pub ready: usize,
}

/// In the tenant-creating transaction `tx`: take a spare at migration `version` and rename it
/// to `schema`. `false` when none is ready (the caller provisions the schema itself).
pub async fn take(
    tx: &Conn,
    version: i32,
    schema: &SchemaName,
) -> Result<bool, tokio_postgres::Error> {
    let Some(row) = tx
        .query_opt(
            "SELECT schema_name FROM convo.spare_schemas WHERE schema_version = $1
             ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED",
            &[&version],
        )
        .await?
    else {
        return Ok(false);
    };
    let Some(spare) = SchemaName::parse(row.get(0)) else {
        return Ok(false);
    };
    // Held until commit: `convo migrate` or a refill holding it is migrating this spare, and
    // one that waits for it finds the row gone afterwards.
    let lock = migrations::tenant_lock_key(&spare);
    let taken = tx
        .execute(
            "DELETE FROM convo.spare_schemas
             WHERE schema_name = $1 AND pg_try_advisory_xact_lock(hashtext($2))",
            &[&spare.as_str(), &lock],
        )
        .await?;
    if taken == 0 {
        return Ok(false);
    }
    tx.batch_execute(&format!(
        "ALTER SCHEMA {} RENAME TO {}",
        spare.quoted(),
        schema.quoted()
    ))
    .await?;
    Ok(true)
}

/// Migrate spares that are behind `migrations`, then create spares until the pool holds
/// `target` of them. With `wait`, queue behind a refill running elsewhere; without, return
/// `None` at once when there is one.
pub async fn refill(
    client: &mut Client,
    target: u32,
    migrations: &[Migration],
    wait: bool,
) -> anyhow::Result<Option<Refill>> {
    let Some(latest) = migrations.iter().map(Migration::version).max() else {
        return Ok(Some(Refill::default()));
    };
    let locked = if wait {
        client
            .execute("SELECT pg_advisory_lock(hashtext($1))", &[&REFILL_LOCK])
            .await?;
        true
    } else {
        client
            .query_one("SELECT pg_try_advisory_lock(hashtext($1))", &[&REFILL_LOCK])
            .await?
            .get(0)
    };
    if !locked {
        return Ok(None);
    }
    let result = refill_locked(client, target, migrations, latest).await;
    client
        .execute("SELECT pg_advisory_unlock(hashtext($1))", &[&REFILL_LOCK])
        .await?;
    result.map(Some)
}

async fn refill_locked(
    client: &mut Client,
    target: u32,
    migrations: &[Migration],
    latest: i32,
) -> anyhow::Result<Refill> {
    let mut refill = Refill::default();
    // Spares of a newer release are left alone (and still count towards the target).
    let behind = list(client)
        .await?
        .into_iter()
        .filter(|(_, version)| version.is_none_or(|v| v < latest));
    for (spare, _) in behind {
        match migrate_spare(client, &spare, migrations).await {
            Ok(Some(applied)) => refill.migrated += usize::from(applied > 0),
            Ok(None) => {}
            Err(err) => refill.failed.push((spare, err)),
        }
    }
    let held = list(client).await?.len();
    for _ in held..target as usize {
        match create_spare(client, migrations).await {
            Ok(_) => refill.created += 1,
            Err((spare, err)) => {
                // The cause (a broken migration, the database) would fail the next one too.
                refill.failed.push((spare, err));
                break;
            }
        }
    }
    refill.ready = list(client)
        .await?
        .iter()
        .filter(|(_, version)| *version == Some(latest))
        .count();
    Ok(refill)
}

/// A new spare, migrated to the latest of `migrations`.
async fn create_spare(
    client: &mut Client,
    migrations: &[Migration],
) -> Result<SchemaName, (SchemaName, anyhow::Error)> {
    let spare = SchemaName::parse(&format!("convo_spare_{}", Uuid::new_v4().simple()))
        .expect("32 hex digits after a fixed prefix are a valid schema name");
    let created = async {
        client
            .execute(
                "INSERT INTO convo.spare_schemas (schema_name, created_at) VALUES ($1, $2)",
                &[&spare.as_str(), &crate::domain::now()],
            )
            .await?;
        migrate_spare(client, &spare, migrations).await
    }
    .await;
    match created {
        Ok(_) => Ok(spare),
        Err(err) => Err((spare, err)),
    }
}

/// Bring a spare up to date with `migrations` and record its version; `None` when it is no
/// longer a spare (a tenant took it: it is migrated as a tenant from then on).
async fn migrate_spare(
    client: &mut Client,
    spare: &SchemaName,
    migrations: &[Migration],
) -> anyhow::Result<Option<usize>> {
    // Held around the check and the migration: a creator cannot take the spare in between
    // (advisory locks nest, so `migrate_tenant` taking it again is fine).
    let lock = migrations::tenant_lock_key(spare);
    client
        .execute("SELECT pg_advisory_lock(hashtext($1))", &[&lock])
        .await?;
    let result = async {
        let listed = client
            .query_opt(
                "SELECT 1 FROM convo.spare_schemas WHERE schema_name = $1",
                &[&spare.as_str()],
            )
            .await?
            .is_some();
        if !listed {
            // Taken (and renamed) while this waited: never re-create it under the old name.
            return Ok(None);
        }
        let applied = migrations::migrate_tenant(client, spare, migrations).await?;
        migrations::record_version(client, spare, "convo.spare_schemas").await?;
        anyhow::Ok(Some(applied))
    }
    .await;
    client
        .execute("SELECT pg_advisory_unlock(hashtext($1))", &[&lock])
        .await?;
    result
}

/// Every spare with its recorded version, oldest first.
pub async fn list(
    client: &Client,
) -> Result<Vec<(SchemaName, Option<i32>)>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT schema_name, schema_version FROM convo.spare_schemas ORDER BY created_at",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .filter_map(|row| Some((SchemaName::parse(row.get(0))?, row.get(1))))
        .collect())
}
