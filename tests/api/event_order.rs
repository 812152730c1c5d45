//! Ordering under concurrency: gap-free sequences, cursors that never skip, archive racing
//! with writes, and tenant isolation of events, threads and mentions.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::{
    events::{get, post, say},
    helpers::{Call, TestApp, json_of},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_get_gap_free_sequences_and_readers_see_each_event_once() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let (http, url, key) = (
                app.http.clone(),
                app.url("/api/spaces/room/speech"),
                alice.api_key.clone(),
            );
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for i in 0..25 {
                    let resp = http
                        .post(&url)
                        .bearer_auth(&key)
                        .json(&json!({"text": format!("w{w} m{i}")}))
                        .send()
                        .await
                        .unwrap();
                    let (s, e) = json_of(resp).await;
                    assert_eq!(s, 200, "{e}");
                    ids.push(e["event_id"].as_str().unwrap().to_string());
                }
                ids
            })
        })
        .collect();
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
    for w in writers {
        written.extend(w.await.unwrap());
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
    let (archived_tx, archived_rx) = tokio::sync::watch::channel(false);
    let writers: Vec<_> = (0..6)
        .map(|w| {
            let (http, url, key) = (
                app.http.clone(),
                app.url("/api/spaces/room/speech"),
                alice.api_key.clone(),
            );
            let archived = archived_rx.clone();
            tokio::spawn(async move {
                let mut accepted = Vec::new();
                let mut i = 0;
                loop {
                    // Whether the archive had answered before this write was sent.
                    let after_archive = *archived.borrow();
                    let resp = http
                        .post(&url)
                        .bearer_auth(&key)
                        .json(&json!({"text": format!("w{w} m{i}")}))
                        .send()
                        .await
                        .unwrap();
                    let (s, e) = json_of(resp).await;
                    i += 1;
                    match s {
                        200 => {
                            assert!(
                                !after_archive,
                                "a write sent after the archive was accepted"
                            );
                            accepted.push(e["event_id"].as_str().unwrap().to_string());
                        }
                        409 => {
                            assert_eq!(e, json!({"detail": "Space is not active"}));
                            if after_archive {
                                return accepted;
                            }
                        }
                        _ => panic!("{s} {e}"),
                    }
                }
            })
        })
        .collect();
    // Let some writes through first: wait until the space has events.
    loop {
        let (_, s) = get(&app, &alice, "/api/spaces/room/status").await;
        if s["event_count"].as_i64().unwrap() >= 20 {
            break;
        }
        tokio::task::yield_now().await;
    }
    let (s, archived) = app
        .post("/api/spaces/room/archive", &alice.api_key, json!({}))
        .call()
        .await;
    assert_eq!(s, 200, "{archived}");
    archived_tx.send(true).unwrap();
    let mut accepted = HashSet::new();
    for w in writers {
        accepted.extend(w.await.unwrap());
    }
    let ended_at: chrono::DateTime<chrono::Utc> =
        archived["ended_at"].as_str().unwrap().parse().unwrap();
    let (_, stored) = get(&app, &alice, "/api/spaces/room/transcript").await;
    let stored = stored.as_array().unwrap();
    let stored_ids: HashSet<String> = stored
        .iter()
        .map(|e| e["event_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(stored_ids, accepted);
    for e in stored {
        let t: chrono::DateTime<chrono::Utc> = e["timestamp"].as_str().unwrap().parse().unwrap();
        assert!(t <= ended_at, "event at {t} after ended_at {ended_at}");
    }
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
