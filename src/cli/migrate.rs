//! `convo migrate`: the control plane, then every tenant schema not recorded at the latest
//! migration with a bounded pool of workers, then the spare schemas (migrated, and the pool
//! topped up); progress as it goes, a summary at the end, a non-zero exit if any schema failed.
//! Re-running resumes: each migration commits on its own and applied ones are skipped.
//!
//! See docs/operations.md#migrations.

use std::io::IsTerminal;

use anyhow::bail;
use indicatif::{ProgressBar, ProgressStyle};

use crate::{
    config::{DbConfig, SpareConfig},
    db::Db,
    store::tenants,
    tenancy::{ControlConn, SchemaName, migrations},
    tenant_lifecycle::spares,
};

pub async fn run(
    db_config: DbConfig,
    concurrency: usize,
    spares: SpareConfig,
    status_only: bool,
) -> anyhow::Result<()> {
    let db = Db::connect(&db_config).await?;
    if status_only {
        return status(&db).await;
    }
    let mut client = db.dedicated().await?;
    let applied = migrations::migrate_control_plane(&mut client).await?;
    println!("control plane: {applied} migration(s) applied");

    let tenant_migrations = migrations::tenant_migrations();
    let latest = tenant_migrations.iter().map(|m| m.version()).max();
    // Tenants recorded at the latest version are current: only the others are opened (and
    // the default schema, which has no row), so a run with nothing to do is one query.
    let (behind, tenants) = {
        let conn = ControlConn::get(&db.pool).await?;
        tenants::schemas_not_at(&conn, latest).await?
    };
    let mut schemas = vec![SchemaName::default_tenant()];
    schemas.extend(behind);
    let total = tenants + 1;
    let progress = Progress::new(total);
    let (mut migrated, mut current, mut failed) = (0, total - schemas.len(), Vec::new());
    let started = std::time::Instant::now();
    migrations::migrate_tenants(&db, schemas, &tenant_migrations, concurrency, |outcome| {
        match outcome.result {
            Ok(0) => current += 1,
            Ok(_) => migrated += 1,
            Err(err) => failed.push((outcome.schema, err)),
        }
        progress.tick(migrated + current + failed.len(), failed.len());
    })
    .await;
    progress.finish();
    println!(
        "tenants: {migrated} migrated, {current} already current, {} failed ({total} in {:.1} s, {concurrency} workers)",
        failed.len(),
        started.elapsed().as_secs_f64()
    );

    // Spares are migrated like tenants and the pool topped up, so new replicas find it ready.
    let refill = spares::refill(&mut client, spares.spare_schemas, &tenant_migrations, true)
        .await?
        .expect("a waiting refill always runs");
    println!(
        "spare schemas: {} migrated, {} created, {} ready, {} failed",
        refill.migrated,
        refill.created,
        refill.ready,
        refill.failed.len()
    );
    failed.extend(refill.failed);
    for (schema, err) in &failed {
        println!("  failed: {schema}: {err:#}");
    }
    if !failed.is_empty() {
        bail!(
            "{} schema(s) failed to migrate; run `convo migrate` again after fixing the cause",
            failed.len()
        );
    }
    Ok(())
}

/// `convo migrate --status`: how many tenant schemas are at each version.
async fn status(db: &Db) -> anyhow::Result<()> {
    let latest = migrations::tenant_migrations()
        .iter()
        .map(|m| m.version())
        .max();
    println!(
        "latest tenant migration: {}",
        latest.map_or("none".into(), |v| v.to_string())
    );
    for (version, count) in migrations::tenant_versions(db).await? {
        let version = version.map_or("none".to_string(), |v| format!("V{v}"));
        println!("  {version}: {count} tenant schema(s)");
    }
    Ok(())
}

/// A progress bar on a terminal; otherwise a plain line every 5% (log-friendly).
enum Progress {
    Bar(ProgressBar),
    Lines { total: usize, step: usize },
}

impl Progress {
    fn new(total: usize) -> Progress {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total as u64);
            bar.set_style(
                ProgressStyle::with_template(
                    "tenants {bar:40} {pos}/{len} ({per_sec}, eta {eta}) {msg}",
                )
                .expect("valid template"),
            );
            Progress::Bar(bar)
        } else {
            Progress::Lines {
                total,
                step: (total / 20).max(1),
            }
        }
    }

    fn tick(&self, done: usize, failed: usize) {
        match self {
            Progress::Bar(bar) => {
                bar.set_position(done as u64);
                if failed > 0 {
                    bar.set_message(format!("{failed} failed"));
                }
            }
            Progress::Lines { total, step } => {
                if done.is_multiple_of(*step) || done == *total {
                    eprintln!("tenants: {done}/{total} done, {failed} failed");
                }
            }
        }
    }

    fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish();
        }
    }
}
