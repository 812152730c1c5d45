//! Space summaries: windows, caching, the extractive summarizer, and the Anthropic provider
//! against a fake Messages API on 127.0.0.1.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicU16, Ordering},
};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use convo::config::SummaryProvider;
use poem::{
    Response, Server,
    http::StatusCode,
    listener::{Acceptor, Listener, TcpListener},
};
use serde_json::{Value, json};

use crate::helpers::{Actor, TestApp, json_of, serve_config};

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The last hour up to a minute from now: covers every event a test just appended.
fn window() -> (String, String) {
    let now = Utc::now();
    (ts(now - Duration::hours(1)), ts(now + Duration::minutes(1)))
}

async fn summary(app: &TestApp, who: &Actor, space: &str, query: &[(&str, &str)]) -> (u16, Value) {
    json_of(
        app.get(&format!("/api/spaces/{space}/summary"), &who.api_key)
            .query(query)
            .send()
            .await
            .unwrap(),
    )
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
    let rows = app
        .db()
        .await
        .query_one("SELECT count(*) FROM convo_default.summaries", &[])
        .await
        .unwrap()
        .get::<_, i64>(0);
    assert_eq!(rows, 1);
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
    assert_eq!(s["event_count"], 1);

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

/// A fake Anthropic Messages API: records each request, answers with `status`.
#[derive(Clone, Default)]
struct FakeAnthropic {
    requests: Arc<Mutex<Vec<Value>>>,
    status: Arc<AtomicU16>,
}

impl FakeAnthropic {
    /// Serve on 127.0.0.1 (any free port); returns the base URL.
    async fn start(&self) -> String {
        self.status.store(200, Ordering::SeqCst);
        let fake = self.clone();
        let ep = poem::endpoint::make(move |req: poem::Request| {
            let fake = fake.clone();
            async move {
                let header = |name: &str| req.header(name).map(str::to_string);
                let record = json!({
                    "method": req.method().as_str(),
                    "path": req.uri().path(),
                    "x-api-key": header("x-api-key"),
                    "anthropic-version": header("anthropic-version"),
                });
                let body: Value = req.into_body().into_json().await.unwrap_or(Value::Null);
                let mut record = record;
                record["body"] = body;
                fake.requests.lock().unwrap().push(record);
                let status = fake.status.load(Ordering::SeqCst);
                if status != 200 {
                    return Response::builder()
                        .status(StatusCode::from_u16(status).unwrap())
                        .content_type("application/json")
                        .body(r#"{"type":"error","error":{"type":"overloaded_error"}}"#);
                }
                let answer = json!({
                    "id": "msg_1", "type": "message", "role": "assistant",
                    "model": "claude-haiku-4-5-20251001",
                    "content": [{"type": "text", "text": "The team chose PostgreSQL."}],
                    "stop_reason": "end_turn",
                });
                Response::builder()
                    .content_type("application/json")
                    .body(answer.to_string())
            }
        });
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .unwrap();
        let port = acceptor.local_addr()[0].as_socket_addr().unwrap().port();
        tokio::spawn(Server::new_with_acceptor(acceptor).run(ep));
        format!("http://127.0.0.1:{port}")
    }

    fn requests(&self) -> Vec<Value> {
        self.requests.lock().unwrap().clone()
    }
}

async fn app_with_anthropic(base_url: &str) -> TestApp {
    let mut config = serve_config(&crate::helpers::fresh_database().await);
    config.summary.summary_provider = SummaryProvider::Anthropic;
    config.summary.anthropic_api_key = Some("test-key-123".to_string());
    config.summary.anthropic_base_url = base_url.to_string();
    config.summary.summary_model = "claude-test-model".to_string();
    TestApp::spawn_with(config).await
}

#[tokio::test]
async fn anthropic_summaries_are_requested_and_cached() {
    let fake = FakeAnthropic::default();
    let base = fake.start().await;
    let app = app_with_anthropic(&base).await;
    let alice = app.human("Alice").await;
    app.space(&alice, "s").await;
    app.append_event(None, "s", &alice, "Let's use PostgreSQL", json!({}))
        .await;

    let (start, end) = window();
    let q = [("start", start.as_str()), ("end", end.as_str())];
    let (status, s) = summary(&app, &alice, "s", &q).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["model"], "claude-haiku-4-5-20251001");
    assert_eq!(
        s["summary_text"],
        "# Space Summary\n\nThe team chose PostgreSQL."
    );
    assert_eq!(s["event_count"], 1);

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r["method"], "POST");
    assert_eq!(r["path"], "/v1/messages");
    assert_eq!(r["x-api-key"], "test-key-123");
    assert_eq!(r["anthropic-version"], "2023-06-01");
    assert_eq!(r["body"]["model"], "claude-test-model");
    assert!(r["body"]["max_tokens"].as_u64().unwrap() > 0);
    assert_eq!(r["body"]["messages"][0]["role"], "user");
    let prompt = r["body"]["messages"][0]["content"].as_str().unwrap();
    assert!(
        prompt.contains("Alice (human): Let's use PostgreSQL"),
        "{prompt}"
    );

    let (_, again) = summary(&app, &alice, "s", &q).await;
    assert_eq!(again, s);
    assert_eq!(fake.requests().len(), 1, "the cache answered");
}

#[tokio::test]
async fn provider_failure_falls_back_to_extractive_and_is_not_cached() {
    let fake = FakeAnthropic::default();
    let base = fake.start().await;
    let app = app_with_anthropic(&base).await;
    let alice = app.human("Alice").await;
    app.space(&alice, "s").await;
    app.append_event(None, "s", &alice, "hello", json!({}))
        .await;
    fake.status.store(529, Ordering::SeqCst);

    let (start, end) = window();
    let q = [("start", start.as_str()), ("end", end.as_str())];
    let (status, first) = summary(&app, &alice, "s", &q).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["model"], "extractive");
    assert!(
        first["summary_text"]
            .as_str()
            .unwrap()
            .starts_with("# Space Summary")
    );
    let (status, second) = summary(&app, &alice, "s", &q).await;
    assert_eq!(status, 200);
    assert_eq!(second["model"], "extractive");
    assert_ne!(second["summary_id"], first["summary_id"], "not cached");
    assert_eq!(fake.requests().len(), 2, "each request asked the provider");
    let rows = app
        .db()
        .await
        .query_one("SELECT count(*) FROM convo_default.summaries", &[])
        .await
        .unwrap()
        .get::<_, i64>(0);
    assert_eq!(rows, 0);

    // Once the provider recovers, its summary is cached.
    fake.status.store(200, Ordering::SeqCst);
    let (_, third) = summary(&app, &alice, "s", &q).await;
    assert_eq!(third["model"], "claude-haiku-4-5-20251001");
    let (_, fourth) = summary(&app, &alice, "s", &q).await;
    assert_eq!(fourth, third);
}

#[tokio::test]
async fn unreachable_provider_falls_back() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = app_with_anthropic(&format!("http://127.0.0.1:{port}")).await;
    let alice = app.human("Alice").await;
    app.space(&alice, "s").await;
    let (status, s) = summary(&app, &alice, "s", &[]).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["model"], "extractive");
}
