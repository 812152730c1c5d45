//! Space summaries: windows, caching, the extractive summarizer (the provider is in
//! `summary_provider`).

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::helpers::{Actor, Call, TestApp};

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The last hour up to a minute from now: covers every event a test just appended.
pub(crate) fn window() -> (String, String) {
    let now = Utc::now();
    (ts(now - Duration::hours(1)), ts(now + Duration::minutes(1)))
}

/// How many summaries the default tenant has cached.
pub(crate) async fn cached_summaries(app: &TestApp) -> i64 {
    app.db()
        .await
        .query_one("SELECT count(*) FROM convo_default.summaries", &[])
        .await
        .unwrap()
        .get(0)
}

pub(crate) async fn summary(
    app: &TestApp,
    who: &Actor,
    space: &str,
    query: &[(&str, &str)],
) -> (u16, Value) {
    app.get(&format!("/api/spaces/{space}/summary"), &who.api_key)
        .query(query)
        .call()
        .await
}

#[tokio::test]
async fn extractive_summary_is_cached_until_regenerated() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let bob = app.human("Bob").await;
    app.space(&alice, "s").await;
    app.append_event(None, "s", &alice, "Kick-off: what storage?", json!({}))
        .await;
    app.append_event(
        None,
        "s",
        &bob,
        "PostgreSQL, one schema per tenant.",
        json!({}),
    )
    .await;
    app.append_event(None, "s", &alice, "Agreed.", json!({}))
        .await;
    let resp = app
        .post(
            "/api/spaces/s/decisions",
            &alice.api_key,
            json!({"text": "Schema per tenant"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    let (start, end) = window();
    let q = [("start", start.as_str()), ("end", end.as_str())];
    let (status, first) = summary(&app, &alice, "s", &q).await;
    assert_eq!(status, 200, "{first}");
    let mut keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "created_at",
            "event_count",
            "model",
            "space_id",
            "summary_id",
            "summary_text",
            "window_end",
            "window_start"
        ]
    );
    assert_eq!(first["space_id"], "s");
    assert_eq!(first["event_count"], 3);
    assert_eq!(first["model"], "extractive");
    let parse = |v: &Value| v.as_str().unwrap().parse::<DateTime<Utc>>().unwrap();
    assert_eq!(
        parse(&first["window_start"]),
        start.parse::<DateTime<Utc>>().unwrap()
    );
    assert_eq!(
        parse(&first["window_end"]),
        end.parse::<DateTime<Utc>>().unwrap()
    );
    let text = first["summary_text"].as_str().unwrap();
    assert!(text.starts_with("# Space Summary"), "{text}");
    assert!(text.contains("- Alice (human): 2 events"), "{text}");
    assert!(text.contains("- Bob (human): 1 event\n"), "{text}");
    assert!(text.contains("[proposed] Schema per tenant"), "{text}");
    assert!(
        text.contains("PostgreSQL, one schema per tenant."),
        "{text}"
    );

    let (status, again) = summary(&app, &alice, "s", &q).await;
    assert_eq!(status, 200);
    assert_eq!(again, first, "served from the cache");

    // A new event does not change the cached summary; regenerating picks it up.
    app.append_event(None, "s", &bob, "One more thing.", json!({}))
        .await;
    let (_, cached) = summary(&app, &alice, "s", &q).await;
    assert_eq!(cached["event_count"], 3);
    let mut regen = q.to_vec();
    regen.push(("regenerate", "true"));
    let (status, fresh) = summary(&app, &alice, "s", &regen).await;
    assert_eq!(status, 200);
    assert_ne!(fresh["summary_id"], first["summary_id"]);
    assert_eq!(fresh["event_count"], 4);
    let (_, after) = summary(&app, &alice, "s", &q).await;
    assert_eq!(
        after, fresh,
        "the regenerated summary replaced the cached one"
    );
    assert_eq!(cached_summaries(&app).await, 1);
}

#[tokio::test]
async fn default_window_is_the_last_hour() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    app.space(&alice, "s").await;
    app.append_event(None, "s", &alice, "hello", json!({}))
        .await;
    let (status, s) = summary(&app, &alice, "s", &[]).await;
    assert_eq!(status, 200, "{s}");
    let parse = |v: &Value| v.as_str().unwrap().parse::<DateTime<Utc>>().unwrap();
    let (start, end) = (parse(&s["window_start"]), parse(&s["window_end"]));
    assert_eq!(end - start, Duration::hours(1));
    assert!((Utc::now() - end).num_seconds().abs() < 60);
    assert_eq!(end.timestamp() % 60, 0, "the default end is a whole minute");
    assert!(
        end >= Utc::now() - Duration::seconds(5),
        "and includes what was just posted"
    );
    assert_eq!(s["event_count"], 1);
    // A second default call in the same minute is served from the cache.
    let (_, again) = summary(&app, &alice, "s", &[]).await;
    if again["window_end"] == s["window_end"] {
        assert_eq!(again["summary_id"], s["summary_id"]);
    }

    // Only `end` given: the hour before it, which holds no events.
    let end = ts(Utc::now() - Duration::hours(2));
    let (status, s) = summary(&app, &alice, "s", &[("end", end.as_str())]).await;
    assert_eq!(status, 200);
    assert_eq!(
        parse(&s["window_end"]) - parse(&s["window_start"]),
        Duration::hours(1)
    );
    assert_eq!(s["event_count"], 0);
    assert!(
        s["summary_text"]
            .as_str()
            .unwrap()
            .starts_with("# Space Summary")
    );
}

#[tokio::test]
async fn bad_parameters_are_400_and_unknown_spaces_404() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    app.space(&alice, "s").await;
    let now = Utc::now();
    let (later, earlier) = (ts(now), ts(now - Duration::minutes(5)));
    for q in [
        vec![("start", later.as_str()), ("end", earlier.as_str())],
        vec![("start", "yesterday")],
        vec![("end", "2026-13-01T00:00:00Z")],
        vec![("regenerate", "maybe")],
    ] {
        let (status, body) = summary(&app, &alice, "s", &q).await;
        assert_eq!(status, 400, "{q:?}: {body}");
        assert!(body["detail"].is_string());
    }
    let (status, body) = summary(&app, &alice, "nope", &[]).await;
    assert_eq!(status, 404);
    assert_eq!(body["detail"], "Space not found");
    let resp = app
        .http
        .get(app.url("/api/spaces/s/summary"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn tenants_never_see_each_others_summaries() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let bob = app.human("Bob").await;
    let acme = app.tenant(&alice, "Acme").await;
    let globex = app.tenant(&bob, "Globex").await;
    app.space(&alice, "shared").await;
    app.space(&bob, "shared").await;
    let acme_schema = acme["schema_name"].as_str().unwrap();
    let globex_schema = globex["schema_name"].as_str().unwrap();
    app.append_event(
        Some(acme_schema),
        "shared",
        &alice,
        "acme secret",
        json!({}),
    )
    .await;
    app.append_event(Some(acme_schema), "shared", &alice, "acme plan", json!({}))
        .await;
    app.append_event(
        Some(globex_schema),
        "shared",
        &bob,
        "globex news",
        json!({}),
    )
    .await;

    let (start, end) = window();
    let q = [("start", start.as_str()), ("end", end.as_str())];
    let (_, a) = summary(&app, &alice, "shared", &q).await;
    let (_, b) = summary(&app, &bob, "shared", &q).await;
    assert_ne!(a["summary_id"], b["summary_id"], "one cache per tenant");
    assert_eq!(
        (a["event_count"].clone(), b["event_count"].clone()),
        (json!(2), json!(1))
    );
    let (a_text, b_text) = (a["summary_text"].to_string(), b["summary_text"].to_string());
    assert!(a_text.contains("acme secret") && !a_text.contains("globex"));
    assert!(b_text.contains("globex news") && !b_text.contains("acme"));
    let (_, a_again) = summary(&app, &alice, "shared", &q).await;
    assert_eq!(a_again, a);
}

#[tokio::test]
async fn timestamps_without_offset_are_utc() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    app.space(&alice, "s").await;
    let (status, naive) = summary(
        &app,
        &alice,
        "s",
        &[
            ("start", "2026-04-07T10:00:00"),
            ("end", "2026-04-07 11:00:00.5"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{naive}");
    let parse = |v: &Value| v.as_str().unwrap().parse::<DateTime<Utc>>().unwrap();
    assert_eq!(
        parse(&naive["window_start"]),
        "2026-04-07T10:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    // The same window written with offsets is the same cache entry.
    let (_, same) = summary(
        &app,
        &alice,
        "s",
        &[
            ("start", "2026-04-07T12:00:00+02:00"),
            ("end", "2026-04-07T11:00:00.500Z"),
        ],
    )
    .await;
    assert_eq!(same["summary_id"], naive["summary_id"]);
}
