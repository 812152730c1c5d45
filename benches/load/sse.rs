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

/// Open `subscribers` streams on `space`, write [`EVENTS`] events one at a time; the delivery
/// latency figures (per_sec is deliveries per second) and KiB of server RSS per idle stream.
pub async fn fanout(
    server: &Server,
    http: &reqwest::Client,
    key: &str,
    space: &str,
    subscribers: usize,
) -> (Figures, f64) {
    let base = &server.base;
    let rss_before = server.rss_kib();
    let received: Received = Arc::default();
    let mut readers = Vec::new();
    for _ in 0..subscribers {
        // One HTTP connection per subscriber, as separate clients would have.
        let resp = reqwest::Client::new()
            .get(format!("{base}/api/spaces/{space}/events/stream"))
            .bearer_auth(key)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        readers.push(tokio::spawn(read_stream(resp, received.clone())));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_idle = server.rss_kib();
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
    let figures = Figures {
        per_sec: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: ms(percentile(&latencies, 0.50)),
        p99_ms: ms(percentile(&latencies, 0.99)),
    };
    let per_stream = rss_idle.saturating_sub(rss_before) as f64 / subscribers as f64;
    (figures, per_stream)
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
