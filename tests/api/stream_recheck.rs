//! A stream's credential re-check that the database cannot answer is asked again until it
//! is answered: a key revoked while the re-check failed still ends the stream, without any
//! further notice.

use std::time::Duration;

use convo::config::StreamRecheckConfig;
use serde_json::json;

use crate::{
    helpers::{TestApp, fresh_database, serve_config},
    sse::Sse,
};

/// The backend of this database blocked on a lock with a query on `convo.api_keys`.
async fn waiting_on_keys(db: &tokio_postgres::Client) -> Option<i32> {
    db.query_opt(
        "SELECT pid FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()
           AND wait_event_type = 'Lock' AND query LIKE '%api_keys%'
         LIMIT 1",
        &[],
    )
    .await
    .unwrap()
    .map(|r| r.get(0))
}

/// Poll `check` (a cheap catalog query) until it holds; a hang fails the test.
async fn eventually<F, Fut, T>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            if let Some(found) = check().await {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{what} within 30 s"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_recheck_is_retried_and_a_revoked_key_then_ends_the_stream() {
    let mut config = serve_config(&fresh_database().await);
    config.stream_recheck = StreamRecheckConfig {
        stream_recheck_retry_ms: 100,
        stream_recheck_retry_max_ms: 1000,
    };
    let app = TestApp::spawn_with(config).await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let mut stream = Sse::open(app.get("/api/spaces/room/events/stream", &alice.api_key)).await;
    // An event through the live stream: it is open, past its replay and its first check.
    let resp = app
        .post(
            "/api/spaces/room/speech",
            &alice.api_key,
            json!({"text": "hi"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(stream.next().await.data["text"], "hi");

    // The database cannot answer the re-check an invalidation asks for: the key table is
    // locked, and the waiting query is cancelled (as a statement timeout would).
    let mut locker = app.db().await;
    let lock = locker.transaction().await.unwrap();
    lock.batch_execute("LOCK TABLE convo.api_keys IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let actor_id: uuid::Uuid = alice.actor_id.parse().unwrap();
    app.state.auth.cache.invalidate_actor(actor_id);
    let observer = app.db().await;
    let pid = eventually("the re-check waits on the lock", || {
        waiting_on_keys(&observer)
    })
    .await;
    observer
        .execute("SELECT pg_cancel_backend($1)", &[&pid])
        .await
        .unwrap();
    eventually("the cancelled re-check has failed", || async {
        let still: bool = observer
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity
                                WHERE pid = $1 AND wait_event_type = 'Lock')",
                &[&pid],
            )
            .await
            .unwrap()
            .get(0);
        (!still).then_some(())
    })
    .await;

    // Meanwhile the key is revoked, with no NOTIFY (as if heard only by another replica).
    lock.execute(
        "UPDATE convo.api_keys SET revoked_at = now() WHERE actor_id = $1",
        &[&actor_id],
    )
    .await
    .unwrap();
    lock.commit().await.unwrap();

    stream.ended_within(Duration::from_secs(30)).await;
}
