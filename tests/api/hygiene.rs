//! Credential hygiene: no issued key or token, and no Authorization header value, ever
//! reaches the server's log, and no error body echoes a presented credential.

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use convo::config::Secret;
use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;

use crate::{
    helpers::{Call, TestApp, fresh_database, serve_config},
    sse::Sse,
};

/// Everything the subscriber writes, kept in memory.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

const OPERATOR_SECRET: &str = "hygiene-operator-secret";

// The default (current-thread) runtime: the server's tasks run on this thread, under the
// subscriber set below.
#[tokio::test]
async fn no_credential_reaches_the_log_or_an_error_body() {
    // tracing caches each callsite's interest process-wide, computed by whichever thread
    // reaches it first. With a single registered dispatcher, a sibling test's thread (no
    // subscriber) would compute it against its own default and cache "never" for everyone
    // (tokio-rs/tracing#3611). A second live dispatcher forces the general path, where every
    // callsite is "sometimes" and each event asks the current thread's subscriber.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();

    let mut config = serve_config(&fresh_database().await);
    config.operator_jwt_secret = Some(Secret(OPERATOR_SECRET.to_string()));
    config.jwt_secret = Some(Secret("hygiene-stream-secret".to_string()));
    // What `convo serve` logs at debug level.
    tracing::debug!(?config, "configuration");
    let app = TestApp::spawn_with(config).await;

    let alice = app.human("Alice").await;
    let bot = app.agent(&alice, "Bot").await;
    let tenant = app.tenant(&alice, "Acme").await;
    app.space(&alice, "room").await;
    let (status, minted) = app
        .post("/api/spaces/room/stream-token", &alice.api_key, json!({}))
        .call()
        .await;
    assert_eq!(status, 200, "{minted}");
    let stream_token = minted["token"].as_str().unwrap().to_string();
    let mut stream = Sse::open(app.http.get(app.url(&format!(
        "/api/spaces/room/events/stream?token={stream_token}"
    ))))
    .await;
    let (status, event) = app
        .post(
            "/api/spaces/room/speech",
            &alice.api_key,
            json!({"text": "hello"}),
        )
        .call()
        .await;
    assert_eq!(status, 200, "{event}");
    assert_eq!(stream.next().await.data["event_id"], event["event_id"]);
    let (status, _) = app
        .get("/api/spaces/room/events", &alice.api_key)
        .call()
        .await;
    assert_eq!(status, 200);
    let (status, _) = app.get("/api/actors/me", &bot.api_key).call().await;
    assert_eq!(status, 200);

    let operator_token = encode(
        &Header::default(),
        &json!({"aud": "convo-admin", "exp": chrono::Utc::now().timestamp() + 300}),
        &EncodingKey::from_secret(OPERATOR_SECRET.as_bytes()),
    )
    .unwrap();
    let (status, _) = app
        .get(
            &format!(
                "/api/admin/tenants/{}",
                tenant["tenant_id"].as_str().unwrap()
            ),
            &operator_token,
        )
        .call()
        .await;
    assert_eq!(status, 200);

    // Failures: a wrong key (well-formed, with a known lookup part, and garbage), a tampered
    // stream token, an API key on the admin API, an operator token as an API key, a token
    // next to a bad parameter.
    let wrong_key = format!("{}x", &alice.api_key[..alice.api_key.len() - 1]);
    let tampered = format!("{stream_token}x");
    let failures: Vec<(reqwest::RequestBuilder, String)> = vec![
        (app.get("/api/actors/me", &wrong_key), wrong_key.clone()),
        (
            app.get("/api/actors/me", "convo_garbage-garbage-garbage"),
            "convo_garbage-garbage-garbage".to_string(),
        ),
        (
            app.http
                .get(app.url(&format!("/api/spaces/room/events/stream?token={tampered}"))),
            tampered.clone(),
        ),
        (
            app.http
                .get(app.url(&format!("/api/actors/me?token={wrong_key}"))),
            wrong_key.clone(),
        ),
        (
            app.get("/api/admin/tenants", &alice.api_key),
            alice.api_key.clone(),
        ),
        (
            app.get("/api/actors/me", &operator_token),
            operator_token.clone(),
        ),
        (
            app.http.get(app.url(&format!(
                "/api/spaces/room/events?limit=many&token={}",
                alice.api_key
            ))),
            alice.api_key.clone(),
        ),
        (
            app.http
                .get(app.url("/api/actors/me"))
                .header("authorization", format!("Basic {}", alice.api_key)),
            alice.api_key.clone(),
        ),
    ];
    for (req, presented) in failures {
        let (status, body) = req.call().await;
        assert!((400..500).contains(&status), "{status} {body}");
        assert!(body["detail"].is_string(), "{body}");
        let text = body.to_string();
        assert!(
            !text.contains(&presented),
            "an error body echoes the presented credential: {text}"
        );
    }
    drop(stream);

    let log = capture.text();
    // The capture really holds the request log, so the checks below are not vacuous.
    for expected in [
        "served",
        "/api/actors/me",
        "/api/spaces/room/events/stream",
        "/api/admin/tenants",
        "status=401",
    ] {
        assert!(log.contains(expected), "the log lacks {expected:?}:\n{log}");
    }
    let secrets: Vec<(&str, &str)> = vec![
        ("alice's key", &alice.api_key),
        ("the bot's key", &bot.api_key),
        ("the stream token", &stream_token),
        ("the tampered stream token", &tampered),
        ("the wrong key", &wrong_key),
        ("the operator token", &operator_token),
        ("the operator secret", OPERATOR_SECRET),
        ("the stream secret", "hygiene-stream-secret"),
    ];
    for (what, secret) in secrets {
        assert!(!log.contains(secret), "{what} appears in the log");
    }
    // No Authorization header value, nor a query string with a token, is logged.
    let lower = log.to_lowercase();
    for needle in ["bearer ", "authorization:", "token="] {
        assert!(!lower.contains(needle), "{needle:?} appears in the log");
    }
}
