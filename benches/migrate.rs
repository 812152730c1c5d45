//! Time for `convo migrate` to apply one new tenant migration across 1,000 and 10,000 tenant
//! schemas with the default concurrency (8 workers), on a fresh database.
//!
//! Run: `cargo bench --bench migrate` (creates the schemas first, which takes a while; pass
//! sizes as arguments to change them, e.g. `cargo bench --bench migrate -- 1000`).

use std::time::Instant;

use convo::{
    config::DbConfig,
    db::{Db, local},
    tenancy::{SchemaName, migrations},
};
use refinery::Migration;

const WORKERS: usize = 8;

#[tokio::main]
async fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1000, 10_000]
    } else {
        sizes
    };
    for size in sizes {
        let db = fresh_db().await;
        let schemas: Vec<SchemaName> = (0..size)
            .map(|i| SchemaName::parse(&format!("tenant_bench_{i}")).unwrap())
            .collect();
        let current = migrations::tenant_migrations();
        let started = Instant::now();
        let mut failed = 0;
        migrations::migrate_tenants(&db, schemas.clone(), &current, WORKERS, |o| {
            failed += o.result.is_err() as usize
        })
        .await;
        assert_eq!(failed, 0);
        println!(
            "{size} tenant schemas created and migrated to V{}: {:.1} s",
            current.len(),
            started.elapsed().as_secs_f64()
        );

        let mut next = current.clone();
        next.push(
            Migration::unapplied(
                "V999__bench_column",
                "ALTER TABLE spaces ADD COLUMN bench_note text",
            )
            .unwrap(),
        );
        let started = Instant::now();
        let mut applied = 0;
        migrations::migrate_tenants(&db, schemas, &next, WORKERS, |o| {
            applied += o.result.unwrap_or(0)
        })
        .await;
        let secs = started.elapsed().as_secs_f64();
        assert_eq!(applied, size);
        println!(
            "one new migration across {size} tenant schemas, {WORKERS} workers: {secs:.1} s ({:.0} schemas/s)",
            size as f64 / secs
        );
    }
}

async fn fresh_db() -> Db {
    let admin = local::find_or_start_server(std::path::Path::new(".convo"))
        .await
        .unwrap();
    let name = format!("convo_bench_{}", uuid::Uuid::new_v4().simple());
    let config = local::ensure_database(&admin, &name).await.unwrap();
    // Every setting at its default, like `convo migrate` without flags.
    #[derive(clap::Parser)]
    struct Settings {
        #[command(flatten)]
        db: DbConfig,
    }
    let cfg = <Settings as clap::Parser>::parse_from(["migrate"]).db;
    Db::from_pg_config(config, &cfg)
}
