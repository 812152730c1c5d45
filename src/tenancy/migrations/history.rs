//! The migration runner: each migration in its own transaction, its statements sent one at a
//! time (see [`super::statements`]), recorded in refinery's history table exactly as refinery
//! records it (same table, same columns, same checksums), so schemas migrated by earlier
//! versions, which ran refinery's own runner, carry on. A shipped migration that was edited
//! (its name or checksum differs from the recorded one) or an applied one this binary lacks
//! stops the run, as refinery's `abort_divergent` and `abort_missing` did.

use anyhow::{anyhow, bail};
use chrono::SecondsFormat;
use refinery::Migration;
use tokio_postgres::Client;

/// Where a run records its history and what each of its transactions sets first.
pub struct Scope<'a> {
    /// The history table, schema-qualified and quoted.
    pub table: String,
    /// `SET LOCAL …` statements, run at the start of every transaction.
    pub settings: &'a [String],
}

/// A migration as the history table records it.
#[derive(Debug)]
pub struct Applied {
    pub version: i32,
    pub name: String,
    pub checksum: String,
}

/// Apply what `migrations` has beyond the history in `scope.table`, creating the table when
/// missing. The caller holds the advisory lock of the schema. Returns how many were applied.
pub async fn run(
    client: &mut Client,
    migrations: &[Migration],
    scope: &Scope<'_>,
) -> anyhow::Result<usize> {
    let exists: bool = client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&scope.table])
        .await?
        .get(0);
    if !exists {
        let tx = client.transaction().await?;
        set(&tx, scope.settings).await?;
        // refinery's own definition, so either runner can read what the other wrote.
        tx.batch_execute(&format!(
            "CREATE TABLE {} (version int4 PRIMARY KEY, name varchar(255),
                              applied_on varchar(255), checksum varchar(255))",
            scope.table
        ))
        .await?;
        tx.commit().await?;
    }
    let applied: Vec<Applied> = client
        .query(
            &format!(
                "SELECT version, name, checksum FROM {} ORDER BY version",
                scope.table
            ),
            &[],
        )
        .await?
        .iter()
        .map(|row| Applied {
            version: row.get(0),
            name: row.get::<_, Option<String>>(1).unwrap_or_default(),
            checksum: row.get::<_, Option<String>>(2).unwrap_or_default(),
        })
        .collect();
    let pending = pending(&applied, migrations)?;
    let insert = format!(
        "INSERT INTO {} (version, name, applied_on, checksum) VALUES ($1, $2, $3, $4)",
        scope.table
    );
    for migration in &pending {
        let tx = client.transaction().await?;
        let applied_on = crate::domain::now().to_rfc3339_opts(SecondsFormat::Secs, true);
        let result = async {
            set(&tx, scope.settings).await?;
            super::statements::apply(&tx, migration).await?;
            tx.execute(
                insert.as_str(),
                &[
                    &migration.version(),
                    &migration.name(),
                    &applied_on,
                    &migration.checksum().to_string(),
                ],
            )
            .await?;
            tx.commit().await
        }
        .await;
        result.map_err(|e| anyhow!("{migration}: {}", crate::error::db_message(&e)))?;
    }
    Ok(pending.len())
}

async fn set(
    tx: &tokio_postgres::Transaction<'_>,
    settings: &[String],
) -> Result<(), tokio_postgres::Error> {
    for setting in settings {
        tx.batch_execute(setting).await?;
    }
    Ok(())
}

/// The migrations to apply, in order, after checking them against what was applied: every
/// applied one must be among `migrations` unchanged, and none may be missing below the newest
/// applied version (refinery's rules, so a history either runner wrote passes or fails alike).
pub fn pending<'m>(
    applied: &[Applied],
    migrations: &'m [Migration],
) -> anyhow::Result<Vec<&'m Migration>> {
    let mut sorted: Vec<&Migration> = migrations.iter().collect();
    sorted.sort_by_key(|m| m.version());
    if let Some(pair) = sorted.windows(2).find(|p| p[0].version() == p[1].version()) {
        bail!("migrations {} and {} share a version", pair[0], pair[1]);
    }
    for done in applied {
        let Some(local) = sorted.iter().find(|m| m.version() == done.version) else {
            bail!(
                "migration V{}__{} was applied but this binary does not have it",
                done.version,
                done.name
            );
        };
        if local.name() != done.name || local.checksum().to_string() != done.checksum {
            bail!(
                "applied migration V{}__{} differs from this binary's {local}: \
                 a shipped migration must never change",
                done.version,
                done.name
            );
        }
    }
    let newest = applied.iter().map(|a| a.version).max();
    let mut pending = Vec::new();
    for m in sorted {
        if applied.iter().any(|a| a.version == m.version()) {
            continue;
        }
        if newest.is_some_and(|newest| m.version() <= newest) {
            bail!("migration {m} is older than the newest applied one but was never applied");
        }
        pending.push(m);
    }
    Ok(pending)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migration(name: &str, sql: &str) -> Migration {
        Migration::unapplied(name, sql).unwrap()
    }

    fn applied(m: &Migration) -> Applied {
        Applied {
            version: m.version(),
            name: m.name().to_string(),
            checksum: m.checksum().to_string(),
        }
    }

    fn versions(pending: Vec<&Migration>) -> Vec<i32> {
        pending.iter().map(|m| m.version()).collect()
    }

    #[test]
    fn applies_what_is_new_in_order() {
        let set = [
            migration("V2__b", "SELECT 2"),
            migration("V1__a", "SELECT 1"),
            migration("V3__c", "SELECT 3"),
        ];
        assert_eq!(versions(pending(&[], &set).unwrap()), [1, 2, 3]);
        let done = [applied(&set[1]), applied(&set[0])];
        assert_eq!(versions(pending(&done, &set).unwrap()), [3]);
        let done = [applied(&set[1]), applied(&set[0]), applied(&set[2])];
        assert!(pending(&done, &set).unwrap().is_empty());
    }

    #[test]
    fn refuses_an_edited_migration() {
        let shipped = migration("V1__a", "SELECT 1");
        let edited = [
            migration("V1__a", "SELECT 1;"),
            migration("V2__b", "SELECT 2"),
        ];
        let err = pending(&[applied(&shipped)], &edited).unwrap_err();
        assert!(err.to_string().contains("V1__a differs"), "{err}");
        let renamed = [migration("V1__z", "SELECT 1")];
        assert!(pending(&[applied(&shipped)], &renamed).is_err());
    }

    #[test]
    fn refuses_missing_and_skipped_migrations() {
        let set = [
            migration("V1__a", "SELECT 1"),
            migration("V3__c", "SELECT 3"),
        ];
        let unknown = applied(&migration("V2__b", "SELECT 2"));
        let err = pending(&[applied(&set[0]), unknown], &set).unwrap_err();
        assert!(err.to_string().contains("does not have it"), "{err}");
        // V2 appears below V3, which was applied: it would never run in order.
        let late = [
            migration("V1__a", "SELECT 1"),
            migration("V2__b", "SELECT 2"),
            migration("V3__c", "SELECT 3"),
        ];
        let err = pending(&[applied(&late[0]), applied(&late[2])], &late).unwrap_err();
        assert!(err.to_string().contains("V2__b is older"), "{err}");
        let twice = [
            migration("V1__a", "SELECT 1"),
            migration("V1__b", "SELECT 1"),
        ];
        assert!(pending(&[], &twice).is_err());
    }
}
