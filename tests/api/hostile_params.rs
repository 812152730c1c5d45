//! Property tests: whatever a client puts in a timestamp, cursor or limit parameter, or in
//! a path id, the answer is never a 5xx, and every 4xx is `{"detail": "…"}`. Values mix arbitrary Unicode
//! (controls and NUL included), near-miss ISO 8601 with extreme years, instants across chrono's
//! whole range (most before or after what PostgreSQL stores), UUIDs that are and are not
//! event ids, and integers of any size.

use proptest::{
    prelude::*,
    test_runner::{Config, TestCaseError, TestRunner},
};
use serde_json::{Value, json};

use crate::helpers::{TestApp, json_of};

mod path_ids;

#[derive(Clone, Copy, Debug)]
enum Kind {
    Timestamp,
    Cursor,
    Limit,
}

/// Every timestamp, cursor and limit parameter of the API: (path, parameter, kind).
const TARGETS: &[(&str, &str, Kind)] = &[
    ("/api/spaces/room/events", "since", Kind::Cursor),
    ("/api/spaces/room/events", "limit", Kind::Limit),
    ("/api/spaces/room/transcript", "start", Kind::Timestamp),
    ("/api/spaces/room/transcript", "end", Kind::Timestamp),
    ("/api/spaces/room/transcript", "limit", Kind::Limit),
    ("/api/spaces/room/summary", "start", Kind::Timestamp),
    ("/api/spaces/room/summary", "end", Kind::Timestamp),
    ("/api/spaces/room/activity", "since", Kind::Timestamp),
    ("/api/spaces/room/activity", "max_events", Kind::Limit),
    ("/api/spaces/room/mentions/someone", "since", Kind::Cursor),
    ("/api/spaces/room/mentions/someone", "limit", Kind::Limit),
    ("/api/spaces/room/events/stream", "since", Kind::Cursor),
    (
        "/api/spaces/room/events/stream",
        "Last-Event-ID",
        Kind::Cursor,
    ),
];

fn timestamps() -> BoxedStrategy<String> {
    prop_oneof![
        any::<String>(),
        r"[+-]?[0-9]{1,7}-[0-9]{1,2}-[0-9]{1,2}([T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,12})?)?)?(Z|[+-][0-9]{2}:?[0-9]{2}| [0-9]{2}:[0-9]{2})?",
        (
            chrono::DateTime::<chrono::Utc>::MIN_UTC.timestamp()
                ..=chrono::DateTime::<chrono::Utc>::MAX_UTC.timestamp(),
            any::<bool>()
        )
            .prop_map(|(secs, naive)| {
                let t = chrono::DateTime::from_timestamp(secs, 0).expect("in chrono's range");
                if naive {
                    t.naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string()
                } else {
                    t.to_rfc3339()
                }
            }),
    ]
    .boxed()
}

fn cursors(event_id: String) -> BoxedStrategy<String> {
    prop_oneof![
        any::<String>(),
        any::<u128>().prop_map(|n| uuid::Uuid::from_u128(n).to_string()),
        Just(event_id),
        Just(String::new()),
        "[ \t]*[0-9a-fA-F-]{30,40}[ \t]*",
    ]
    .boxed()
}

fn limits() -> BoxedStrategy<String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        (-3i64..1005).prop_map(|n| n.to_string()),
        any::<String>(),
        "[+-]?[0-9]{1,30}(\\.[0-9]+)?(e[0-9]+)?",
    ]
    .boxed()
}

async fn probe(app: &TestApp, key: &str, target: usize, value: &str) -> Result<(), String> {
    let (path, param, _) = TARGETS[target];
    let mut req = app.get(path, key);
    req = if param == "Last-Event-ID" {
        match reqwest::header::HeaderValue::from_str(value) {
            Ok(v) => req.header(param, v),
            Err(_) => return Ok(()), // not sendable as a header
        }
    } else {
        req.query(&[(param, value)])
    };
    let resp = req.send().await.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    if path.ends_with("/stream") && status == 200 {
        return Ok(()); // a stream: dropping it closes it
    }
    let (status, body) = json_of(resp).await;
    let case = format!("{path}?{param}={value:?}: {status} {body}");
    if status >= 500 {
        return Err(format!("server error: {case}"));
    }
    if status >= 400 && !body["detail"].is_string() {
        return Err(format!("4xx without detail: {case}"));
    }
    if status >= 400 && body.as_object().is_some_and(|o| o.len() != 1) {
        return Err(format!("4xx with more than detail: {case}"));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_parameter_value_gets_a_server_error() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let mut event_id = String::new();
    for text in ["one", "two"] {
        let resp = app
            .post(
                "/api/spaces/room/speech",
                &alice.api_key,
                json!({"text": text}),
            )
            .send()
            .await
            .unwrap();
        let (status, event): (u16, Value) = json_of(resp).await;
        assert_eq!(status, 200, "{event}");
        event_id = event["event_id"].as_str().unwrap().to_string();
    }

    let strategy = (0..TARGETS.len(), timestamps(), cursors(event_id), limits()).prop_map(
        |(target, timestamp, cursor, limit)| {
            let value = match TARGETS[target].2 {
                Kind::Timestamp => timestamp,
                Kind::Cursor => cursor,
                Kind::Limit => limit,
            };
            (target, value)
        },
    );
    let (app, key) = (&app, alice.api_key.as_str());
    run_cases(strategy, |target, value| async move {
        probe(app, key, target, &value).await
    });
}

/// Probes 600 (target, value) cases of `strategy` from inside the test's runtime, and
/// fails with the smallest case that fails.
fn run_cases<F, Fut>(strategy: impl Strategy<Value = (usize, String)>, probe: F)
where
    F: Fn(usize, String) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let mut runner = TestRunner::new(Config {
        cases: 600,
        failure_persistence: None,
        ..Config::default()
    });
    let handle = tokio::runtime::Handle::current();
    let result = tokio::task::block_in_place(|| {
        runner.run(&strategy, |(target, value)| {
            handle
                .block_on(probe(target, value))
                .map_err(TestCaseError::fail)
        })
    });
    if let Err(err) = result {
        panic!("{err}");
    }
}
