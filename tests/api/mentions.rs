//! Mentions: events whose `metadata.mentions` lists a participant, by cursor.

use convo::tenancy::{SchemaName, TenantTx};
use serde_json::json;

use crate::{
    events::{get, say},
    helpers::TestApp,
};

#[tokio::test]
async fn mentions_of_a_participant_in_order_with_a_cursor() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let m1 = say(
        &app,
        &alice,
        "room",
        json!({"text": "hi bob", "metadata": {"mentions": ["bob"]}}),
    )
    .await;
    say(
        &app,
        &alice,
        "room",
        json!({"text": "hi carol", "metadata": {"mentions": ["carol"]}}),
    )
    .await;
    say(
        &app,
        &alice,
        "room",
        json!({"text": "no one", "metadata": {"message_type": "note"}}),
    )
    .await;
    let m2 = say(
        &app,
        &alice,
        "room",
        json!({"text": "both", "metadata": {"mentions": ["carol", "bob"]}}),
    )
    .await;
    let m3 = say(
        &app,
        &alice,
        "room",
        json!({"text": "bob again", "metadata": {"mentions": ["bob"]}}),
    )
    .await;

    let (s, all) = get(&app, &alice, "/api/spaces/room/mentions/bob").await;
    assert_eq!(s, 200);
    assert_eq!(all, json!([m1, m2, m3]));
    let since = m1["event_id"].as_str().unwrap();
    let (_, page) = get(
        &app,
        &alice,
        &format!("/api/spaces/room/mentions/bob?since={since}&limit=1"),
    )
    .await;
    assert_eq!(page, json!([m2]));
    let (_, none) = get(&app, &alice, "/api/spaces/room/mentions/dave").await;
    assert_eq!(none, json!([]));

    for (path, status) in [
        ("/api/spaces/room/mentions/bob?limit=0", 400),
        ("/api/spaces/room/mentions/bob?limit=101", 400),
        ("/api/spaces/room/mentions/bob?since=nope", 400),
        ("/api/spaces/nowhere/mentions/bob", 404),
    ] {
        let (s, b) = get(&app, &alice, path).await;
        assert_eq!(s, status, "{path}: {b}");
        assert!(b["detail"].is_string());
    }
    let unknown = uuid::Uuid::now_v7();
    let (s, b) = get(
        &app,
        &alice,
        &format!("/api/spaces/room/mentions/bob?since={unknown}"),
    )
    .await;
    assert_eq!((s, b), (404, json!({"detail": "Event not found"})));
    let resp = app
        .http
        .get(app.url("/api/spaces/room/mentions/bob"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn the_mentions_query_can_use_its_index() {
    let app = TestApp::spawn().await;
    let tx = TenantTx::begin(&app.state.db.pool, &SchemaName::default_tenant())
        .await
        .unwrap();
    // A space with many events and few mentions, as the planner would see it in use
    // (inside the transaction, which is never committed).
    tx.client()
        .batch_execute(
            "SET LOCAL enable_seqscan = off;
             INSERT INTO spaces (space_id) VALUES ('room');
             INSERT INTO events (event_id, space_id, seq, speaker_id, speaker_name, speaker_type,
                                 text, metadata)
             SELECT gen_random_uuid(), 'room', i, 's', 'S', 'human', 't',
                    CASE WHEN i % 500 = 0 THEN '{\"mentions\": [\"bob\"]}'::jsonb
                         ELSE jsonb_build_object('mentions', jsonb_build_array('p' || i)) END
             FROM generate_series(1, 5000) AS i;
             ANALYZE events",
        )
        .await
        .unwrap();
    let plan = tx
        .client()
        .query(
            &format!("EXPLAIN {}", convo::store::events::mentioning_sql()),
            &[&"room", &"bob", &0i64, &20i64],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<_, String>(0))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(plan.contains("events_mentions_idx"), "{plan}");
}
