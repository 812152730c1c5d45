//! Event benchmarks against a release `convo serve` child process on a fresh database:
//! appends (spread over spaces, and one hot space) and cursor page reads at 32 connections,
//! SSE delivery latency from a write's response to each subscriber, and the server's resident
//! memory per idle stream.
//!
//! Run: `cargo bench --bench events`. Server, PostgreSQL and this load generator share the
//! machine's cores.

use std::{
    collections::HashMap,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use futures::StreamExt;
use serde_json::{Value, json};

const CONNECTIONS: usize = 32;
const LOAD: Duration = Duration::from_secs(5);
const FANOUT_EVENTS: usize = 100;

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::main]
async fn main() {
    let server = start_server().await;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(4096)
        .build()
        .unwrap();
    let base = server.base.clone();
    let key = setup_actor(&http, &base).await;

    // (a) appends spread over spaces, then on one hot space.
    for i in 0..CONNECTIONS {
        create_space(&http, &base, &key, &format!("spread-{i}")).await;
    }
    let (n, lat) = load(CONNECTIONS, |i| {
        let (http, base, key) = (http.clone(), base.clone(), key.clone());
        async move {
            post(&http, &base, &key, &format!("spread-{i}"), "spread").await;
        }
    })
    .await;
    report("append, 32 connections, one space each", n, lat);
    create_space(&http, &base, &key, "hot").await;
    let (n, lat) = load(CONNECTIONS, |_| {
        let (http, base, key) = (http.clone(), base.clone(), key.clone());
        async move {
            post(&http, &base, &key, "hot", "hot").await;
        }
    })
    .await;
    report("append, 32 connections, one hot space", n, lat);

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
    let (n, lat) = load(CONNECTIONS, |_| {
        let (http, path, key) = (http.clone(), path.clone(), key.clone());
        async move {
            let resp = http.get(&path).bearer_auth(&key).send().await.unwrap();
            assert_eq!(resp.status(), 200);
            resp.bytes().await.unwrap();
        }
    })
    .await;
    report("GET events?since=&limit=50, 32 connections", n, lat);

    // (c) SSE delivery latency and (d) memory per idle stream.
    for subscribers in [1, 100, 1000] {
        let space = format!("fanout-{subscribers}");
        create_space(&http, &base, &key, &space).await;
        let rss_before = rss_kib(server.child.id());
        let received: Arc<Mutex<HashMap<String, Vec<Instant>>>> = Arc::default();
        let mut readers = Vec::new();
        for _ in 0..subscribers {
            let resp = reqwest::Client::new()
                .get(format!("{base}/api/spaces/{space}/events/stream"))
                .bearer_auth(&key)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
            let received = received.clone();
            readers.push(tokio::spawn(read_stream(resp, received)));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let rss_idle = rss_kib(server.child.id());
        let mut sent = Vec::new();
        for _ in 0..FANOUT_EVENTS {
            let id = post(&http, &base, &key, &space, "fan-out").await;
            sent.push((id, Instant::now()));
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Wait until every subscriber has every event (bounded).
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let done = {
                let r = received.lock().unwrap();
                sent.iter()
                    .all(|(id, _)| r.get(id).is_some_and(|v| v.len() == subscribers))
            };
            if done || Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let r = received.lock().unwrap();
        let mut lat = Vec::new();
        for (id, at) in &sent {
            for got in r.get(id).into_iter().flatten() {
                lat.push(got.saturating_duration_since(*at));
            }
        }
        let delivered = lat.len();
        drop(r);
        lat.sort();
        println!(
            "SSE delivery, {subscribers} subscribers: {delivered}/{} deliveries, p50={:.2} ms p99={:.2} ms; server RSS {} KiB idle-before, +{:.1} KiB per idle stream",
            subscribers * FANOUT_EVENTS,
            ms(pct(&lat, 0.50)),
            ms(pct(&lat, 0.99)),
            rss_before,
            (rss_idle.saturating_sub(rss_before)) as f64 / subscribers as f64,
        );
        for reader in readers {
            reader.abort();
        }
    }
}

async fn read_stream(resp: reqwest::Response, received: Arc<Mutex<HashMap<String, Vec<Instant>>>>) {
    let mut body = resp.bytes_stream();
    let mut buf = String::new();
    while let Some(Ok(chunk)) = body.next().await {
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let frame: String = buf.drain(..end + 2).collect();
            if let Some(id) = frame.lines().find_map(|l| l.strip_prefix("id:")) {
                let now = Instant::now();
                received
                    .lock()
                    .unwrap()
                    .entry(id.trim().to_string())
                    .or_default()
                    .push(now);
            }
        }
    }
}

/// Run `connections` loops of `request` for [`LOAD`]; count and latencies.
async fn load<F, Fut>(connections: usize, request: F) -> (usize, Vec<Duration>)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let deadline = Instant::now() + LOAD;
    let request = Arc::new(request);
    let tasks: Vec<_> = (0..connections)
        .map(|i| {
            let request = request.clone();
            async move {
                let mut lat = Vec::new();
                while Instant::now() < deadline {
                    let started = Instant::now();
                    request(i).await;
                    lat.push(started.elapsed());
                }
                lat
            }
        })
        .collect();
    let lat: Vec<Duration> = futures::future::join_all(tasks)
        .await
        .into_iter()
        .flatten()
        .collect();
    (lat.len(), lat)
}

fn report(name: &str, n: usize, mut lat: Vec<Duration>) {
    lat.sort();
    println!(
        "{name}: {:.0} req/s p50={:.2} ms p99={:.2} ms (n={n})",
        n as f64 / LOAD.as_secs_f64(),
        ms(pct(&lat, 0.50)),
        ms(pct(&lat, 0.99)),
    );
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
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

async fn setup_actor(http: &reqwest::Client, base: &str) -> String {
    let body: Value = http
        .post(format!("{base}/api/actors"))
        .json(&json!({"display_name": "Bench", "email": "bench@example.com"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = body["api_key"].as_str().unwrap().to_string();
    let resp = http
        .post(format!("{base}/api/tenants"))
        .bearer_auth(&key)
        .json(&json!({"name": "Bench Org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    key
}

/// The release binary on a fresh database, on a free port; waits for `/health`.
async fn start_server() -> Server {
    let admin = convo::db::local::find_or_start_server(std::path::Path::new(".convo"))
        .await
        .unwrap();
    let name = format!("convo_bench_{}", uuid::Uuid::new_v4().simple());
    let config = convo::db::local::ensure_database(&admin, &name)
        .await
        .unwrap();
    let host = match &config.get_hosts()[0] {
        tokio_postgres::config::Host::Tcp(h) => h.clone(),
        tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
    };
    let url = format!(
        "host={host} port={} user={} dbname={name}",
        config.get_ports()[0],
        config.get_user().unwrap()
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = Server {
        child: Command::new(env!("CARGO_BIN_EXE_convo"))
            .args([
                "serve",
                "--bind",
                &format!("127.0.0.1:{port}"),
                "--database-url",
                &url,
            ])
            .args(["--max-streams-per-key", "5000"])
            // One key drives the whole load: per-credential rate limiting is not measured here.
            .args(["--rate-limit-per-sec", "0"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("convo binary"),
        base: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..200 {
        if reqwest::get(format!("{}/health", server.base))
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not come up");
}
