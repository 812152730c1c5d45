//! Events: the three ways to add one, the reads, bounds, idempotency and ordering.

use serde_json::{Value, json};

use crate::helpers::{Actor, Call, TestApp};

/// POST `body` to `path` as `who`, with an optional Idempotency-Key.
pub async fn post(
    app: &TestApp,
    who: &Actor,
    path: &str,
    key: Option<&str>,
    body: Value,
) -> (u16, Value) {
    let mut req = app.post(path, &who.api_key, body);
    if let Some(key) = key {
        req = req.header("Idempotency-Key", key);
    }
    req.call().await
}

pub async fn get(app: &TestApp, who: &Actor, path: &str) -> (u16, Value) {
    app.get(path, &who.api_key).call().await
}

/// Post a speech event that must succeed; returns the event.
pub async fn say(app: &TestApp, who: &Actor, space: &str, body: Value) -> Value {
    let (status, event) = post(app, who, &format!("/api/spaces/{space}/speech"), None, body).await;
    assert_eq!(status, 200, "{event}");
    event
}

pub fn detail(status: u16, body: &Value, expected_status: u16) {
    assert_eq!(status, expected_status, "{body}");
    assert!(body["detail"].is_string(), "{body}");
}

pub fn ids(events: &Value) -> Vec<Value> {
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_id"].clone())
        .collect()
}

#[tokio::test]
async fn speech_response_and_generic_events() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    let bot = app.agent(&alice, "Bot").await;
    app.space(&alice, "room").await;

    let speech = say(&app, &alice, "room", json!({"text": "Hello\n  world"})).await;
    assert_eq!(speech["speaker_id"], alice.actor_id.as_str());
    assert_eq!(speech["speaker_name"], "Alice");
    assert_eq!(speech["speaker_type"], "human");
    assert_eq!(speech["text"], "Hello\n  world");
    assert_eq!(speech["space_id"], "room");
    assert_eq!(speech["sequence"], 1);
    assert_eq!(speech["metadata"], json!({}));
    assert_eq!(speech["references"], json!([]));
    assert!(speech["timestamp"].is_string() && speech["thread_id"].is_null());
    let v = uuid::Uuid::parse_str(speech["event_id"].as_str().unwrap()).unwrap();
    assert_eq!(v.get_version_num(), 7);

    let named = say(
        &app,
        &alice,
        "room",
        json!({"speaker_id": "alice", "speaker_name": "Alice B", "text": "x", "metadata": null}),
    )
    .await;
    assert_eq!(named["speaker_id"], "alice");
    assert_eq!(named["speaker_name"], "Alice B");

    // The responder is always the authenticated actor.
    let (status, resp) = post(
        &app,
        &bot,
        "/api/spaces/room/response",
        None,
        json!({"agent_id": "mallory", "agent_name": "Mallory", "text": "Done.",
               "parent_event_id": speech["event_id"], "metadata": {"message_type": "status_update"}}),
    )
    .await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(resp["speaker_id"], bot.actor_id.as_str());
    assert_eq!(resp["speaker_name"], "Bot");
    assert_eq!(resp["speaker_type"], "agent");
    assert_eq!(resp["parent_event_id"], speech["event_id"]);
    assert_eq!(resp["metadata"]["message_type"], "status_update");

    let (status, generic) = post(
        &app,
        &alice,
        "/api/spaces/room/events",
        None,
        json!({"speaker_id": "transcription-service", "speaker_name": "Zoom Transcript",
               "speaker_type": "transcript", "text": "Alice: use PostgreSQL.",
               "references": ["https://confluence.example.com/spec", "urn:isbn:0451450523"],
               "metadata": {"mentions": ["bob"]}}),
    )
    .await;
    assert_eq!(status, 200, "{generic}");
    assert_eq!(generic["speaker_type"], "transcript");
    assert_eq!(
        generic["references"],
        json!(["https://confluence.example.com/spec", "urn:isbn:0451450523"])
    );
    assert_eq!(generic["sequence"], 4);
    let (status, custom) = post(
        &app,
        &alice,
        "/api/spaces/room/events",
        None,
        json!({"speaker_id": "ci", "speaker_name": "CI", "speaker_type": "build-bot_2", "text": "green"}),
    )
    .await;
    assert_eq!(status, 200, "{custom}");
    let (_, default_type) = post(
        &app,
        &alice,
        "/api/spaces/room/events",
        None,
        json!({"speaker_id": "x", "speaker_name": "X", "text": "y"}),
    )
    .await;
    assert_eq!(default_type["speaker_type"], "human");

    // Reads: by id, the whole list, pages by cursor.
    let path = format!(
        "/api/spaces/room/events/{}",
        generic["event_id"].as_str().unwrap()
    );
    let (status, one) = get(&app, &alice, &path).await;
    assert_eq!(status, 200);
    assert_eq!(one, generic);
    let (status, all) = get(&app, &alice, "/api/spaces/room/events").await;
    assert_eq!(status, 200);
    assert_eq!(all.as_array().unwrap().len(), 6);
    assert_eq!(all[0], speech);
    let seqs: Vec<_> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["sequence"].clone())
        .collect();
    assert_eq!(seqs, (1..=6).map(|i| json!(i)).collect::<Vec<_>>());
    let page = |since: &Value, limit: u32| {
        format!(
            "/api/spaces/room/events?since={}&limit={limit}",
            since.as_str().unwrap()
        )
    };
    let (status, p) = get(&app, &alice, &page(&all[1]["event_id"], 2)).await;
    assert_eq!(status, 200);
    assert_eq!(
        ids(&p),
        vec![all[2]["event_id"].clone(), all[3]["event_id"].clone()]
    );
    let (_, tail) = get(&app, &alice, &page(&all[5]["event_id"], 200)).await;
    assert_eq!(tail, json!([]));
    // An empty cursor is no cursor.
    let (status, from_start) = get(&app, &alice, "/api/spaces/room/events?since=&limit=2").await;
    assert_eq!(status, 200);
    assert_eq!(
        ids(&from_start),
        vec![all[0]["event_id"].clone(), all[1]["event_id"].clone()]
    );

    let (_, status_obj) = get(&app, &alice, "/api/spaces/room/status").await;
    assert_eq!(status_obj["event_count"], 6);
    assert_eq!(status_obj["last_event_at"], all[5]["timestamp"]);
}

#[tokio::test]
async fn transcript_by_time_range() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let mut events = Vec::new();
    for i in 0..5 {
        events.push(say(&app, &alice, "room", json!({"text": format!("m{i}")})).await);
    }
    let (status, all) = get(&app, &alice, "/api/spaces/room/transcript").await;
    assert_eq!(status, 200);
    assert_eq!(
        ids(&all),
        events
            .iter()
            .map(|e| e["event_id"].clone())
            .collect::<Vec<_>>()
    );
    let q = |start: &Value, end: &Value| {
        let enc = |v: &Value| v.as_str().unwrap().replace('+', "%2B");
        format!(
            "/api/spaces/room/transcript?start={}&end={}",
            enc(start),
            enc(end)
        )
    };
    let (status, mid) = get(
        &app,
        &alice,
        &q(&events[1]["timestamp"], &events[3]["timestamp"]),
    )
    .await;
    assert_eq!(status, 200, "{mid}");
    assert_eq!(
        ids(&mid),
        events[1..=3]
            .iter()
            .map(|e| e["event_id"].clone())
            .collect::<Vec<_>>()
    );
    let (_, limited) = get(&app, &alice, "/api/spaces/room/transcript?limit=2").await;
    assert_eq!(limited.as_array().unwrap().len(), 2);
    let (s, b) = get(
        &app,
        &alice,
        &q(&events[3]["timestamp"], &events[1]["timestamp"]),
    )
    .await;
    detail(s, &b, 400);
    for bad in [
        "start=yesterday",
        "end=2026-13-01T00:00:00Z",
        "limit=0",
        "limit=1001",
    ] {
        let (s, b) = get(&app, &alice, &format!("/api/spaces/room/transcript?{bad}")).await;
        detail(s, &b, 400);
    }
    let (s, b) = get(&app, &alice, "/api/spaces/nowhere/transcript").await;
    detail(s, &b, 404);
}

#[tokio::test]
async fn unknown_ids_are_404_and_inactive_spaces_409() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let e = say(&app, &alice, "room", json!({"text": "t"})).await;
    let unknown = uuid::Uuid::now_v7().to_string();
    for op in ["speech", "response", "events"] {
        let body = json!({"speaker_id": "s", "speaker_name": "S", "text": "t"});
        let (s, b) = post(
            &app,
            &alice,
            &format!("/api/spaces/nowhere/{op}"),
            None,
            body.clone(),
        )
        .await;
        detail(s, &b, 404);
        assert_eq!(b["detail"], "Space not found");
        for thread in [unknown.as_str(), "not-a-uuid"] {
            let mut body = body.clone();
            body["thread_id"] = json!(thread);
            let (s, b) = post(&app, &alice, &format!("/api/spaces/room/{op}"), None, body).await;
            detail(s, &b, 404);
        }
    }
    for parent in [unknown.as_str(), "nope"] {
        let (s, b) = post(
            &app,
            &alice,
            "/api/spaces/room/response",
            None,
            json!({"text": "t", "parent_event_id": parent}),
        )
        .await;
        detail(s, &b, 404);
        assert_eq!(b["detail"], "Event not found");
    }
    for path in [
        format!("/api/spaces/room/events/{unknown}"),
        "/api/spaces/room/events/not-a-uuid".to_string(),
        format!(
            "/api/spaces/nowhere/events/{}",
            e["event_id"].as_str().unwrap()
        ),
        "/api/spaces/nowhere/events".to_string(),
        format!("/api/spaces/room/events?since={unknown}"),
        // The space is checked first: a malformed cursor on a missing space is its 404.
        "/api/spaces/nowhere/events?since=not-a-uuid".to_string(),
        format!(
            "/api/spaces/nowhere/events?since={}",
            e["event_id"].as_str().unwrap()
        ),
    ] {
        let (s, b) = get(&app, &alice, &path).await;
        detail(s, &b, 404);
    }
    // A cursor from another space is unknown in this one.
    app.space(&alice, "other").await;
    let elsewhere = say(&app, &alice, "other", json!({"text": "t"})).await;
    let (s, b) = get(
        &app,
        &alice,
        &format!(
            "/api/spaces/room/events?since={}",
            elsewhere["event_id"].as_str().unwrap()
        ),
    )
    .await;
    detail(s, &b, 404);
    assert_eq!(b["detail"], "Event not found");
    let (s, b) = app
        .http
        .get(app.url("/api/spaces/room/events"))
        .call()
        .await;
    detail(s, &b, 401);
    let (s, b) = app
        .http
        .post(app.url("/api/spaces/room/speech"))
        .json(&json!({"text": "t"}))
        .call()
        .await;
    detail(s, &b, 401);

    for status in ["paused", "archived"] {
        let (s, _) = app
            .patch(
                "/api/spaces/room",
                &alice.api_key,
                json!({"status": status}),
            )
            .call()
            .await;
        assert_eq!(s, 200);
        for op in ["speech", "response", "events"] {
            let body = json!({"speaker_id": "s", "speaker_name": "S", "text": "t"});
            let (s, b) = post(&app, &alice, &format!("/api/spaces/room/{op}"), None, body).await;
            assert_eq!((s, b), (409, json!({"detail": "Space is not active"})));
        }
    }
    // Reads still work on an archived space.
    let (s, all) = get(&app, &alice, "/api/spaces/room/events").await;
    assert_eq!((s, all.as_array().unwrap().len()), (200, 1));
}
