//! (d) Tenant creation with many tenants present: `CONVO_BENCH_TENANTS` (default 10,000)
//! tenants are added in bulk, then `CONVO_BENCH_CREATORS` (default 16) humans create tenants
//! at once through `POST /api/tenants`, in `CONVO_BENCH_CREATE_ROUNDS` (default 10) bursts of
//! one creation each; before each burst the server's spare schema pool is given time to refill
//! (a server without one is not waited for). Then the same creators create tenants closed-loop
//! for `CONVO_BENCH_SECS`, which outruns any pool: the sustained rate.
//!
//! The tenants present are made without the server's HTTP API and without its control-plane
//! code (which a `CONVO_BIN` of another release may not share): a row in `convo.tenants` each,
//! then their schemas with every tenant migration by [`migrations::migrate_tenants`] (8
//! workers), the same DDL `convo migrate` runs. Each creator's key is used once before the
//! measurement, so that its first verification (argon2) is not counted as creation.

use std::time::{Duration, Instant};

use convo::{
    config::DbConfig,
    db::Db,
    tenancy::{SchemaName, migrations},
};

use super::{
    Actor, create_tenant,
    drive::{Figures, load, ms, percentile},
    server::{Database, connect, setting},
};

/// Workers creating the tenants present (as `convo migrate`'s default).
const WORKERS: usize = 8;

/// What [`run`] measured.
pub struct Creation {
    pub present: usize,
    pub creators: usize,
    /// Bursts of one creation per creator: latencies and the rate within the bursts.
    pub bursts: Figures,
    pub bursts_p95_ms: f64,
    /// Creators in a closed loop.
    pub sustained: Figures,
    pub sustained_p95_ms: f64,
}

pub async fn run(
    db: &Database,
    http: &reqwest::Client,
    base: &str,
    duration: Duration,
) -> Creation {
    let present: usize = setting("CONVO_BENCH_TENANTS", 10_000);
    let creators: usize = setting("CONVO_BENCH_CREATORS", 16);
    let rounds: usize = setting("CONVO_BENCH_CREATE_ROUNDS", 10);
    let started = Instant::now();
    add_tenants(db, present).await;
    eprintln!(
        "{present} tenants added in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let mut actors = Vec::new();
    for i in 0..creators {
        let actor = Actor::register(http, base, &format!("creator{i}")).await;
        let resp = http
            .get(format!("{base}/api/actors/me"))
            .bearer_auth(&actor.key)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        actors.push(actor);
    }
    let mut latencies = Vec::new();
    let mut busy = Duration::ZERO;
    for round in 0..rounds {
        pool_ready(db, creators).await;
        let burst = Instant::now();
        let timed = futures::future::join_all(actors.iter().enumerate().map(|(i, actor)| {
            let name = format!("Burst {round} {i}");
            async move {
                let sent = Instant::now();
                create_tenant(http, base, actor, &name).await;
                sent.elapsed()
            }
        }))
        .await;
        busy += burst.elapsed();
        latencies.extend(timed);
    }
    latencies.sort();
    let bursts = Figures {
        per_sec: latencies.len() as f64 / busy.as_secs_f64(),
        p50_ms: ms(percentile(&latencies, 0.50)),
        p99_ms: ms(percentile(&latencies, 0.99)),
    };
    let bursts_p95_ms = ms(percentile(&latencies, 0.95));

    pool_ready(db, creators).await;
    let (h, b) = (http.clone(), base.to_string());
    let keys: Vec<String> = actors.iter().map(|a| a.key.clone()).collect();
    let sustained_latencies = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = sustained_latencies.clone();
    let sustained = load(creators, duration, move |c, i| {
        let (h, b, key, record) = (h.clone(), b.clone(), keys[c].clone(), record.clone());
        async move {
            let sent = Instant::now();
            let actor = Actor {
                key,
                actor_id: String::new(),
                schema: String::new(),
            };
            create_tenant(&h, &b, &actor, &format!("Loop {c} {i}")).await;
            record.lock().unwrap().push(sent.elapsed());
        }
    })
    .await;
    let mut all = sustained_latencies.lock().unwrap().clone();
    all.sort();
    Creation {
        present,
        creators,
        bursts,
        bursts_p95_ms,
        sustained,
        sustained_p95_ms: ms(percentile(&all, 0.95)),
    }
}

/// `count` tenants named `Present <n>` with schemas `tenant_present_<n>` at the latest tenant
/// migration, recorded in `convo.tenants` as tenant creation records them.
async fn add_tenants(db: &Database, count: usize) {
    let client = connect(&db.config).await;
    client
        .execute(
            "INSERT INTO convo.tenants (tenant_id, name, schema_name, status, created_at)
             SELECT gen_random_uuid(), 'Present ' || n, 'tenant_present_' || n, 'active', now()
             FROM generate_series(0, $1::int - 1) AS n",
            &[&(count as i32)],
        )
        .await
        .unwrap();
    #[derive(clap::Parser)]
    struct Settings {
        #[command(flatten)]
        db: DbConfig,
    }
    let mut cfg = <Settings as clap::Parser>::parse_from(["bench"]).db;
    cfg.pool_size = 2;
    let pool = Db::from_pg_config(db.config.clone(), &cfg);
    let schemas: Vec<SchemaName> = (0..count)
        .map(|n| SchemaName::parse(&format!("tenant_present_{n}")).unwrap())
        .collect();
    let mut failed = 0;
    migrations::migrate_tenants(
        &pool,
        schemas,
        &migrations::tenant_migrations(),
        WORKERS,
        |o| failed += usize::from(o.result.is_err()),
    )
    .await;
    assert_eq!(failed, 0, "every tenant schema migrated");
}

/// Wait (up to 60 s) until the server's spare pool holds `wanted` ready spares or is full;
/// at once when the server keeps no pool.
async fn pool_ready(db: &Database, wanted: usize) {
    let client = connect(&db.config).await;
    let latest = migrations::tenant_migrations()
        .iter()
        .map(|m| m.version())
        .max();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = 0;
    while Instant::now() < deadline {
        let has_pool: bool = client
            .query_one("SELECT to_regclass('convo.spare_schemas') IS NOT NULL", &[])
            .await
            .unwrap()
            .get(0);
        if !has_pool {
            return;
        }
        let ready: i64 = client
            .query_one(
                "SELECT count(*) FROM convo.spare_schemas WHERE schema_version = $1",
                &[&latest],
            )
            .await
            .unwrap()
            .get(0);
        let ready = ready as usize;
        if ready >= wanted {
            return;
        }
        // The pool stopped growing (a target below `wanted`): as full as it gets.
        if ready == last && ready > 0 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let again: i64 = client
                .query_one(
                    "SELECT count(*) FROM convo.spare_schemas WHERE schema_version = $1",
                    &[&latest],
                )
                .await
                .unwrap()
                .get(0);
            if again as usize == ready {
                return;
            }
        }
        last = ready;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("the spare pool did not reach {wanted} within 60 s");
}
