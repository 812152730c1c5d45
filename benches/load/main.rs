//! The load harness (issue #8): a release `convo serve` on a fresh database, HTTP load at
//! 1/8/32/128 connections, and pgbench running the same SQL at the same concurrency against
//! the same database, so each HTTP figure is a ratio to the database's own limit.
//!
//! Run: `cargo bench --bench load`. `CONVO_BENCH_SPREAD_DB=<name>` keeps the spread
//! scenario's provisioned database between runs (`kept.rs`). `CONVO_BENCH_SECS` (default 5) sets each measurement's
//! duration. Server, PostgreSQL, pgbench and this load generator share the machine's cores.

mod create;
mod drive;
mod kept;
mod pgbench;
mod read_pair;
mod server;
mod sse;
mod tenants;

use std::time::{Duration, Instant};

use drive::{Figures, load, ms, percentile};
use serde_json::{Value, json};
use server::{Database, Server};

const CONNECTIONS: [usize; 4] = [1, 8, 32, 128];
const SUBSCRIBERS: [usize; 4] = [1, 100, 1000, 5000];
/// Idle streams held open for the memory figure.
const IDLE_STREAMS: [usize; 2] = [1000, 5000];
const SPREAD_SPACES: usize = 128;
const TENANTS_TIMED: usize = 50;

struct Row {
    scenario: String,
    connections: usize,
    server: Figures,
    pgbench: Option<Figures>,
}

/// What a run measures: every scenario unless some are named (`cargo bench --bench load --
/// read spread`).
const SCENARIOS: [&str; 6] = ["append", "read", "create", "sse", "spread", "read-pair"];

#[tokio::main]
async fn main() {
    let secs: u64 = server::setting("CONVO_BENCH_SECS", 5);
    let tenants: usize = server::setting("CONVO_BENCH_TENANTS", 10_000);
    let named: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    for name in &named {
        assert!(
            SCENARIOS.contains(&name.as_str()),
            "unknown scenario {name}; choose from {SCENARIOS:?}"
        );
    }
    let runs = |scenario: &str| named.is_empty() || named.iter().any(|n| n == scenario);
    let duration = Duration::from_secs(secs);
    let kept_db = kept::name();
    let (db, setup) = match &kept_db {
        Some(name) => {
            assert!(
                named == ["spread"],
                "CONVO_BENCH_SPREAD_DB keeps a database for the spread scenario only: \
                 run `cargo bench --bench load -- spread`"
            );
            let db = Database::named(name).await;
            kept::check_single(&db, tenants).await;
            let setup = kept::load(&db, tenants).await;
            (db, setup)
        }
        None => (Database::fresh().await, None),
    };
    let server = Server::start(&db).await;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(8192)
        .build()
        .unwrap();
    let actor = match &setup {
        Some(s) => Actor {
            key: s.actor_key.clone(),
            actor_id: s.actor_id.clone(),
            schema: s.schema.clone(),
        },
        None => Actor::create(&http, &server.base).await,
    };
    let bench = Bench {
        duration,
        rss_idle: server.rss_kib(),
        actor,
        http,
        db,
        server,
        rows: Vec::new(),
        rss_load: 0,
        rss_after: Vec::new(),
        memory: Vec::new(),
        creation: None,
        memory_lines: Vec::new(),
        history: None,
    };
    let mut bench = bench;
    if runs("append") {
        bench.appends().await;
        bench.rss_after("append");
    }
    if runs("read") {
        bench.cursor_reads().await;
        bench.rss_after("read");
    }
    if runs("create") {
        bench.tenant_creation().await;
        bench.rss_after("create");
    }
    if runs("sse") {
        bench.sse().await;
        bench.rss_after("sse");
    }
    if runs("spread") {
        bench.spread_reads(tenants, setup, kept_db.is_some()).await;
        bench.rss_after("spread");
    }
    if named.iter().any(|n| n == "read-pair") {
        bench.read_pairs().await;
    }
    bench.report();
    let Bench { server, db, .. } = bench;
    drop(server);
    if kept_db.is_none() {
        db.drop_database().await;
    }
}

struct Bench {
    duration: Duration,
    http: reqwest::Client,
    db: Database,
    server: Server,
    actor: Actor,
    rows: Vec<Row>,
    rss_idle: u64,
    /// Peak RSS measured right after the append and read loads.
    rss_load: u64,
    /// RSS once each scenario has finished (memory freed by the process is not always
    /// returned to the system, so this is what the scenario left behind).
    rss_after: Vec<(&'static str, u64)>,
    memory: Vec<(usize, f64)>,
    creation: Option<create::Creation>,
    /// Each backend's cache memory (min/median/max) after a spread load.
    memory_lines: Vec<String>,
    /// The cursor into the `history` space, once made.
    history: Option<String>,
}

impl Bench {
    fn rss_after(&mut self, scenario: &'static str) {
        self.rss_after.push((scenario, self.server.rss_kib()));
    }

    fn schema(&self) -> String {
        format!("\"{}\"", self.actor.schema)
    }

    /// (a) appends: each connection on a random one of 128 spaces, then all on one hot space.
    async fn appends(&mut self) {
        let (http, base, key) = (&self.http, &self.server.base, &self.actor.key);
        for i in 0..SPREAD_SPACES {
            create_space(http, base, key, &format!("spread-{i}")).await;
        }
        create_space(http, base, key, "hot").await;
        for connections in CONNECTIONS {
            let (h, b, k) = (http.clone(), base.clone(), key.clone());
            let figures = load(connections, self.duration, move |c, i| {
                let (h, b, k) = (h.clone(), b.clone(), k.clone());
                let space = format!("spread-{}", (c * 7919 + i * 104_729) % SPREAD_SPACES);
                async move {
                    post(&h, &b, &k, &space, "spread").await;
                }
            })
            .await;
            self.rss_load = self.rss_load.max(self.server.rss_kib());
            let raw = pgbench::run(
                &self.db,
                "append.sql",
                connections,
                self.duration,
                &[
                    ("schema", self.schema()),
                    ("spaces", SPREAD_SPACES.to_string()),
                    ("speaker", self.actor.actor_id.clone()),
                ],
            );
            self.rows.push(Row {
                scenario: "append, spread".into(),
                connections,
                server: figures,
                pgbench: Some(raw),
            });
        }
        for connections in CONNECTIONS {
            let (h, b, k) = (http.clone(), base.clone(), key.clone());
            let figures = load(connections, self.duration, move |_, _| {
                let (h, b, k) = (h.clone(), b.clone(), k.clone());
                async move {
                    post(&h, &b, &k, "hot", "hot").await;
                }
            })
            .await;
            self.rows.push(Row {
                scenario: "append, one hot space".into(),
                connections,
                server: figures,
                pgbench: None,
            });
        }
    }

    /// (b) cursor page reads: 50 events after a cursor in the middle of a 1,000-event space.
    async fn cursor_reads(&mut self) {
        let cursor = self.history().await;
        let (http, base, key) = (&self.http, &self.server.base, &self.actor.key);
        for connections in CONNECTIONS {
            let keys = vec![key.clone()];
            let path = format!("/api/spaces/history/events?since={cursor}&limit=50");
            let figures = read_load(http, base, keys, path, connections, self.duration).await;
            self.rss_load = self.rss_load.max(self.server.rss_kib());
            let raw = pgbench::run(
                &self.db,
                "read.sql",
                connections,
                self.duration,
                &[
                    ("schema", self.schema()),
                    ("space", "history".into()),
                    ("cursor", cursor.clone()),
                ],
            );
            self.rows.push(Row {
                scenario: "cursor read".into(),
                connections,
                server: figures,
                pgbench: Some(raw),
            });
        }
    }

    /// The space `history` of 1,000 events (made once); the id of its 501st, the cursor.
    async fn history(&mut self) -> String {
        if let Some(cursor) = &self.history {
            return cursor.clone();
        }
        let (http, base, key) = (&self.http, &self.server.base, &self.actor.key);
        create_space(http, base, key, "history").await;
        let mut cursor = String::new();
        for i in 0..1000 {
            let id = post(http, base, key, "history", "old").await;
            if i == 500 {
                cursor = id;
            }
        }
        self.history = Some(cursor.clone());
        cursor
    }

    /// (d) tenant creation: one actor per tenant, one at a time, on the empty database; then
    /// with many tenants present, concurrently ([`create`]).
    async fn tenant_creation(&mut self) {
        let (http, base) = (&self.http, &self.server.base);
        let mut created = Vec::new();
        for i in 0..TENANTS_TIMED {
            let other = Actor::register(http, base, &format!("t{i}")).await;
            let started = Instant::now();
            create_tenant(http, base, &other, &format!("Timed Org {i}")).await;
            created.push(started.elapsed());
        }
        created.sort();
        self.rows.push(Row {
            scenario: "tenant creation (sequential)".into(),
            connections: 1,
            server: Figures {
                per_sec: TENANTS_TIMED as f64 / created.iter().sum::<Duration>().as_secs_f64(),
                p50_ms: ms(percentile(&created, 0.50)),
                p99_ms: ms(percentile(&created, 0.99)),
            },
            pgbench: None,
        });
        let c = create::run(&self.db, http, base, self.duration).await;
        for (kind, figures) in [("bursts", c.bursts), ("closed loop", c.sustained)] {
            self.rows.push(Row {
                scenario: format!("tenant creation, {kind}, {} present", c.present),
                connections: c.creators,
                server: figures,
                pgbench: None,
            });
        }
        self.creation = Some(c);
    }

    /// (c) SSE delivery latency and (f) memory per idle stream.
    async fn sse(&mut self) {
        {
            let server = Server::start(&self.db).await;
            create_space(&self.http, &server.base, &self.actor.key, "idle").await;
            let per_stream =
                sse::idle_memory(&server, &self.actor.key, "idle", &IDLE_STREAMS).await;
            self.memory = IDLE_STREAMS.iter().copied().zip(per_stream).collect();
        }
        for subscribers in SUBSCRIBERS {
            let space = format!("fanout-{subscribers}");
            create_space(&self.http, &self.server.base, &self.actor.key, &space).await;
            let figures = sse::fanout(
                &self.server,
                &self.http,
                &self.actor.key,
                &space,
                subscribers,
            )
            .await;
            self.rows.push(Row {
                scenario: "SSE delivery".into(),
                connections: subscribers,
                server: figures,
                pgbench: None,
            });
        }
    }

    /// (e) one page read (50 of 60 events after a cursor) at 32 connections: all on this
    /// tenant, then each request on a random one of `count` tenants (this one and `count - 1`
    /// provisioned in bulk); pgbench likewise. With a kept database (`keep`), the set-up of an
    /// earlier run (`setup`) is reused, or this run's is recorded for the next.
    async fn spread_reads(&mut self, count: usize, setup: Option<kept::Setup>, keep: bool) {
        const CONNECTIONS: usize = 32;
        let (http, base, key) = (
            &self.http.clone(),
            &self.server.base.clone(),
            &self.actor.key.clone(),
        );
        let cursor = match &setup {
            Some(s) => s.cursor.clone(),
            None => {
                create_space(http, base, key, "page").await;
                let mut cursor = String::new();
                for i in 0..60 {
                    let id = post(http, base, key, "page", "paged").await;
                    if i == 9 {
                        cursor = id;
                    }
                }
                cursor
            }
        };
        let path = format!("/api/spaces/page/events?since={cursor}&limit=50");
        let vars = |schema: Option<String>| {
            let mut vars = vec![("space", "page".to_string()), ("cursor", cursor.clone())];
            match schema {
                Some(schema) => vars.push(("schema", schema)),
                None => vars.push(("tenants", (count - 1).to_string())),
            }
            vars
        };
        let one = read_load(
            http,
            base,
            vec![key.clone()],
            path.clone(),
            CONNECTIONS,
            self.duration,
        )
        .await;
        let raw = pgbench::run(
            &self.db,
            "read.sql",
            CONNECTIONS,
            self.duration,
            &vars(Some(self.schema())),
        );
        self.rows.push(Row {
            scenario: "cursor read, 1 tenant".into(),
            connections: CONNECTIONS,
            server: one,
            pgbench: Some(raw),
        });
        self.backend_memory("1 tenant").await;

        let mut keys = match setup {
            Some(s) => s.keys,
            None => {
                let started = Instant::now();
                let spread = tenants::provision(&self.db, &self.actor.schema, count - 1).await;
                eprintln!(
                    "{} tenants provisioned in {:.0} s",
                    count - 1,
                    started.elapsed().as_secs_f64()
                );
                if keep {
                    let setup = kept::Setup {
                        actor_key: key.clone(),
                        actor_id: self.actor.actor_id.clone(),
                        schema: self.actor.schema.clone(),
                        cursor: cursor.clone(),
                        keys: spread.clone(),
                    };
                    kept::save(&self.db, count, &setup).await;
                }
                spread
            }
        };
        keys.push(key.clone());
        // Each key verified once, as a warm server has done (not measured).
        let warm = stream_all(http, base, &keys, &path).await;
        eprintln!("warm-up: {warm} keys verified");
        // Then the same load, not measured, until the backends hold the catalogs a server
        // that has run for a while holds (each backend caches a schema's catalog on first
        // use; CONVO_BENCH_SPREAD_WARM_SECS, 0 to measure from cold).
        let warm_secs = server::setting("CONVO_BENCH_SPREAD_WARM_SECS", 30);
        if warm_secs > 0 {
            let warm = Duration::from_secs(warm_secs);
            let f = read_load(http, base, keys.clone(), path.clone(), CONNECTIONS, warm).await;
            self.backend_memory(&format!("{count} tenants, warm-up ({warm_secs} s)"))
                .await;
            eprintln!("warm-up load: {:.0} req/s", f.per_sec);
        }
        let figures = read_load(http, base, keys, path, CONNECTIONS, self.duration).await;
        self.backend_memory(&format!("{count} tenants")).await;
        let raw = pgbench::run(
            &self.db,
            "read_spread.sql",
            CONNECTIONS,
            self.duration,
            &vars(None),
        );
        self.rows.push(Row {
            scenario: format!("cursor read, {count} tenants"),
            connections: CONNECTIONS,
            server: figures,
            pgbench: Some(raw),
        });
    }

    /// The server's backends' cache memory (catalog caches and cached plans, from
    /// `pg_backend_memory_contexts`), as its `/metrics` reports it after a load.
    async fn backend_memory(&mut self, after: &str) {
        let text = self
            .http
            .get(format!("{}/metrics?backend_memory=1", self.server.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let figures: Vec<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix("convo_db_backend_cache_bytes{stat=\""))
            .filter_map(|l| {
                let (stat, value) = l.split_once("\"} ")?;
                let mib = value.trim().parse::<f64>().ok()? / (1024.0 * 1024.0);
                Some(format!("{stat} {mib:.1} MiB"))
            })
            .collect();
        let line = if figures.is_empty() {
            "not reported by this build".to_string()
        } else {
            figures.join(", ")
        };
        self.memory_lines
            .push(format!("backend cache memory after {after}: {line}"));
    }

    fn report(&self) {
        print_table(&self.rows);
        println!();
        println!("server RSS: idle {} KiB", self.rss_idle);
        if self.rss_load > 0 {
            println!(
                "server RSS: peak under append and read load {} KiB",
                self.rss_load
            );
        }
        let after: Vec<String> = self
            .rss_after
            .iter()
            .map(|(scenario, kib)| format!("{scenario} {kib} KiB"))
            .collect();
        println!("server RSS after each scenario: {}", after.join(", "));
        if let Some(c) = &self.creation {
            println!(
                "tenant creation with {} tenants present, {} concurrent creators: bursts p50 {:.1} ms, \
                 p95 {:.1} ms, {:.0} tenants/s; closed loop p50 {:.1} ms, p95 {:.1} ms, {:.0} tenants/s",
                c.present,
                c.creators,
                c.bursts.p50_ms,
                c.bursts_p95_ms,
                c.bursts.per_sec,
                c.sustained.p50_ms,
                c.sustained_p95_ms,
                c.sustained.per_sec
            );
        }
        for (subscribers, per_stream) in &self.memory {
            println!(
                "server RSS per idle stream with {subscribers} open (a fresh server): \
                 {per_stream:.1} KiB"
            );
        }
        for line in &self.memory_lines {
            println!("{line}");
        }
    }
}

/// Closed-loop `GET base+path` with each request under one of `keys`, spread evenly.
async fn read_load(
    http: &reqwest::Client,
    base: &str,
    keys: Vec<String>,
    path: String,
    connections: usize,
    duration: Duration,
) -> Figures {
    let (h, url, keys) = (
        http.clone(),
        format!("{base}{path}"),
        std::sync::Arc::new(keys),
    );
    load(connections, duration, move |c, i| {
        let (h, url) = (h.clone(), url.clone());
        let key = keys[(c * 7919 + i * 104_729) % keys.len()].clone();
        async move {
            let resp = h.get(&url).bearer_auth(&key).send().await.unwrap();
            assert_eq!(resp.status(), 200);
            resp.bytes().await.unwrap();
        }
    })
    .await
}

/// One request per key, 32 at a time; how many succeeded.
async fn stream_all(http: &reqwest::Client, base: &str, keys: &[String], path: &str) -> usize {
    use futures::StreamExt;
    futures::stream::iter(keys)
        .map(|key| async move {
            let resp = http
                .get(format!("{base}{path}"))
                .bearer_auth(key)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
            resp.bytes().await.unwrap();
        })
        .buffer_unordered(32)
        .count()
        .await
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
