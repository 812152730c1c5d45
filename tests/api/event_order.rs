//! Ordering under concurrency: gap-free sequences, cursors that never skip, archive racing
//! with writes, and tenant isolation of events, threads and mentions.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::{
    events::{get, post, say},
    helpers::{Call, TestApp},
    writers::{burst, writes_racing_an_archive},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_get_gap_free_sequences_and_readers_see_each_event_once() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    // A reader pages with `since` while the writes go on, until it has seen all 200.
    let reader = {
        let (http, base, key) = (
            app.http.clone(),
            app.url("/api/spaces/room/events"),
            alice.api_key.clone(),
        );
        tokio::spawn(async move {
            let mut seen: Vec<Value> = Vec::new();
            while seen.len() < 200 {
                let url = match seen.last() {
                    Some(e) => format!("{base}?limit=7&since={}", e["event_id"].as_str().unwrap()),
                    None => format!("{base}?limit=7"),
                };
                let (s, page) = http.get(url).bearer_auth(&key).call().await;
                assert_eq!(s, 200, "{page}");
                let page = page.as_array().unwrap().clone();
                if page.is_empty() {
                    tokio::task::yield_now().await;
                }
                seen.extend(page);
            }
            seen
        })
    };
    let mut written = HashSet::new();
    for (s, e) in burst(&app, &alice, "/api/spaces/room/speech", 8, 25)
        .await
        .into_iter()
        .flatten()
    {
        assert_eq!(s, 200, "{e}");
        written.insert(e["event_id"].as_str().unwrap().to_string());
    }
    assert_eq!(written.len(), 200);
    // A reader that skipped an event would never reach 200: fail instead of hanging.
    let seen = tokio::time::timeout(std::time::Duration::from_secs(60), reader)
        .await
        .expect("the reader sees all 200 events")
        .unwrap();
    let seqs: Vec<i64> = seen
        .iter()
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=200).collect::<Vec<_>>());
    let seen_ids: HashSet<String> = seen
        .iter()
        .map(|e| e["event_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(seen_ids, written);
    let (_, status) = get(&app, &alice, "/api/spaces/room/status").await;
    assert_eq!(status["event_count"], 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn archive_racing_with_writes_lets_nothing_slip_in() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let (accepted, stored) = writes_racing_an_archive(&app, &alice, 6, 20, false).await;
    let ids = |events: &[Value]| -> HashSet<String> {
        events
            .iter()
            .map(|e| e["event_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&stored), ids(&accepted));
}

#[tokio::test]
async fn tenants_with_the_same_space_id_never_see_each_others_events() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    let bob = app.human_in_new_tenant("Bob").await;
    app.space(&alice, "shared").await;
    app.space(&bob, "shared").await;
    let a = say(
        &app,
        &alice,
        "shared",
        json!({"text": "alice only", "metadata": {"mentions": ["p1"]}}),
    )
    .await;
    let b = say(
        &app,
        &bob,
        "shared",
        json!({"text": "bob only", "metadata": {"mentions": ["p1"]}}),
    )
    .await;
    assert_eq!(
        (a["sequence"].clone(), b["sequence"].clone()),
        (json!(1), json!(1))
    );
    let (s, thread) = post(
        &app,
        &alice,
        "/api/spaces/shared/threads",
        None,
        json!({"parent_event_id": a["event_id"]}),
    )
    .await;
    assert_eq!(s, 200, "{thread}");

    for (who, mine, theirs, theirs_thread) in
        [(&alice, &a, &b, None), (&bob, &b, &a, Some(&thread))]
    {
        let (_, list) = get(&app, who, "/api/spaces/shared/events").await;
        assert_eq!(list, json!([mine]));
        let (_, mentions) = get(&app, who, "/api/spaces/shared/mentions/p1").await;
        assert_eq!(mentions, json!([mine]));
        let (_, transcript) = get(&app, who, "/api/spaces/shared/transcript").await;
        assert_eq!(transcript, json!([mine]));
        let other = theirs["event_id"].as_str().unwrap();
        for path in [
            format!("/api/spaces/shared/events/{other}"),
            format!("/api/spaces/shared/events?since={other}"),
            format!("/api/spaces/shared/mentions/p1?since={other}"),
            format!("/api/spaces/shared/threads/{other}"),
        ] {
            let (s, body) = get(&app, who, &path).await;
            assert_eq!(s, 404, "{path}: {body}");
        }
        if let Some(t) = theirs_thread {
            let path = format!(
                "/api/spaces/shared/threads/{}",
                t["thread_id"].as_str().unwrap()
            );
            assert_eq!(get(&app, who, &path).await.0, 404);
            // Neither can a write point into the other tenant's thread or event.
            let (s, _) = post(
                &app,
                who,
                "/api/spaces/shared/speech",
                None,
                json!({"text": "x", "thread_id": t["thread_id"]}),
            )
            .await;
            assert_eq!(s, 404);
        }
        let (s, _) = post(
            &app,
            who,
            "/api/spaces/shared/threads",
            None,
            json!({"parent_event_id": other}),
        )
        .await;
        assert_eq!(s, 404);
    }
}
