//! Database outages: while PostgreSQL is down, requests fail fast with 503 `{"detail"}` and
//! readiness says so; when it is back, the server serves again without a restart.

use std::time::{Duration, Instant};

use convo::db::local;
use serde_json::json;

use crate::helpers::{Call, TestApp, serve_config};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_fail_fast_while_the_database_is_down_and_recover_after() {
    let dir = std::env::temp_dir().join(format!("outage-pg-{}", uuid::Uuid::new_v4().simple()));
    let admin = local::start_private(&dir)
        .await
        .expect("private PostgreSQL");
    let db = local::ensure_database(&admin, "convo").await.unwrap();
    let url = format!(
        "host={} port=5432 user=convo dbname=convo",
        match &db.get_hosts()[0] {
            tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
            tokio_postgres::config::Host::Tcp(h) => h.clone(),
        }
    );
    let mut config = serve_config(&url);
    config.db.db_timeout_secs = 1;
    // This test's database is a private server that a pooler of the suite
    // (`CONVO_TEST_POOLER`) does not forward to: connect to it directly, in the pooler mode
    // the suite runs in (with the private server as its own direct URL).
    if config.db.direct_database_url.is_some() {
        config.db.database_url = Some(url.clone());
        config.db.direct_database_url = Some(url.clone());
    }
    let app = TestApp::spawn_with(config).await;
    let alice = app.human("Alice").await;
    app.tenant(&alice, "Acme").await;
    app.space(&alice, "room").await;

    local::stop_private(&dir).unwrap();
    let requests = [
        app.get("/api/spaces/room/status", &alice.api_key),
        app.post(
            "/api/spaces/room/speech",
            &alice.api_key,
            json!({"text": "lost?"}),
        ),
        app.http
            .post(app.url("/api/actors"))
            .json(&json!({"display_name": "Bob", "email": "b@example.com"})),
        app.http.get(app.url("/ready")),
    ];
    for req in requests {
        let started = Instant::now();
        let (status, body) = req.call().await;
        assert_eq!(status, 503, "{body}");
        assert!(body["detail"].is_string(), "{body}");
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "failed fast: {:?}",
            started.elapsed()
        );
    }
    let (status, _) = app.http.get(app.url("/health")).call().await;
    assert_eq!(status, 200, "liveness does not depend on the database");

    local::start_private(&dir).await.expect("restart");
    let (status, body) = app
        .get("/api/spaces/room/status", &alice.api_key)
        .call()
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["event_count"], 0, "the refused write was not stored");
    let (status, _) = app
        .post(
            "/api/spaces/room/speech",
            &alice.api_key,
            json!({"text": "back"}),
        )
        .call()
        .await;
    assert_eq!(status, 200);
    let (status, _) = app.http.get(app.url("/ready")).call().await;
    assert_eq!(status, 200);

    drop(app);
    local::stop_private(&dir).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
