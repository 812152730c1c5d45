//! Time for `convo migrate` to apply one new tenant migration across 1,000 and 10,000 tenant
//! schemas with the default concurrency (8 workers), on a fresh database.
//!
//! Run: `cargo bench --bench migrate` (creates the schemas first, which takes a while; pass
//! sizes as arguments to change them, e.g. `cargo bench --bench migrate -- 1000`).
//!
//! `cargo bench --bench migrate -- noop [SIZES]` times instead the real `convo migrate` binary
//! with nothing to do, over tenants made as `convo migrate` leaves them (a `convo.tenants` row
//! and a schema at the latest migration each; default size 10,000). `CONVO_BIN` names the binary,
//! or several separated by commas (each gets its own database, and the runs alternate between
//! them, `CONVO_BENCH_REPEAT` times, default 2), to compare builds in one sitting.

use std::{
    process::Command,
    time::{Duration, Instant},
};

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
    if std::env::args().any(|a| a == "noop") {
        for size in if sizes.is_empty() {
            vec![10_000]
        } else {
            sizes
        } {
            noop(size).await;
        }
        return;
    }
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

/// Time a `convo migrate` that has nothing to do, over `size` tenants, for each binary.
async fn noop(size: usize) {
    let binaries: Vec<String> = std::env::var("CONVO_BIN")
        .unwrap_or(env!("CARGO_BIN_EXE_convo").into())
        .split(',')
        .map(str::to_string)
        .collect();
    let repeat: usize = std::env::var("CONVO_BENCH_REPEAT")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(2);
    let mut setups = Vec::new();
    for binary in &binaries {
        let (db, url) = fresh_db_url().await;
        // The binary makes its own control plane, so a build of another release can run too.
        convo_migrate(binary, &url);
        let started = Instant::now();
        add_tenants(&db, size).await;
        eprintln!(
            "{size} tenants made in {:.0} s for {binary}",
            started.elapsed().as_secs_f64()
        );
        convo_migrate(binary, &url); // the spare pool, where there is one, fills here
        setups.push((binary, url));
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); binaries.len()];
    for _ in 0..repeat {
        for (i, (binary, url)) in setups.iter().enumerate() {
            let took = convo_migrate(binary, url);
            println!(
                "no-op `convo migrate`, {size} tenants, {binary}: {:.2} s",
                took.as_secs_f64()
            );
            times[i].push(took);
        }
    }
    for (binary, took) in binaries.iter().zip(&times) {
        let best = took.iter().min().unwrap();
        println!(
            "best no-op `convo migrate` of {repeat}, {size} tenants, {binary}: {:.2} s",
            best.as_secs_f64()
        );
    }
    for (_, url) in setups {
        drop_database(&url).await;
    }
}

async fn drop_database(url: &str) {
    let config: tokio_postgres::Config = url.parse().unwrap();
    let name = config.get_dbname().unwrap().to_string();
    let admin = local::find_or_start_server(std::path::Path::new(".convo"))
        .await
        .unwrap();
    let (client, connection) = admin.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    if let Err(err) = client
        .batch_execute(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
        .await
    {
        eprintln!("could not drop {name}: {err}");
    }
}

/// Run `binary migrate` against `url` with every other setting at its default; how long it took.
fn convo_migrate(binary: &str, url: &str) -> Duration {
    let started = Instant::now();
    let out = Command::new(binary)
        .args(["migrate", "--database-url", url])
        .env("RUST_LOG", "warn")
        .output()
        .expect("the convo binary runs");
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "convo migrate failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

/// `count` tenants as creation and `convo migrate` leave them: a row in `convo.tenants` and a
/// schema at the latest tenant migration, with the version recorded.
async fn add_tenants(db: &Db, count: usize) {
    let client = db.dedicated().await.unwrap();
    client
        .execute(
            "INSERT INTO convo.tenants (tenant_id, name, schema_name, status, created_at)
             SELECT gen_random_uuid(), 'Present ' || n, 'tenant_present_' || n, 'active', now()
             FROM generate_series(0, $1::int - 1) AS n",
            &[&(count as i32)],
        )
        .await
        .unwrap();
    let schemas: Vec<SchemaName> = (0..count)
        .map(|n| SchemaName::parse(&format!("tenant_present_{n}")).unwrap())
        .collect();
    let mut failed = 0;
    migrations::migrate_tenants(
        db,
        schemas,
        &migrations::tenant_migrations(),
        WORKERS,
        |o| failed += usize::from(o.result.is_err()),
    )
    .await;
    assert_eq!(failed, 0);
}

/// A fresh database and its URL (`host=… dbname=…`).
async fn fresh_db_url() -> (Db, String) {
    let db = fresh_db().await;
    let config = db.direct_config();
    let host = match &config.get_hosts()[0] {
        tokio_postgres::config::Host::Tcp(h) => h.clone(),
        tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
    };
    let url = format!(
        "host={host} port={} user={} dbname={}",
        config.get_ports().first().copied().unwrap_or(5432),
        config.get_user().unwrap_or("postgres"),
        config.get_dbname().unwrap()
    );
    (db, url)
}
