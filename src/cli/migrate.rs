//! `convo migrate`: the control plane, then every tenant schema, several at once.

use anyhow::bail;

use crate::{config::DbConfig, db::Db, tenancy::migrations};

pub async fn run(db_config: DbConfig, concurrency: usize) -> anyhow::Result<()> {
    let db = Db::connect(&db_config).await?;
    let mut client = db.dedicated().await?;
    let applied = migrations::migrate_control_plane(&mut client).await?;
    println!("control plane: {applied} migration(s) applied");
    let outcomes = migrations::migrate_all_tenants(&db, concurrency).await?;
    let (mut migrated, mut current, mut failed) = (0, 0, Vec::new());
    for outcome in outcomes {
        match outcome.result {
            Ok(0) => current += 1,
            Ok(_) => migrated += 1,
            Err(err) => failed.push((outcome.schema, err)),
        }
    }
    println!(
        "tenants: {migrated} migrated, {current} already current, {} failed",
        failed.len()
    );
    for (schema, err) in &failed {
        println!("  {schema}: {err:#}");
    }
    if !failed.is_empty() {
        bail!("{} tenant schema(s) failed to migrate", failed.len());
    }
    Ok(())
}
