//! Path ids: a value that cannot be an id of its kind is the 404 of an unknown id, with the
//! same detail; any other value answers without a 5xx.

use proptest::prelude::*;
use serde_json::json;

use super::run_cases;
use crate::helpers::{TestApp, json_of};

#[derive(Clone, Copy, Debug)]
enum Kind {
    Space,
    Uuid,
    /// A UUID with surrounding whitespace allowed.
    PaddedUuid,
    /// A participant id: 1-256 characters, no control character.
    Participant,
}

/// Every id in a path of the API: (method, path with `{}` for the id, kind, 404 detail).
const TARGETS: &[(&str, &str, Kind, &str)] = &[
    (
        "GET",
        "/api/spaces/{}/status",
        Kind::Space,
        "Space not found",
    ),
    (
        "GET",
        "/api/spaces/{}/events",
        Kind::Space,
        "Space not found",
    ),
    (
        "POST",
        "/api/spaces/{}/speech",
        Kind::Space,
        "Space not found",
    ),
    (
        "GET",
        "/api/spaces/room/events/{}",
        Kind::Uuid,
        "Event not found",
    ),
    (
        "GET",
        "/api/spaces/room/threads/{}",
        Kind::Uuid,
        "Thread not found",
    ),
    (
        "GET",
        "/api/spaces/room/decisions/{}",
        Kind::Uuid,
        "Decision not found",
    ),
    (
        "POST",
        "/api/actors/{}/release",
        Kind::PaddedUuid,
        "Actor not found",
    ),
    ("GET", "/api/tenants/{}", Kind::Uuid, "Tenant not found"),
    (
        "GET",
        "/api/spaces/room/mentions/{}",
        Kind::Participant,
        "Participant not found",
    ),
];

/// Whether `value` is an id of `kind` (what the server parses).
fn well_formed(kind: Kind, value: &str) -> bool {
    let space = regex::Regex::new("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$").unwrap();
    match kind {
        Kind::Space => space.is_match(value),
        Kind::Uuid => uuid::Uuid::parse_str(value).is_ok(),
        Kind::PaddedUuid => uuid::Uuid::parse_str(value.trim()).is_ok(),
        Kind::Participant => {
            (1..=256).contains(&value.chars().count()) && !value.chars().any(char::is_control)
        }
    }
}

/// Every byte but unreserved ones as `%XX`, so the server sees exactly `value`.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn ids() -> BoxedStrategy<String> {
    prop_oneof![
        any::<String>(),
        "[ \t\u{0}]{0,2}[0-9a-fA-F-]{30,40}[ \t\u{0}]{0,2}",
        any::<u128>().prop_map(|n| uuid::Uuid::from_u128(n).to_string()),
        "[A-Za-z0-9._-]{1,130}",
        Just("ro\u{0}om".to_string()),
        Just("room".to_string()),
    ]
    .boxed()
}

async fn probe(app: &TestApp, key: &str, target: usize, value: &str) -> Result<(), String> {
    let (method, template, kind, not_found) = TARGETS[target];
    // Empty and dot segments change the path itself, not the id in it.
    if value.is_empty() || value == "." || value == ".." {
        return Ok(());
    }
    let path = template.replace("{}", &encode(value));
    let req = match method {
        "GET" => app.get(&path, key),
        _ => app.post(&path, key, json!({"text": "t"})),
    };
    let resp = req.send().await.map_err(|e| e.to_string())?;
    let (status, body) = json_of(resp).await;
    let case = format!("{method} {path}: {status} {body}");
    if status >= 500 {
        return Err(format!("server error: {case}"));
    }
    if status >= 400
        && body
            .as_object()
            .is_none_or(|o| o.len() != 1 || !o["detail"].is_string())
    {
        return Err(format!("4xx not just a detail: {case}"));
    }
    if !well_formed(kind, value) && (status != 404 || body["detail"] != not_found) {
        return Err(format!("malformed id not a 404 {not_found:?}: {case}"));
    }
    if matches!(kind, Kind::Participant) && well_formed(kind, value) && status != 200 {
        return Err(format!("a well-formed participant id is not a 200: {case}"));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_path_ids_are_not_found() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let strategy = (0..TARGETS.len(), ids());
    let (app, key) = (&app, alice.api_key.as_str());
    run_cases(strategy, |target, value| async move {
        probe(app, key, target, &value).await
    });
}
