//! Tenant-affine connections (src/db/pool.rs): a hot tenant cannot starve others, no two
//! transactions ever share a connection, and a connection that served one tenant serves the
//! next only that tenant's rows.

use std::{
    collections::HashSet,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use convo::{
    config::Pooler,
    db::home_slots,
    tenancy::{SchemaName, TenantTx},
};

use crate::helpers::{TestApp, fresh_database, serve_config};

/// A server whose pool has `size` connections.
async fn app_with_pool(size: usize) -> TestApp {
    let mut config = serve_config(&fresh_database().await);
    config.db.pool_size = size;
    TestApp::spawn_with(config).await
}

/// The first `Org <n>` whose schema has the same home slots as `schema` in a pool of `size`.
fn org_homed_with(schema: &SchemaName, size: usize) -> String {
    let mut homes = home_slots(schema.as_str(), size);
    homes.sort_unstable();
    (0..)
        .map(|n| format!("Org {n}"))
        .find(|name| {
            let mut other = home_slots(SchemaName::base_for_tenant(name).as_str(), size);
            other.sort_unstable();
            other == homes
        })
        .expect("some name hashes to the same slots")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hot_tenant_holding_its_home_connections_does_not_starve_another() {
    const SIZE: usize = 4;
    let app = app_with_pool(SIZE).await;
    let pool = app.state.db.pool.clone();
    let hot = SchemaName::default_tenant();
    // A tenant with the very same home slots: with "home slots only, wait for them", its
    // transactions would wait behind the hot tenant's for as long as it stays hot.
    let owner = app.human("Cold").await;
    let tenant = app.tenant(&owner, &org_homed_with(&hot, SIZE)).await;
    let cold = SchemaName::parse(tenant["schema_name"].as_str().unwrap()).unwrap();
    let homes = home_slots(cold.as_str(), SIZE);

    // The hot tenant holds both its (and so the cold tenant's) home connections...
    let held = [
        TenantTx::begin(&pool, &hot).await.unwrap(),
        TenantTx::begin(&pool, &hot).await.unwrap(),
    ];
    let mut held_slots: Vec<usize> = held.iter().map(TenantTx::slot).collect();
    held_slots.sort_unstable();
    let mut sorted_homes = homes.to_vec();
    sorted_homes.sort_unstable();
    assert_eq!(
        held_slots, sorted_homes,
        "a tenant starts on its home slots"
    );
    // ... and floods the pool with more transactions than it has connections.
    let stop = Arc::new(AtomicBool::new(false));
    let flood: Vec<_> = (0..16)
        .map(|_| {
            let (pool, hot, stop) = (pool.clone(), hot.clone(), stop.clone());
            tokio::spawn(async move {
                let mut done = 0u32;
                while !stop.load(Ordering::Relaxed) {
                    let tx = TenantTx::begin(&pool, &hot).await.unwrap();
                    tx.client().query("SELECT 1", &[]).await.unwrap();
                    tx.commit().await.unwrap();
                    done += 1;
                }
                done
            })
        })
        .collect();

    for _ in 0..20 {
        let started = Instant::now();
        let tx = TenantTx::begin(&pool, &cold).await.expect("a connection");
        assert!(!homes.contains(&tx.slot()), "served by overflow");
        let spaces: i64 = tx
            .client()
            .query_one("SELECT count(*) FROM spaces", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(spaces, 0);
        tx.commit().await.unwrap();
        // The pool timeout is 5 s; a cold request waits its turn among the flood's waiters
        // (a few short transactions), not for the hot tenant to stop.
        assert!(
            started.elapsed() < Duration::from_millis(2500),
            "waited {:?}",
            started.elapsed()
        );
    }
    stop.store(true, Ordering::Relaxed);
    let flooded: u32 = futures::future::join_all(flood)
        .await
        .into_iter()
        .map(Result::unwrap)
        .sum();
    assert!(flooded > 0, "the hot tenant kept running too");
    drop(held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_transactions_never_share_a_connection() {
    let app = app_with_pool(3).await;
    let pool = app.state.db.pool.clone();
    let mut schemas = vec![SchemaName::default_tenant()];
    for i in 0..4 {
        let owner = app.human(&format!("Owner{i}")).await;
        let tenant = app.tenant(&owner, &format!("Shared {i}")).await;
        schemas.push(SchemaName::parse(tenant["schema_name"].as_str().unwrap()).unwrap());
    }
    // The backends (by pid) inside a transaction right now.
    let open = Arc::new(Mutex::new(HashSet::<i32>::new()));
    let tasks = (0..300).map(|i| {
        let (pool, open) = (pool.clone(), open.clone());
        let schema = schemas[(i * 7) % schemas.len()].clone();
        tokio::spawn(async move {
            let tx = TenantTx::begin(&pool, &schema).await.unwrap();
            let pid: i32 = tx
                .client()
                .query_one("SELECT pg_backend_pid()", &[])
                .await
                .unwrap()
                .get(0);
            assert!(open.lock().unwrap().insert(pid), "backend {pid} shared");
            // A second statement keeps the transaction open across an await point.
            let path: String = tx
                .client()
                .query_one("SHOW search_path", &[])
                .await
                .unwrap()
                .get(0);
            open.lock().unwrap().remove(&pid);
            assert_eq!(path, schema.as_str());
            // Every way a transaction ends hands its connection back.
            match i % 3 {
                0 => tx.commit().await.unwrap(),
                1 => tx.end_read(),
                _ => drop(tx),
            }
        })
    });
    for task in futures::future::join_all(tasks).await {
        task.unwrap();
    }
    let status = pool.status();
    assert!(status.size <= 3, "{status:?}");
    assert!(status.home_checkouts + status.overflow_checkouts >= 300);
}

#[tokio::test]
async fn a_connection_that_served_one_tenant_shows_the_next_only_its_own_rows() {
    alternate_tenants_on_one_connection(0).await;
}

#[tokio::test]
async fn with_statements_per_tenant_each_tenant_still_sees_only_its_own_rows() {
    // Two fit: every other transaction empties the cache, so both paths run.
    let (app, pooler) = alternate_tenants_on_one_connection(2).await;
    let conn = app.state.db.pool.get().await.unwrap();
    let texts: Vec<String> = conn
        .query("SELECT statement FROM pg_prepared_statements", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    if !pooler.keeps_statements() {
        // Through a transaction-mode pooler (CI's second pass) no statement is kept at all.
        assert_eq!(texts, Vec::<String>::new());
        return;
    }
    assert!(
        texts.iter().any(|t| t.contains("/* tenant_tenant_b */")),
        "the last tenant's statement is its own: {texts:?}"
    );
    assert!(texts.len() <= 3, "the cache stays bounded: {texts:?}");
}

async fn alternate_tenants_on_one_connection(tenant_statements: usize) -> (TestApp, Pooler) {
    // One connection: every tenant's transaction runs on the same backend, one after another.
    let mut config = serve_config(&fresh_database().await);
    config.db.pool_size = 1;
    config.db.db_tenant_statements = tenant_statements;
    let pooler = config.db.pooler;
    let app = TestApp::spawn_with(config).await;
    let pool = app.state.db.pool.clone();
    let (a, b) = (app.human("Alice").await, app.human("Bob").await);
    let mut schemas = Vec::new();
    for (owner, name) in [(&a, "Tenant A"), (&b, "Tenant B")] {
        let tenant = app.tenant(owner, name).await;
        schemas.push(SchemaName::parse(tenant["schema_name"].as_str().unwrap()).unwrap());
    }
    app.space(&a, "a-only").await;
    app.space(&b, "b-only").await;

    let mut pids = HashSet::new();
    for (schema, expected) in schemas.iter().zip(["a-only", "b-only"]).cycle().take(6) {
        let tx = TenantTx::begin(&pool, schema).await.unwrap();
        // Prepared once on the connection, under whichever tenant came first: PostgreSQL
        // re-resolves the table under each transaction's search_path.
        let stmt = tx
            .client()
            .prepare_cached("SELECT space_id, pg_backend_pid() FROM spaces")
            .await
            .unwrap();
        let rows = tx.client().query(&stmt, &[]).await.unwrap();
        let seen: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        assert_eq!(seen, vec![expected.to_string()], "in {schema:?}");
        pids.insert(rows[0].get::<_, i32>(1));
        tx.end_read();
    }
    assert_eq!(pids.len(), 1, "one backend served both tenants in turn");

    // The same through the API, alternating tenants on the one connection.
    for _ in 0..3 {
        for (key, expected) in [(&a.api_key, "a-only"), (&b.api_key, "b-only")] {
            let body: serde_json::Value = app
                .get("/api/spaces", key)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let ids: Vec<&str> = body
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["space_id"].as_str().unwrap())
                .collect();
            assert_eq!(ids, vec![expected]);
        }
    }
    (app, pooler)
}

#[tokio::test]
async fn metrics_report_backend_cache_memory_only_when_asked() {
    let app = app_with_pool(2).await;
    let human = app.human_in_new_tenant("Metered").await;
    app.space(&human, "warm").await;
    let scrape = |query: &'static str| {
        let url = app.url(&format!("/metrics{query}"));
        let http = app.http.clone();
        async move { http.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let asked = scrape("?backend_memory=1").await;
    let max: f64 = asked
        .lines()
        .find_map(|l| l.strip_prefix("convo_db_backend_cache_bytes{stat=\"max\"} "))
        .expect("reported when asked")
        .parse()
        .unwrap();
    // A backend that has served a tenant caches at least its catalog: hundreds of KB.
    assert!(max > 100_000.0, "{max}");
    assert!(asked.contains("convo_db_pool_tenant_checkouts{slot=\"home\"}"));
}
