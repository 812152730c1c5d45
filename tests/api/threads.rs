//! Threads: creation (idempotent per parent event), reading by thread or parent id.

use crate::helpers::Call;
use serde_json::json;

use crate::{
    events::{get, post, say},
    helpers::TestApp,
};

#[tokio::test]
async fn create_post_into_and_read_a_thread() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    let bot = app.agent(&alice, "Bot").await;
    app.space(&alice, "room").await;
    let parent = say(&app, &alice, "room", json!({"text": "Auth approach?"})).await;
    say(&app, &alice, "room", json!({"text": "unrelated"})).await;

    let (s, thread) = post(
        &app,
        &alice,
        "/api/spaces/room/threads",
        None,
        json!({"parent_event_id": parent["event_id"], "subject": "Discussion about auth approach"}),
    )
    .await;
    assert_eq!(s, 200, "{thread}");
    assert_eq!(thread["space_id"], "room");
    assert_eq!(thread["parent_event_id"], parent["event_id"]);
    assert_eq!(thread["subject"], "Discussion about auth approach");
    assert!(thread["thread_id"].is_string() && thread["created_at"].is_string());
    // Creating it again returns the same thread.
    let (s, again) = post(
        &app,
        &alice,
        "/api/spaces/room/threads",
        None,
        json!({"parent_event_id": parent["event_id"], "subject": "other"}),
    )
    .await;
    assert_eq!((s, &again), (200, &thread));

    let tid = thread["thread_id"].clone();
    let r1 = say(
        &app,
        &alice,
        "room",
        json!({"text": "schemas", "thread_id": tid}),
    )
    .await;
    assert_eq!(r1["thread_id"], tid);
    say(&app, &alice, "room", json!({"text": "outside"})).await;
    let (s, r2) = post(
        &app,
        &bot,
        "/api/spaces/room/response",
        None,
        json!({"text": "agreed", "thread_id": tid, "parent_event_id": r1["event_id"]}),
    )
    .await;
    assert_eq!(s, 200, "{r2}");
    let (s, r3) = post(
        &app,
        &alice,
        "/api/spaces/room/events",
        None,
        json!({"speaker_id": "zoom", "speaker_name": "Zoom", "speaker_type": "transcript", "text": "…", "thread_id": tid}),
    )
    .await;
    assert_eq!(s, 200, "{r3}");

    for id in [&tid, &parent["event_id"]] {
        let (s, got) = get(
            &app,
            &alice,
            &format!("/api/spaces/room/threads/{}", id.as_str().unwrap()),
        )
        .await;
        assert_eq!(s, 200, "{got}");
        assert_eq!(got["thread"], thread);
        assert_eq!(got["events"], json!([parent, r1, r2, r3]));
    }
}

#[tokio::test]
async fn thread_errors() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let e = say(&app, &alice, "room", json!({"text": "t"})).await;
    let other = say(&app, &alice, "room", json!({"text": "u"})).await;
    let unknown = uuid::Uuid::now_v7().to_string();
    let create = |body| post(&app, &alice, "/api/spaces/room/threads", None, body);

    for (body, status) in [
        (json!({"parent_event_id": unknown}), 404),
        (json!({"parent_event_id": "not-a-uuid"}), 404),
        (json!({}), 400),
        (json!({"parent_event_id": 7}), 400),
        (
            json!({"parent_event_id": e["event_id"], "subject": "x".repeat(201)}),
            400,
        ),
    ] {
        let (s, b) = create(body.clone()).await;
        assert_eq!(s, status, "{body}: {b}");
        assert!(b["detail"].is_string(), "{b}");
    }
    let (s, b) = post(
        &app,
        &alice,
        "/api/spaces/nowhere/threads",
        None,
        json!({"parent_event_id": e["event_id"]}),
    )
    .await;
    assert_eq!((s, b), (404, json!({"detail": "Space not found"})));
    for path in [
        format!("/api/spaces/room/threads/{unknown}"),
        "/api/spaces/room/threads/not-a-uuid".to_string(),
        // An event without a thread is not a thread.
        format!(
            "/api/spaces/room/threads/{}",
            e["event_id"].as_str().unwrap()
        ),
        format!("/api/spaces/nowhere/threads/{unknown}"),
    ] {
        let (s, b) = get(&app, &alice, &path).await;
        assert_eq!(s, 404, "{path}");
        assert!(b["detail"].is_string());
    }

    let (s, thread) = create(json!({"parent_event_id": e["event_id"]})).await;
    assert_eq!(s, 200);
    assert!(thread["subject"].is_null());
    app.post("/api/spaces/room/archive", &alice.api_key, json!({}))
        .send()
        .await
        .unwrap();
    let (s, b) = create(json!({"parent_event_id": other["event_id"]})).await;
    assert_eq!((s, b), (409, json!({"detail": "Space is not active"})));
    // The existing thread is still returned, and still readable.
    let (s, again) = create(json!({"parent_event_id": e["event_id"]})).await;
    assert_eq!((s, &again), (200, &thread));
    let (s, _) = get(
        &app,
        &alice,
        &format!(
            "/api/spaces/room/threads/{}",
            thread["thread_id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = json_of_unauth(&app, "/api/spaces/room/threads").await;
    assert_eq!(s, 401);
}

async fn json_of_unauth(app: &TestApp, path: &str) -> (u16, serde_json::Value) {
    app.http
        .post(app.url(path))
        .json(&json!({"parent_event_id": uuid::Uuid::now_v7()}))
        .call()
        .await
}
