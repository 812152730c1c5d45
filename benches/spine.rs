//! Spine benchmarks: tenant creation latency, and authenticated `GET /api/actors/me`
//! throughput on the cached path versus the cost of a cache miss (argon2 verify).
//!
//! Run: `cargo bench --bench spine` (release profile, local PostgreSQL, fresh database).
//! Server and load generator share the process and the machine's cores.

use std::time::{Duration, Instant};

use convo::{app::App, config::ServeConfig, db::local};
use serde_json::{Value, json};

const TENANTS: usize = 200;
const LOAD_SECONDS: u64 = 5;
const CONCURRENCY: usize = 32;
const MISSES: usize = 50;

#[tokio::main]
async fn main() {
    let db_url = fresh_database().await;
    // Every setting at its default (or its environment variable), except these.
    #[derive(clap::Parser)]
    struct Bench {
        #[command(flatten)]
        serve: ServeConfig,
    }
    let config = <Bench as clap::Parser>::parse_from([
        "spine",
        "--database-url",
        &db_url,
        "--bind",
        "127.0.0.1:0",
        // Few keys drive the whole load: per-credential rate limiting is not measured here.
        "--rate-limit-per-sec",
        "0",
    ])
    .serve;
    let app = App::build(config).await.expect("app builds");
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state.clone();
    tokio::spawn(app.run_until(std::future::pending(), Duration::from_secs(1)));
    let http = reqwest::Client::new();

    // Tenant creation.
    let mut keys = Vec::new();
    for i in 0..TENANTS {
        keys.push(register(&http, &base, i).await);
    }
    let mut creation = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let started = Instant::now();
        let resp = http
            .post(format!("{base}/api/tenants"))
            .bearer_auth(key)
            .json(&json!({"name": format!("Bench Org {i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        creation.push(started.elapsed());
    }
    report("tenant creation", &mut creation, None);

    // Cached path: one key, many concurrent clients.
    let key = keys[0].clone();
    let deadline = Instant::now() + Duration::from_secs(LOAD_SECONDS);
    let workers = (0..CONCURRENCY).map(|_| {
        let (http, base, key) = (http.clone(), base.clone(), key.clone());
        tokio::spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let started = Instant::now();
                let resp = http
                    .get(format!("{base}/api/actors/me"))
                    .bearer_auth(&key)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), 200);
                resp.bytes().await.unwrap();
                lat.push(started.elapsed());
            }
            lat
        })
    });
    let mut cached: Vec<Duration> = futures::future::join_all(workers)
        .await
        .into_iter()
        .flat_map(Result::unwrap)
        .collect();
    let rps = cached.len() as f64 / LOAD_SECONDS as f64;
    report(
        &format!("GET /api/actors/me cached, {CONCURRENCY} clients"),
        &mut cached,
        Some(rps),
    );

    // Cache misses: drop the cache before each request.
    let mut misses = Vec::new();
    for _ in 0..MISSES {
        state.auth.cache.invalidate_all();
        let started = Instant::now();
        let resp = http
            .get(format!("{base}/api/actors/me"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        misses.push(started.elapsed());
    }
    report(
        "GET /api/actors/me cache miss (argon2 verify), sequential",
        &mut misses,
        None,
    );
}

async fn register(http: &reqwest::Client, base: &str, i: usize) -> String {
    let body: Value = http
        .post(format!("{base}/api/actors"))
        .json(&json!({"display_name": format!("User {i}"), "email": format!("u{i}@example.com")}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["api_key"].as_str().unwrap().to_string()
}

fn report(name: &str, samples: &mut [Duration], rps: Option<f64>) {
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let rps = rps.map(|r| format!("  {r:.0} req/s")).unwrap_or_default();
    println!(
        "{name}: n={} p50={:.2} ms p99={:.2} ms max={:.2} ms{rps}",
        samples.len(),
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(samples[samples.len() - 1])
    );
}

async fn fresh_database() -> String {
    if let Ok(url) = std::env::var("DATABASE_URL") {
        return url;
    }
    let admin = local::find_or_start_server(std::path::Path::new(".convo"))
        .await
        .unwrap();
    let name = format!("convo_bench_{}", uuid::Uuid::new_v4().simple());
    let config = local::ensure_database(&admin, &name).await.unwrap();
    let host = match &config.get_hosts()[0] {
        tokio_postgres::config::Host::Tcp(h) => h.clone(),
        tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
    };
    format!(
        "host={host} port={} user={} dbname={name}",
        config.get_ports()[0],
        config.get_user().unwrap()
    )
}
