//! Issue #14, section 2: what a tenant stored must not decide how much memory a request
//! takes. Large, compressible events read back in bulk come out complete and in order, but
//! page by page, each page bounded in bytes.

use convo::{
    store::event_pages::{self, PageSize, Scope},
    tenancy::{SchemaName, TenantTx},
};
use serde_json::{Value, json};

use crate::{
    helpers::{Actor, Call, TestApp, serve_config},
    sse::Sse,
};

const BUDGET: usize = 64 * 1024;

/// A server whose reads hold at most [`BUDGET`] bytes of events per page.
async fn app() -> TestApp {
    let mut config = serve_config(&crate::helpers::fresh_database().await);
    config.memory.read_page_bytes = BUDGET;
    TestApp::spawn_with(config).await
}

/// An event of about 24 KB that compresses to almost nothing: four-byte characters, long
/// references, metadata.
fn large(i: usize, thread: Option<&str>) -> Value {
    json!({
        "speaker_id": format!("speaker-{}", i % 3),
        "speaker_name": "Bulk",
        "text": format!("{i} {}", "😀".repeat(4096)),
        "references": (0..4).map(|r| format!("https://example.com/{r}/{}", "a".repeat(1000))).collect::<Vec<_>>(),
        "metadata": {"pad": "m".repeat(2000), "n": i},
        "thread_id": thread,
    })
}

async fn post(app: &TestApp, who: &Actor, body: Value) -> Value {
    let (status, event) = app
        .post("/api/spaces/room/events", &who.api_key, body)
        .call()
        .await;
    assert_eq!(status, 200, "{event}");
    event
}

async fn get(app: &TestApp, who: &Actor, path: &str) -> (reqwest::header::HeaderMap, Value) {
    let resp = app.get(path, &who.api_key).send().await.unwrap();
    assert_eq!(resp.status(), 200, "{path}");
    let headers = resp.headers().clone();
    (headers, resp.json().await.unwrap())
}

/// Streamed, not built: no length is known when the head goes out.
fn assert_streamed(headers: &reqwest::header::HeaderMap) {
    assert!(headers.get("content-length").is_none(), "{headers:?}");
    assert_eq!(headers["content-type"], "application/json; charset=utf-8");
}

#[tokio::test]
async fn database_pages_stay_within_their_byte_budget() {
    let app = app().await;
    let alice = app.human("Alice").await;
    app.space(&alice, "room").await;
    let mut posted = Vec::new();
    for i in 0..30 {
        posted.push(post(&app, &alice, large(i, None)).await["sequence"].clone());
    }
    let tx = TenantTx::begin(&app.state.db.pool, &SchemaName::default_tenant())
        .await
        .unwrap();
    let mut size = PageSize::new(200, BUDGET);
    let (mut after, mut read, mut pages) = (0, Vec::new(), 0);
    loop {
        let page = event_pages::after(&tx, "room", Scope::All, after, i64::MAX, &mut size)
            .await
            .unwrap();
        let rendered: Vec<usize> = page.events.iter().map(|e| e.json.len()).collect();
        // Every event of the page but the last starts within the budget.
        let before_last: usize = rendered.iter().rev().skip(1).sum();
        assert!(before_last < BUDGET, "a page of {rendered:?} bytes");
        read.extend(page.events.iter().map(|e| json!(e.seq)));
        after = page.events.last().map_or(after, |e| e.seq);
        pages += 1;
        if !page.more {
            break;
        }
        assert!(
            !page.events.is_empty(),
            "a page that promises more has events"
        );
    }
    assert_eq!(read, posted, "every event once, in order");
    assert!(pages >= 10, "{pages} pages for ~720 KB within 64 KiB pages");
}

#[tokio::test]
async fn a_transcript_larger_than_a_page_is_streamed_whole_and_in_order() {
    let app = app().await;
    let alice = app.human("Alice").await;
    app.space(&alice, "room").await;
    let mut posted = Vec::new();
    for i in 0..20 {
        posted.push(post(&app, &alice, large(i, None)).await);
    }
    let (headers, transcript) = get(&app, &alice, "/api/spaces/room/transcript").await;
    assert_streamed(&headers);
    assert_eq!(transcript, Value::Array(posted.clone()));

    let (_, limited) = get(&app, &alice, "/api/spaces/room/transcript?limit=7").await;
    assert_eq!(limited, Value::Array(posted[..7].to_vec()));
    let from = posted[12]["timestamp"]
        .as_str()
        .unwrap()
        .replace('+', "%2B");
    let (_, later) = get(
        &app,
        &alice,
        &format!("/api/spaces/room/transcript?start={from}"),
    )
    .await;
    let expected: Vec<Value> = posted
        .iter()
        .filter(|e| e["timestamp"].as_str() >= posted[12]["timestamp"].as_str())
        .cloned()
        .collect();
    assert_eq!(later, Value::Array(expected));
}

#[tokio::test]
async fn a_thread_larger_than_a_page_is_streamed_whole_and_in_order() {
    let app = app().await;
    let alice = app.human("Alice").await;
    app.space(&alice, "room").await;
    let parent = post(&app, &alice, large(0, None)).await;
    let (status, thread) = app
        .post(
            "/api/spaces/room/threads",
            &alice.api_key,
            json!({"parent_event_id": parent["event_id"], "subject": "bulk"}),
        )
        .call()
        .await;
    assert_eq!(status, 200);
    let tid = thread["thread_id"].as_str().unwrap();
    let mut in_thread = vec![parent.clone()];
    for i in 1..16 {
        // Events outside the thread in between must not appear.
        post(&app, &alice, large(100 + i, None)).await;
        in_thread.push(post(&app, &alice, large(i, Some(tid))).await);
    }
    for id in [tid, parent["event_id"].as_str().unwrap()] {
        let (headers, body) = get(&app, &alice, &format!("/api/spaces/room/threads/{id}")).await;
        assert_streamed(&headers);
        assert_eq!(body["thread"], thread);
        assert_eq!(body["events"], Value::Array(in_thread.clone()));
    }
}

/// Replay pages and live batches are bounded in bytes; large events that do not fit the
/// shared broadcast are read by the stream from the database, still exactly once, in order.
#[tokio::test]
async fn a_stream_delivers_large_events_exactly_once_in_order() {
    let mut config = serve_config(&crate::helpers::fresh_database().await);
    config.memory.read_page_bytes = BUDGET;
    config.memory.stream_shared_batch_bytes = 30 * 1024;
    let app = TestApp::spawn_with(config).await;
    let alice = app.human("Alice").await;
    app.space(&alice, "room").await;
    let mut posted = Vec::new();
    for i in 0..12 {
        posted.push(post(&app, &alice, large(i, None)).await["sequence"].clone());
    }
    let mut sse = Sse::open(app.get("/api/spaces/room/events/stream", &alice.api_key)).await;
    let replayed = sse.take(12).await;
    // Live: a burst of events larger than the shared budget, mixed with small ones.
    let writes = (12..30).map(|i| {
        let body = if i % 3 == 0 {
            json!({"speaker_id": "s", "speaker_name": "S", "text": format!("small {i}")})
        } else {
            large(i, None)
        };
        post(&app, &alice, body)
    });
    let live_posted: Vec<Value> = futures::future::join_all(writes)
        .await
        .into_iter()
        .map(|e| e["sequence"].clone())
        .collect();
    let live = sse.take(18).await;
    let seqs: Vec<Value> = replayed
        .iter()
        .chain(&live)
        .map(|e| e.data["sequence"].clone())
        .collect();
    let mut expected: Vec<Value> = posted.into_iter().chain(live_posted).collect();
    expected.sort_by_key(|s| s.as_i64());
    assert_eq!(seqs, expected);
}

#[tokio::test]
async fn an_activity_digest_larger_than_a_page_is_streamed_whole_and_in_order() {
    let app = app().await;
    let alice = app.human("Alice").await;
    app.space(&alice, "room").await;
    let mut posted = Vec::new();
    for i in 0..15 {
        posted.push(post(&app, &alice, large(i, None)).await);
    }
    let (headers, digest) = get(
        &app,
        &alice,
        "/api/spaces/room/activity?since=2000-01-01T00:00:00Z&max_events=3",
    )
    .await;
    assert_streamed(&headers);
    assert_eq!(digest["space_id"], "room");
    let participants = digest["participants"].as_array().unwrap();
    // Speakers by latest activity: speaker-2 (event 14), speaker-1 (13), speaker-0 (12).
    for (p, speaker) in participants.iter().zip([2, 1, 0]) {
        let theirs: Vec<&Value> = posted
            .iter()
            .filter(|e| e["speaker_id"] == format!("speaker-{speaker}"))
            .collect();
        assert_eq!(p["participant_id"], format!("speaker-{speaker}"));
        assert_eq!(p["event_count"], 5);
        assert_eq!(p["name"], "Bulk");
        assert_eq!(p["participant_type"], "human");
        assert_eq!(p["last_event_at"], theirs[4]["timestamp"]);
        assert_eq!(p["events"], json!(theirs[2..]));
    }
    // Then the joined participants who did not speak (Alice, who created the space).
    for silent in &participants[3..] {
        assert_eq!(
            (silent["event_count"].clone(), silent["events"].clone()),
            (json!(0), json!([]))
        );
        assert_eq!(silent["last_event_at"], Value::Null);
    }
}

/// The events list keeps its contract (up to `limit` events after the cursor) with events
/// larger than a page: the rest follows in further pages of the same response.
#[tokio::test]
async fn an_events_page_larger_than_the_byte_budget_is_complete() {
    let app = app().await;
    let alice = app.human("Alice").await;
    app.space(&alice, "room").await;
    let mut posted = Vec::new();
    for i in 0..12 {
        posted.push(post(&app, &alice, large(i, None)).await);
    }
    let (headers, all) = get(&app, &alice, "/api/spaces/room/events?limit=200").await;
    assert_streamed(&headers);
    assert_eq!(all, Value::Array(posted.clone()));
    let after = posted[2]["event_id"].as_str().unwrap();
    let (_, page) = get(
        &app,
        &alice,
        &format!("/api/spaces/room/events?since={after}&limit=7"),
    )
    .await;
    assert_eq!(page, Value::Array(posted[3..10].to_vec()));
}

#[tokio::test]
async fn mentions_larger_than_the_byte_budget_are_complete() {
    let app = app().await;
    let alice = app.human("Alice").await;
    app.space(&alice, "room").await;
    let mut mentioning = Vec::new();
    for i in 0..12 {
        let mut body = large(i, None);
        // Every other event mentions Bob: the pages must skip the others.
        if i % 2 == 0 {
            body["metadata"]["mentions"] = json!(["bob"]);
        }
        let event = post(&app, &alice, body).await;
        if i % 2 == 0 {
            mentioning.push(event);
        }
    }
    let (headers, all) = get(&app, &alice, "/api/spaces/room/mentions/bob?limit=100").await;
    assert_streamed(&headers);
    assert_eq!(all, Value::Array(mentioning.clone()));
    let after = mentioning[1]["event_id"].as_str().unwrap();
    let (_, page) = get(
        &app,
        &alice,
        &format!("/api/spaces/room/mentions/bob?since={after}&limit=3"),
    )
    .await;
    assert_eq!(page, Value::Array(mentioning[2..5].to_vec()));
}
