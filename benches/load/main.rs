//! The load harness (issue #8): a release `convo serve` on a fresh database, HTTP load at
//! 1/8/32/128 connections, and pgbench running the same SQL at the same concurrency against
//! the same database, so each HTTP figure is a ratio to the database's own limit.
//!
//! Run: `cargo bench --bench load`. `CONVO_BENCH_SECS` (default 5) sets each measurement's
//! duration. Server, PostgreSQL, pgbench and this load generator share the machine's cores.

mod drive;
mod pgbench;
mod server;
mod sse;

use std::time::{Duration, Instant};

use drive::{Figures, load, ms, percentile};
use serde_json::{Value, json};
use server::{Database, Server};

const CONNECTIONS: [usize; 4] = [1, 8, 32, 128];
const SUBSCRIBERS: [usize; 4] = [1, 100, 1000, 5000];
const SPREAD_SPACES: usize = 128;
const TENANTS_TIMED: usize = 50;

struct Row {
    scenario: String,
    connections: usize,
    server: Figures,
    pgbench: Option<Figures>,
}

#[tokio::main]
async fn main() {
    let secs: u64 = std::env::var("CONVO_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let duration = Duration::from_secs(secs);
    let db = Database::fresh().await;
    let server = Server::start(&db).await;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(8192)
        .build()
        .unwrap();
    let base = server.base.clone();
    let rss_idle = server.rss_kib();
    let actor = Actor::create(&http, &base).await;
    let key = actor.key.clone();
    let mut rows = Vec::new();

    // (a) appends: each connection on a random one of 128 spaces, then all on one hot space.
    for i in 0..SPREAD_SPACES {
        create_space(&http, &base, &key, &format!("spread-{i}")).await;
    }
    create_space(&http, &base, &key, "hot").await;
    let schema = format!("\"{}\"", actor.schema);
    let mut rss_load = 0;
    for connections in CONNECTIONS {
        let (h, b, k) = (http.clone(), base.clone(), key.clone());
        let figures = load(connections, duration, move |c, i| {
            let (h, b, k) = (h.clone(), b.clone(), k.clone());
            let space = format!("spread-{}", (c * 7919 + i * 104_729) % SPREAD_SPACES);
            async move {
                post(&h, &b, &k, &space, "spread").await;
            }
        })
        .await;
        rss_load = rss_load.max(server.rss_kib());
        let raw = pgbench::run(
            &db,
            "append.sql",
            connections,
            duration,
            &[
                ("schema", schema.clone()),
                ("spaces", SPREAD_SPACES.to_string()),
                ("speaker", actor.actor_id.clone()),
            ],
        );
        rows.push(Row {
            scenario: "append, spread".into(),
            connections,
            server: figures,
            pgbench: Some(raw),
        });
    }
    for connections in CONNECTIONS {
        let (h, b, k) = (http.clone(), base.clone(), key.clone());
        let figures = load(connections, duration, move |_, _| {
            let (h, b, k) = (h.clone(), b.clone(), k.clone());
            async move {
                post(&h, &b, &k, "hot", "hot").await;
            }
        })
        .await;
        rows.push(Row {
            scenario: "append, one hot space".into(),
            connections,
            server: figures,
            pgbench: None,
        });
    }

    // (b) cursor page reads: 50 events after a cursor in the middle of a 1,000-event space.
    create_space(&http, &base, &key, "history").await;
    let mut cursor = String::new();
    for i in 0..1000 {
        let id = post(&http, &base, &key, "history", "old").await;
        if i == 500 {
            cursor = id;
        }
    }
    let path = format!("{base}/api/spaces/history/events?since={cursor}&limit=50");
    for connections in CONNECTIONS {
        let (h, p, k) = (http.clone(), path.clone(), key.clone());
        let figures = load(connections, duration, move |_, _| {
            let (h, p, k) = (h.clone(), p.clone(), k.clone());
            async move {
                let resp = h.get(&p).bearer_auth(&k).send().await.unwrap();
                assert_eq!(resp.status(), 200);
                resp.bytes().await.unwrap();
            }
        })
        .await;
        rss_load = rss_load.max(server.rss_kib());
        let raw = pgbench::run(
            &db,
            "read.sql",
            connections,
            duration,
            &[
                ("schema", schema.clone()),
                ("space", "history".into()),
                ("cursor", cursor.clone()),
            ],
        );
        rows.push(Row {
            scenario: "cursor read".into(),
            connections,
            server: figures,
            pgbench: Some(raw),
        });
    }

    // (d) tenant creation, one actor per tenant, one at a time.
    let mut created = Vec::new();
    for i in 0..TENANTS_TIMED {
        let other = Actor::register(&http, &base, &format!("t{i}")).await;
        let started = Instant::now();
        create_tenant(&http, &base, &other, &format!("Timed Org {i}")).await;
        created.push(started.elapsed());
    }
    created.sort();
    rows.push(Row {
        scenario: "tenant creation (sequential)".into(),
        connections: 1,
        server: Figures {
            per_sec: TENANTS_TIMED as f64 / created.iter().sum::<Duration>().as_secs_f64(),
            p50_ms: ms(percentile(&created, 0.50)),
            p99_ms: ms(percentile(&created, 0.99)),
        },
        pgbench: None,
    });

    // (c) SSE delivery latency and (f) memory per idle stream.
    let mut memory = Vec::new();
    for subscribers in SUBSCRIBERS {
        let space = format!("fanout-{subscribers}");
        create_space(&http, &base, &key, &space).await;
        let (figures, per_stream) = sse::fanout(&server, &http, &key, &space, subscribers).await;
        memory.push((subscribers, per_stream));
        rows.push(Row {
            scenario: "SSE delivery".into(),
            connections: subscribers,
            server: figures,
            pgbench: None,
        });
    }

    print_table(&rows);
    println!();
    println!("server RSS: idle {rss_idle} KiB, peak under load {rss_load} KiB");
    for (subscribers, per_stream) in memory {
        println!("server RSS per idle stream at {subscribers} streams: {per_stream:.1} KiB");
    }
    drop(server);
    db.drop_database().await;
}

fn print_table(rows: &[Row]) {
    println!(
        "| scenario | connections | server req/s | p50 ms | p99 ms | pgbench tps | pgbench p99 ms | ratio |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let capped = r.pgbench.is_some() && r.connections > pgbench::max_clients();
        let (tps, p99, ratio) = match r.pgbench {
            Some(p) => (
                format!(
                    "{:.0}{}",
                    p.per_sec,
                    if capped {
                        format!(" (at {})", pgbench::max_clients())
                    } else {
                        String::new()
                    }
                ),
                format!("{:.2}", p.p99_ms),
                format!("{:.0}%", 100.0 * r.server.per_sec / p.per_sec),
            ),
            None => ("–".into(), "–".into(), "–".into()),
        };
        println!(
            "| {} | {} | {:.0} | {:.2} | {:.2} | {tps} | {p99} | {ratio} |",
            r.scenario, r.connections, r.server.per_sec, r.server.p50_ms, r.server.p99_ms
        );
    }
}

struct Actor {
    key: String,
    actor_id: String,
    schema: String,
}

impl Actor {
    async fn register(http: &reqwest::Client, base: &str, name: &str) -> Actor {
        let body: Value = http
            .post(format!("{base}/api/actors"))
            .json(&json!({"display_name": name, "email": format!("{name}@example.com")}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Actor {
            key: body["api_key"].as_str().unwrap().to_string(),
            actor_id: body["actor_id"].as_str().unwrap().to_string(),
            schema: String::new(),
        }
    }

    async fn create(http: &reqwest::Client, base: &str) -> Actor {
        let mut actor = Actor::register(http, base, "bench").await;
        actor.schema = create_tenant(http, base, &actor, "Bench Org").await;
        actor
    }
}

/// The new tenant's schema name.
async fn create_tenant(http: &reqwest::Client, base: &str, actor: &Actor, name: &str) -> String {
    let resp = http
        .post(format!("{base}/api/tenants"))
        .bearer_auth(&actor.key)
        .json(&json!({"name": name}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    body["schema_name"].as_str().unwrap().to_string()
}

async fn post(http: &reqwest::Client, base: &str, key: &str, space: &str, text: &str) -> String {
    let resp = http
        .post(format!("{base}/api/spaces/{space}/speech"))
        .bearer_auth(key)
        .json(&json!({"text": text}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    body["event_id"].as_str().unwrap().to_string()
}

async fn create_space(http: &reqwest::Client, base: &str, key: &str, space: &str) {
    let resp = http
        .post(format!("{base}/api/spaces"))
        .bearer_auth(key)
        .json(&json!({"space_id": space}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}
