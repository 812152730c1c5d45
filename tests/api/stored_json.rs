//! Events are rendered to JSON once, when written (`events.body`, tenant migration V3), and
//! every read serves those bytes: what a write returned is what every read returns, and a
//! row stored without a body (before V3, or by the previous release during a rolling
//! deploy) is served with the same values.

use serde_json::{Value, json};

use crate::{
    events::{get, post},
    helpers::{Actor, TestApp},
    sse::Sse,
};

/// Every way to read the events of `space` (list, one by one, transcript, mentions, the
/// thread hanging off the first, activity, the stream's replay after the first), each as
/// the list of event objects it returned.
async fn every_read(app: &TestApp, who: &Actor, space: &str, ids: &[String]) -> Vec<Vec<Value>> {
    let list = |path: String| async move {
        let (status, body) = get(app, who, &path).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    };
    let array = |v: Value| v.as_array().unwrap().clone();
    let mut one_by_one = Vec::new();
    for id in ids {
        one_by_one.push(list(format!("/api/spaces/{space}/events/{id}")).await);
    }
    let thread = list(format!("/api/spaces/{space}/threads/{}", ids[0])).await;
    let activity = list(format!(
        "/api/spaces/{space}/activity?since=2000-01-01T00:00:00Z&max_events=20"
    ))
    .await;
    let said: Vec<Value> = array(activity["participants"].clone())
        .into_iter()
        .flat_map(|p| array(p["events"].clone()))
        .collect();
    let mut stream = Sse::open(app.get(
        &format!("/api/spaces/{space}/events/stream?since={}", ids[0]),
        &who.api_key,
    ))
    .await;
    let replayed = stream
        .take(ids.len() - 1)
        .await
        .into_iter()
        .map(|e| e.data)
        .collect();
    vec![
        array(list(format!("/api/spaces/{space}/events?limit=200")).await),
        one_by_one,
        array(list(format!("/api/spaces/{space}/transcript")).await),
        array(list(format!("/api/spaces/{space}/mentions/p-1")).await),
        array(thread["events"].clone()),
        said,
        replayed,
    ]
}

/// Events exercising the rendering: escapes, unicode, nesting, nulls, references, parents,
/// threads.
async fn write_events(app: &TestApp, who: &Actor, space: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let path = format!("/api/spaces/{space}/events");
    let (status, first) = post(
        app,
        who,
        &path,
        None,
        json!({"speaker_id": "s\"1", "speaker_name": "Zoë \"Z\" <z>",
               "text": "line\nnext\r\n\tx \\ / \u{2028} 😀",
               "metadata": {"mentions": ["p-1"], "n": 1.5, "big": 12345678901234567u64,
                            "control": "\u{1}\u{1f}\u{7f}\u{8}\u{c}",
                            "neg": -2, "nested": {"x": null, "y": [true, {"z": "é"}]}}}),
    )
    .await;
    assert_eq!(status, 200, "{first}");
    let (status, thread) = post(
        app,
        who,
        &format!("/api/spaces/{space}/threads"),
        None,
        json!({"parent_event_id": first["event_id"], "subject": "s"}),
    )
    .await;
    assert_eq!(status, 200, "{thread}");
    events.push(first.clone());
    for i in 0..3 {
        let (status, event) = post(
            app,
            who,
            &path,
            None,
            json!({"speaker_id": "bot", "speaker_name": "Bot", "speaker_type": "agent",
                   "text": format!("reply {i}"), "parent_event_id": first["event_id"],
                   "thread_id": thread["thread_id"], "references": ["https://example.com/a?b=\"c\""],
                   "metadata": {"mentions": ["p-1"]}}),
        )
        .await;
        assert_eq!(status, 200, "{event}");
        events.push(event);
    }
    events
}

/// Each read's events, by id, must be exactly `written` (those it returns).
fn served_as_written(reads: &[Vec<Value>], written: &[Value]) {
    for (n, read) in reads.iter().enumerate() {
        assert!(!read.is_empty(), "read {n} returned no event");
        for event in read {
            let id = &event["event_id"];
            let original = written.iter().find(|w| &w["event_id"] == id).unwrap();
            assert_eq!(event, original, "read {n}");
        }
    }
}

/// A tenant of Alice's with the space `room` holding the events of [`write_events`].
struct Room {
    app: TestApp,
    alice: Actor,
    schema: String,
    written: Vec<Value>,
    ids: Vec<String>,
}

async fn room() -> Room {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let schema = app.tenant(&alice, "Org").await["schema_name"]
        .as_str()
        .unwrap()
        .to_string();
    app.space(&alice, "room").await;
    let written = write_events(&app, &alice, "room").await;
    let ids: Vec<String> = written
        .iter()
        .map(|e| e["event_id"].as_str().unwrap().to_string())
        .collect();
    Room {
        app,
        alice,
        schema,
        written,
        ids,
    }
}

#[tokio::test]
async fn every_read_serves_the_json_the_write_returned() {
    let Room {
        app,
        alice,
        schema,
        written,
        ids,
    } = room().await;
    served_as_written(&every_read(&app, &alice, "room", &ids).await, &written);

    // Byte for byte, too: the one-event read returns the write's own bytes.
    let raw = app
        .get(
            &format!("/api/spaces/room/events/{}", ids[0]),
            &alice.api_key,
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let stored: String = app
        .db()
        .await
        .query_one(
            &format!("SELECT body FROM \"{schema}\".events WHERE event_id = $1::text::uuid"),
            &[&ids[0]],
        )
        .await
        .unwrap()
        .get(0);
    assert!(raw.ends_with(&stored[1..]), "{raw}\n{stored}");
    assert!(raw.starts_with(r#"{"sequence":1,"timestamp":""#), "{raw}");
}

#[tokio::test]
async fn rows_without_a_stored_body_are_served_the_same() {
    let Room {
        app,
        alice,
        schema,
        written,
        ids,
    } = room().await;

    // As a row written before tenant migration V3 (or by the previous release) looks.
    let cleared = app
        .db()
        .await
        .execute(&format!("UPDATE \"{schema}\".events SET body = NULL"), &[])
        .await
        .unwrap();
    assert_eq!(cleared, 4);
    served_as_written(&every_read(&app, &alice, "room", &ids).await, &written);
}

/// `speaker_name` is the name at the time of speaking: renaming the speaker changes new
/// events, not the stored ones.
#[tokio::test]
async fn a_renamed_speaker_keeps_the_name_it_spoke_with() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let path = "/api/spaces/room/speech";
    let (_, before) = post(&app, &alice, path, None, json!({"text": "hi"})).await;
    let resp = app
        .patch(
            &format!("/api/actors/{}", alice.actor_id),
            &alice.api_key,
            json!({"display_name": "Alice B."}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (_, after) = post(&app, &alice, path, None, json!({"text": "hi again"})).await;
    assert_eq!(after["speaker_name"], "Alice B.");
    let (_, events) = get(&app, &alice, "/api/spaces/room/events").await;
    assert_eq!(events[0], before);
    assert_eq!(events[0]["speaker_name"], "Alice");
    assert_eq!(events[1], after);
}
