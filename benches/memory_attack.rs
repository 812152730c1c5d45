//! The memory attack of issue #14, section 2, against a release `convo serve` on a fresh
//! database: one member stores max-size events (~250 KB: 32,768 four-byte characters, 50
//! references of 2 KB, 16 KB of metadata), then, all at once, reads them back in bulk (8
//! transcripts, 4 threads, 4 activity digests since 2000, 8 event lists of 200), holds 10
//! streams that never read, and floods one space with max-size appends. Prints the server's
//! RSS when idle, at its peak, and a few seconds after the attack.
//!
//! Run: `cargo bench --bench memory_attack`. `CONVO_BIN` runs another build (to compare),
//! `CONVO_ATTACK_EVENTS` sets how many events are stored (default 400, ~100 MB).

#[path = "load/server.rs"]
mod server;

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use futures::{StreamExt, future::join_all};
use serde_json::{Value, json};
use server::{Database, Server};

const TRANSCRIPTS: usize = 8;
const THREADS: usize = 4;
const ACTIVITY: usize = 4;
const EVENT_LISTS: usize = 8;
const IDLE_STREAMS: usize = 10;
const FLOOD_CLIENTS: usize = 32;
const FLOOD_SECS: u64 = 10;

#[tokio::main]
async fn main() {
    let events: usize = server::setting("CONVO_ATTACK_EVENTS", 400);
    let db = Database::fresh().await;
    let server = Arc::new(Server::start(&db).await);
    let http = reqwest::Client::new();
    let base = server.base.clone();
    let key = member(&http, &base).await;
    for space in ["room", "flood"] {
        let resp = post(
            &http,
            &base,
            &key,
            "/api/spaces",
            json!({"space_id": space}),
        )
        .await;
        assert!(
            resp.status().is_success(),
            "create space: {}",
            resp.status()
        );
    }
    let parent = store(&http, &base, &key, json!(large(0, None))).await;
    let thread = post(
        &http,
        &base,
        &key,
        "/api/spaces/room/threads",
        json!({"parent_event_id": parent["event_id"]}),
    )
    .await
    .json::<Value>()
    .await
    .unwrap()["thread_id"]
        .as_str()
        .unwrap()
        .to_string();
    // Half the events in the thread; 20 per speaker, so the digest lists them all.
    let stored = futures::stream::iter(1..events)
        .map(|i| {
            let (http, base, key) = (&http, &base, &key);
            let thread = (i % 2 == 0).then_some(thread.as_str());
            async move { store(http, base, key, large(i, thread)).await }
        })
        .buffer_unordered(4)
        .count()
        .await;
    println!("stored {} events of ~250 KB", stored + 1);

    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = server.rss_kib();
    let done = Arc::new(AtomicBool::new(false));
    let sampling = tokio::spawn({
        let (server, done) = (server.clone(), done.clone());
        async move {
            let mut peak = 0;
            while !done.load(Ordering::Relaxed) {
                peak = peak.max(server.rss_kib());
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            peak
        }
    });
    let started = std::time::Instant::now();
    let read = |path: String| {
        let (http, base, key) = (http.clone(), base.clone(), key.clone());
        tokio::spawn(async move {
            let resp = http
                .get(format!("{base}{path}"))
                .bearer_auth(&key)
                .send()
                .await;
            match resp {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let mut body = resp.bytes_stream();
                    let mut bytes = 0usize;
                    while let Some(Ok(chunk)) = body.next().await {
                        bytes += chunk.len();
                    }
                    (status, bytes)
                }
                Err(_) => (0, 0),
            }
        })
    };
    let mut reads = Vec::new();
    for _ in 0..TRANSCRIPTS {
        reads.push(read("/api/spaces/room/transcript".into()));
    }
    for _ in 0..THREADS {
        reads.push(read(format!("/api/spaces/room/threads/{thread}")));
    }
    for _ in 0..ACTIVITY {
        reads.push(read(
            "/api/spaces/room/activity?since=2000-01-01T00:00:00Z&max_events=20".into(),
        ));
    }
    for _ in 0..EVENT_LISTS {
        reads.push(read("/api/spaces/room/events?limit=200".into()));
    }
    // Streams that replay the whole space and never read a byte of it.
    let mut streams = Vec::new();
    for _ in 0..IDLE_STREAMS {
        let client = reqwest::Client::new();
        let resp = client
            .get(format!("{base}/api/spaces/room/events/stream"))
            .bearer_auth(&key)
            .send()
            .await;
        streams.push((client, resp));
    }
    let flood = (0..FLOOD_CLIENTS).map(|c| {
        let (http, base, key) = (http.clone(), base.clone(), key.clone());
        tokio::spawn(async move {
            let until = std::time::Instant::now() + Duration::from_secs(FLOOD_SECS);
            let (mut stored, mut refused) = (0, 0);
            while std::time::Instant::now() < until {
                let resp = post(
                    &http,
                    &base,
                    &key,
                    "/api/spaces/flood/events",
                    large(c, None),
                )
                .await;
                if resp.status().is_success() {
                    stored += 1;
                } else {
                    refused += 1;
                }
            }
            (stored, refused)
        })
    });
    let (reads, flood) = tokio::join!(join_all(reads), join_all(flood));
    let reads: Vec<(u16, usize)> = reads.into_iter().map(Result::unwrap).collect();
    let (stored, refused) = flood
        .into_iter()
        .map(Result::unwrap)
        .fold((0, 0), |(a, b), (c, d)| (a + c, b + d));
    let took = started.elapsed();
    drop(streams);
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after = server.rss_kib();
    let hwm = server.peak_rss_kib();
    done.store(true, Ordering::Relaxed);
    let sampled = sampling.await.unwrap();
    let mib = |kib: u64| kib as f64 / 1024.0;
    for (what, (status, bytes)) in [
        ("transcript", &reads[..TRANSCRIPTS]),
        ("thread", &reads[TRANSCRIPTS..TRANSCRIPTS + THREADS]),
        (
            "activity",
            &reads[TRANSCRIPTS + THREADS..TRANSCRIPTS + THREADS + ACTIVITY],
        ),
        ("events list", &reads[TRANSCRIPTS + THREADS + ACTIVITY..]),
    ]
    .map(|(w, r)| (w, r[0]))
    {
        println!(
            "{what}: status {status}, {:.1} MB read by each client",
            bytes as f64 / 1e6
        );
    }
    println!("flood: {stored} appends stored, {refused} refused in {FLOOD_SECS} s");
    println!("attack took {:.1} s", took.as_secs_f64());
    println!(
        "RSS: idle {:.0} MiB, peak {:.0} MiB (sampled; VmHWM {:.0} MiB), {:.0} MiB 5 s after",
        mib(idle),
        mib(sampled),
        mib(hwm),
        mib(after)
    );
    drop(server);
    db.drop_database().await;
}

/// A self-registered member with a tenant of their own; their key.
async fn member(http: &reqwest::Client, base: &str) -> String {
    let actor: Value = http
        .post(format!("{base}/api/actors"))
        .json(&json!({"display_name": "Mallory", "email": "mallory@example.com"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = actor["api_key"].as_str().unwrap().to_string();
    let resp = post(
        http,
        base,
        &key,
        "/api/tenants",
        json!({"name": "Mallory Org"}),
    )
    .await;
    assert!(
        resp.status().is_success(),
        "create tenant: {}",
        resp.status()
    );
    key
}

async fn post(
    http: &reqwest::Client,
    base: &str,
    key: &str,
    path: &str,
    body: Value,
) -> reqwest::Response {
    loop {
        let resp = http
            .post(format!("{base}{path}"))
            .bearer_auth(key)
            .json(&body)
            .send()
            .await
            .unwrap();
        // Rate limited: the attack has time.
        if resp.status() != 429 {
            return resp;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn store(http: &reqwest::Client, base: &str, key: &str, event: Value) -> Value {
    let resp = post(http, base, key, "/api/spaces/room/events", event).await;
    assert!(resp.status().is_success(), "store: {}", resp.status());
    resp.json().await.unwrap()
}

/// A max-size event: 32,768 four-byte characters, 50 references of 2 KB, 16 KB of metadata.
fn large(i: usize, thread: Option<&str>) -> Value {
    let text: String = (0..32_768)
        .map(|c| char::from_u32(0x1F600 + ((c + i) % 64) as u32).unwrap())
        .collect();
    json!({
        "speaker_id": format!("speaker-{}", i / 20),
        "speaker_name": "Mallory",
        "text": text,
        "references": (0..50).map(|r| format!("https://example.com/{i}/{r}/{}", "a".repeat(2000))).collect::<Vec<_>>(),
        "metadata": {"pad": "m".repeat(16_000)},
        "thread_id": thread,
    })
}
