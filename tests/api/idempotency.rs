//! Idempotency-Key on event writes: replay, conflict, expiry, concurrent retries.

use serde_json::json;

use crate::{
    events::{detail, get, ids, post},
    helpers::{TestApp, json_of},
};

#[tokio::test]
async fn idempotency_keys_replay_or_conflict() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    let bob = app.human("Bob").await;
    app.space(&alice, "room").await;
    let body = json!({"text": "once", "metadata": {"b": 1, "a": 2}});
    let (s, first) = post(
        &app,
        &alice,
        "/api/spaces/room/speech",
        Some("k-1"),
        body.clone(),
    )
    .await;
    assert_eq!(s, 200);
    // Same request, keys of the metadata in another order: the same request.
    let (s, again) = post(
        &app,
        &alice,
        "/api/spaces/room/speech",
        Some("k-1"),
        json!({"metadata": {"a": 2, "b": 1}, "text": "once"}),
    )
    .await;
    assert_eq!((s, &again), (200, &first));
    // Same key, another body or another endpoint: 409.
    let (s, b) = post(
        &app,
        &alice,
        "/api/spaces/room/speech",
        Some("k-1"),
        json!({"text": "twice"}),
    )
    .await;
    detail(s, &b, 409);
    assert!(b["detail"].as_str().unwrap().contains("Idempotency-Key"));
    let (s, b) = post(
        &app,
        &alice,
        "/api/spaces/room/response",
        Some("k-1"),
        body.clone(),
    )
    .await;
    detail(s, &b, 409);
    // Keys are per actor: Bob's k-1 is his own (his default tenant has no such space).
    let (s, _) = post(
        &app,
        &bob,
        "/api/spaces/room/speech",
        Some("k-1"),
        body.clone(),
    )
    .await;
    assert_eq!(s, 404);
    // A refused write does not consume the key.
    let (s, _) = post(&app, &alice, "/api/spaces/room/events", Some("k-2"), json!({"speaker_id": "s", "speaker_name": "S", "text": "t", "thread_id": uuid::Uuid::now_v7()})).await;
    assert_eq!(s, 404);
    let (s, ok) = post(
        &app,
        &alice,
        "/api/spaces/room/events",
        Some("k-2"),
        json!({"speaker_id": "s", "speaker_name": "S", "text": "t"}),
    )
    .await;
    assert_eq!(s, 200, "{ok}");
    // Replays survive the space being archived.
    app.post("/api/spaces/room/archive", &alice.api_key, json!({}))
        .send()
        .await
        .unwrap();
    let (s, replay) = post(
        &app,
        &alice,
        "/api/spaces/room/speech",
        Some("k-1"),
        body.clone(),
    )
    .await;
    assert_eq!((s, &replay), (200, &first));
    let (s, _) = post(
        &app,
        &alice,
        "/api/spaces/room/speech",
        Some("k-3"),
        body.clone(),
    )
    .await;
    assert_eq!(s, 409);
    let (_, all) = get(&app, &alice, "/api/spaces/room/events").await;
    assert_eq!(
        ids(&all),
        vec![first["event_id"].clone(), ok["event_id"].clone()]
    );

    // A key older than the retention window is a new key.
    let schema = app.schema_of("Alice Org").await;
    let db = app.db().await;
    db.execute(
        &format!(
            "UPDATE \"{schema}\".idempotency_keys SET created_at = now() - interval '25 hours'"
        ),
        &[],
    )
    .await
    .unwrap();
    app.patch(
        "/api/spaces/room",
        &alice.api_key,
        json!({"status": "active"}),
    )
    .send()
    .await
    .unwrap();
    let (s, fresh) = post(
        &app,
        &alice,
        "/api/spaces/room/speech",
        Some("k-1"),
        json!({"text": "new"}),
    )
    .await;
    assert_eq!(s, 200, "{fresh}");
    assert_ne!(fresh["event_id"], first["event_id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_retries_of_one_key_store_one_event() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let tasks = (0..10).map(|_| {
        let (http, url, key) = (
            app.http.clone(),
            app.url("/api/spaces/room/speech"),
            alice.api_key.clone(),
        );
        tokio::spawn(async move {
            let resp = http
                .post(url)
                .bearer_auth(key)
                .header("Idempotency-Key", "same")
                .json(&json!({"text": "exactly once"}))
                .send()
                .await
                .unwrap();
            json_of(resp).await
        })
    });
    let results: Vec<_> = futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    for (s, b) in &results {
        assert_eq!(*s, 200, "{b}");
        assert_eq!(b["event_id"], results[0].1["event_id"]);
    }
    let (_, all) = get(&app, &alice, "/api/spaces/room/events").await;
    assert_eq!(all.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn expired_keys_are_purged_in_bounded_batches() {
    use convo::tenancy::{SchemaName, TenantTx};
    let app = TestApp::spawn().await;
    let tx = TenantTx::begin(&app.state.db.pool, &SchemaName::default_tenant())
        .await
        .unwrap();
    tx.client()
        .batch_execute(
            "INSERT INTO idempotency_keys (actor_id, idempotency_key, request_hash, event_id, created_at)
             SELECT gen_random_uuid(), 'k' || i, '\\x00', gen_random_uuid(),
                    now() - CASE WHEN i <= 5 THEN interval '25 hours' ELSE interval '1 hour' END
             FROM generate_series(1, 8) AS i",
        )
        .await
        .unwrap();
    let purge = convo::store::idempotency::purge_expired;
    assert_eq!(purge(&tx, 3).await.unwrap(), 3);
    assert_eq!(purge(&tx, 100).await.unwrap(), 2);
    assert_eq!(purge(&tx, 100).await.unwrap(), 0);
    let left: i64 = tx
        .client()
        .query_one("SELECT count(*) FROM idempotency_keys", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(left, 3);
}
