//! Timestamp parameters: anything PostgreSQL cannot store is a 400 naming the parameter
//! (never the database's `22008` as a 500, never a panic in time arithmetic), and a time
//! without an offset is UTC on every endpoint.

use serde_json::{Value, json};

use crate::helpers::{Call, TestApp, json_of};

/// Instants chrono parses but PostgreSQL does not store (4714-11-24 BC is its first).
const TOO_EARLY: [&str; 4] = [
    "-5000-01-01T00:00:00Z",
    "-5000-01-01",
    "-4713-11-23T23:59:59Z",
    "-262143-01-01T00:30:00",
];

async fn get(app: &TestApp, key: &str, path: &str) -> (u16, Value) {
    app.get(path, key).call().await
}

#[tokio::test]
async fn timestamps_before_what_postgres_stores_are_400_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let paths = [
        ("transcript", "start"),
        ("transcript", "end"),
        ("summary", "start"),
        ("summary", "end"),
        ("activity", "since"),
    ];
    for (endpoint, param) in paths {
        for early in TOO_EARLY {
            let path = format!("/api/spaces/room/{endpoint}?{param}={early}");
            let (status, body) = get(&app, &alice.api_key, &path).await;
            assert_eq!(status, 400, "{path}: {body}");
            let detail = body["detail"].as_str().unwrap_or_default();
            assert!(
                detail.contains(&format!("`{param}`")) && detail.contains("out of range"),
                "{path}: {body}"
            );
        }
    }
    // The pair: a start the database cannot store with a valid end.
    let (status, body) = get(
        &app,
        &alice.api_key,
        "/api/spaces/room/summary?start=-5000-01-01&end=2020-01-01",
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("`start`"),
        "{body}"
    );
}

#[tokio::test]
async fn summary_default_start_before_the_first_storable_instant_is_a_400() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    // Storable itself, but an hour earlier is not: the default start cannot be built.
    let (status, body) = get(
        &app,
        &alice.api_key,
        "/api/spaces/room/summary?end=-4713-11-24T00:30:00Z",
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("start"), "{body}");
    // With an explicit start the same window is fine (and empty).
    let (status, body) = get(
        &app,
        &alice.api_key,
        "/api/spaces/room/summary?start=-4713-11-24T00:00:00Z&end=-4713-11-24T00:30:00Z",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["event_count"], 0);
}

#[tokio::test]
async fn transcript_reads_times_without_an_offset_as_utc() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let resp = app
        .post(
            "/api/spaces/room/speech",
            &alice.api_key,
            json!({"text": "now"}),
        )
        .send()
        .await
        .unwrap();
    let (status, event) = json_of(resp).await;
    assert_eq!(status, 200, "{event}");
    let at: chrono::DateTime<chrono::Utc> = event["timestamp"].as_str().unwrap().parse().unwrap();
    let naive = |t: chrono::DateTime<chrono::Utc>| t.naive_utc().format("%Y-%m-%dT%H:%M:%S%.6f");
    let second = chrono::Duration::seconds(1);
    let window = format!(
        "/api/spaces/room/transcript?start={}&end={}",
        naive(at - second),
        naive(at + second)
    );
    let (status, body) = get(&app, &alice.api_key, &window).await;
    assert_eq!(status, 200, "{window}: {body}");
    assert_eq!(body.as_array().unwrap().len(), 1, "{body}");
    // Read as UTC, a window ending a second before the event excludes it.
    let before = format!("/api/spaces/room/transcript?end={}", naive(at - second));
    let (status, body) = get(&app, &alice.api_key, &before).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!([]));
    // A bare date is midnight UTC.
    let day = at.format("%Y-%m-%d");
    let (status, body) = get(
        &app,
        &alice.api_key,
        &format!("/api/spaces/room/transcript?start={day}"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.as_array().unwrap().len(), 1, "{body}");
}
