//! The Anthropic summary provider against a fake Messages API on 127.0.0.1: what it sends,
//! caching of its summaries, and the extractive fallback when it fails (never cached).

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicU16, Ordering},
};

use convo::config::SummaryProvider;
use poem::{
    Response, Server,
    http::StatusCode,
    listener::{Acceptor, Listener, TcpListener},
};
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, fresh_database, serve_config},
    summary::{cached_summaries, summary, window},
};

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
    let mut config = serve_config(&fresh_database().await);
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
    assert_eq!(cached_summaries(&app).await, 0);

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
