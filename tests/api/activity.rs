//! The per-participant activity digest.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::helpers::{Actor, Call, TestApp};

async fn activity(app: &TestApp, who: &Actor, space: &str, query: &[(&str, &str)]) -> (u16, Value) {
    app.get(&format!("/api/spaces/{space}/activity"), &who.api_key)
        .query(query)
        .call()
        .await
}

fn texts(p: &Value) -> Vec<&str> {
    p["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn digest_per_participant() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let bob = app.human("Bob").await;
    let carol = app.agent(&alice, "Carol").await;
    app.space(&alice, "s").await;
    let resp = app
        .post("/api/spaces/s/join", &bob.api_key, json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut alice_events = Vec::new();
    for i in 1..=7 {
        alice_events.push(
            app.append_event(None, "s", &alice, &format!("a{i}"), json!({}))
                .await,
        );
    }
    // Carol speaks without having joined.
    app.append_event(None, "s", &carol, "c1", json!({})).await;
    let last = app
        .append_event(
            None,
            "s",
            &carol,
            "c2",
            json!({"mentions": [alice.actor_id]}),
        )
        .await;

    let before = Utc::now();
    let (status, digest) = activity(&app, &alice, "s", &[("max_events", "3")]).await;
    assert_eq!(status, 200, "{digest}");
    assert_eq!(digest["space_id"], "s");
    let since: DateTime<Utc> = digest["since"].as_str().unwrap().parse().unwrap();
    assert!((before - Duration::hours(1) - since).num_seconds().abs() < 60);
    let people = digest["participants"].as_array().unwrap();
    let ids: Vec<&str> = people
        .iter()
        .map(|p| p["participant_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            carol.actor_id.as_str(),
            alice.actor_id.as_str(),
            bob.actor_id.as_str()
        ],
        "most recently active first, then idle participants"
    );

    let c = &people[0];
    assert_eq!(c["name"], "Carol");
    assert_eq!(c["participant_type"], "agent");
    assert_eq!(c["event_count"], 2);
    assert_eq!(texts(c), ["c1", "c2"]);
    let e = &c["events"][1];
    assert_eq!(e["event_id"], last.event_id.to_string());
    assert_eq!(e["space_id"], "s");
    assert_eq!(e["speaker_id"], carol.actor_id.as_str());
    assert_eq!(e["sequence"], 9);
    assert_eq!(e["metadata"]["mentions"], json!([alice.actor_id]));
    let at: DateTime<Utc> = c["last_event_at"].as_str().unwrap().parse().unwrap();
    let last: Value = serde_json::from_str(&last.json).unwrap();
    assert_eq!(e, &last, "the event as the append returned it");
    assert_eq!(
        at,
        last["timestamp"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .unwrap()
    );

    let a = &people[1];
    assert_eq!(a["name"], "Alice");
    assert_eq!(a["participant_type"], "human");
    assert_eq!(
        a["event_count"], 7,
        "counts every event, not only those listed"
    );
    assert_eq!(texts(a), ["a5", "a6", "a7"], "the latest, oldest first");

    let b = &people[2];
    assert_eq!(b["name"], "Bob");
    assert_eq!(b["event_count"], 0);
    assert!(b["last_event_at"].is_null());
    assert_eq!(b["events"], json!([]));

    // Default: 5 per participant.
    let (_, digest) = activity(&app, &alice, "s", &[]).await;
    assert_eq!(
        texts(&digest["participants"][1]),
        ["a3", "a4", "a5", "a6", "a7"]
    );

    // `since` is inclusive.
    let created_at = |e: &convo::store::event_json::EventJson| {
        serde_json::from_str::<Value>(&e.json).unwrap()["timestamp"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .unwrap()
    };
    let since = created_at(&alice_events[5]).to_rfc3339_opts(SecondsFormat::Micros, true);
    let (status, digest) = activity(&app, &alice, "s", &[("since", since.as_str())]).await;
    assert_eq!(status, 200);
    assert_eq!(digest["participants"][1]["event_count"], 2);
    assert_eq!(texts(&digest["participants"][1]), ["a6", "a7"]);
    // The same instant without an offset is read as UTC.
    let naive = created_at(&alice_events[5])
        .naive_utc()
        .format("%Y-%m-%dT%H:%M:%S%.6f")
        .to_string();
    let (status, digest) = activity(&app, &alice, "s", &[("since", naive.as_str())]).await;
    assert_eq!(status, 200);
    assert_eq!(digest["participants"][1]["event_count"], 2);

    // Nothing since a future time: only the joined participants, idle.
    let future = (Utc::now() + Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let (_, digest) = activity(&app, &alice, "s", &[("since", future.as_str())]).await;
    let idle: Vec<(&str, i64)> = digest["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["participant_id"].as_str().unwrap(),
                p["event_count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        idle,
        [(alice.actor_id.as_str(), 0), (bob.actor_id.as_str(), 0)]
    );
}

#[tokio::test]
async fn bad_parameters_are_400_and_unknown_spaces_404() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    app.space(&alice, "s").await;
    for q in [
        [("max_events", "0")],
        [("max_events", "21")],
        [("max_events", "five")],
        [("since", "an hour ago")],
    ] {
        let (status, body) = activity(&app, &alice, "s", &q).await;
        assert_eq!(status, 400, "{q:?}: {body}");
        assert!(body["detail"].is_string());
    }
    for n in ["1", "20"] {
        let (status, _) = activity(&app, &alice, "s", &[("max_events", n)]).await;
        assert_eq!(status, 200);
    }
    let (status, body) = activity(&app, &alice, "nope", &[]).await;
    assert_eq!(status, 404);
    assert_eq!(body["detail"], "Space not found");
    let resp = app
        .http
        .get(app.url("/api/spaces/s/activity"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn tenants_never_see_each_others_activity() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let bob = app.human("Bob").await;
    let acme = app.tenant(&alice, "Acme").await;
    app.tenant(&bob, "Globex").await;
    app.space(&alice, "shared").await;
    app.space(&bob, "shared").await;
    app.append_event(
        acme["schema_name"].as_str(),
        "shared",
        &alice,
        "acme only",
        json!({}),
    )
    .await;
    let (_, digest) = activity(&app, &bob, "shared", &[]).await;
    assert_eq!(
        digest["participants"],
        json!([{
            "participant_id": bob.actor_id, "name": "Bob", "participant_type": "human",
            "event_count": 0, "last_event_at": null, "events": []
        }])
    );
}
