//! SSE fan-out: delivery latency from a write's response to each subscriber, and the
//! server's resident memory per idle stream.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use futures::StreamExt;

use super::{
    drive::{Figures, ms, percentile},
    post,
    server::Server,
};

const EVENTS: usize = 50;

type Received = Arc<Mutex<HashMap<String, Vec<Instant>>>>;

/// Open a stream on `space` on a connection of its own, as separate clients would have.
async fn open(base: &str, key: &str, space: &str) -> reqwest::Response {
    let resp = reqwest::Client::new()
        .get(format!("{base}/api/spaces/{space}/events/stream"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp
}

/// Open `subscribers` streams on `space`, write [`EVENTS`] events one at a time; the delivery
/// latency figures (per_sec is deliveries per second).
pub async fn fanout(
    server: &Server,
    http: &reqwest::Client,
    key: &str,
    space: &str,
    subscribers: usize,
) -> Figures {
    let base = &server.base;
    let received: Received = Arc::default();
    let mut readers = Vec::new();
    for _ in 0..subscribers {
        let resp = open(base, key, space).await;
        readers.push(tokio::spawn(read_stream(resp, received.clone())));
    }
    let started = Instant::now();
    let mut sent = Vec::new();
    for _ in 0..EVENTS {
        let id = post(http, base, key, space, "fan-out").await;
        sent.push((id, Instant::now()));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let done = {
            let r = received.lock().unwrap();
            sent.iter()
                .all(|(id, _)| r.get(id).is_some_and(|v| v.len() == subscribers))
        };
        if done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    let mut latencies = Vec::new();
    {
        let r = received.lock().unwrap();
        for (id, at) in &sent {
            for got in r.get(id).into_iter().flatten() {
                latencies.push(got.saturating_duration_since(*at));
            }
        }
    }
    assert_eq!(
        latencies.len(),
        subscribers * EVENTS,
        "every subscriber gets every event"
    );
    for reader in readers {
        reader.abort();
    }
    latencies.sort();
    Figures {
        per_sec: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: ms(percentile(&latencies, 0.50)),
        p99_ms: ms(percentile(&latencies, 0.99)),
    }
}

/// KiB of server RSS per idle stream with each of `counts` streams open (cumulative), on a
/// server of its own: on the benchmark's server, memory freed by earlier scenarios would be
/// reused by the streams and hide their cost. The baseline is taken with one stream open, so
/// the first stream's one-time allocations are not counted per stream.
pub async fn idle_memory(server: &Server, key: &str, space: &str, counts: &[usize]) -> Vec<f64> {
    let mut open_streams = vec![open(&server.base, key, space).await];
    let settle = || tokio::time::sleep(Duration::from_millis(500));
    settle().await;
    let baseline = server.rss_kib();
    let mut per_stream = Vec::new();
    for &count in counts {
        while open_streams.len() < count + 1 {
            open_streams.push(open(&server.base, key, space).await);
        }
        // Streams are set up asynchronously after their response head; let them settle.
        settle().await;
        per_stream.push(server.rss_kib().saturating_sub(baseline) as f64 / count as f64);
    }
    per_stream
}

async fn read_stream(resp: reqwest::Response, received: Received) {
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
