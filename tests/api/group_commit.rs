//! Group commit: concurrent appends to one space share transactions, and every request still
//! gets its own answer, its own place in the order, and exactly-once delivery.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use crate::{
    events::{get, post, say},
    helpers::{Actor, TestApp, serve_config},
    sse::Sse,
    writers::{burst, writes_racing_an_archive},
};

/// How many batches so far had more than one event (process-wide).
async fn multi_event_batches(app: &TestApp) -> f64 {
    let text = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let sample = |series: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(series))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{series} missing from /metrics"))
    };
    sample("convo_append_batch_size_count ") - sample("convo_append_batch_size_bucket{le=\"1\"} ")
}

fn event_ids(events: &Value) -> Vec<String> {
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_on_one_space_is_batched_gap_free_and_stored_exactly_once() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let batched_before = multi_event_batches(&app).await;

    let answers = burst(&app, &alice, "/api/spaces/room/speech", 32, 7).await;

    let mut sequence_of = HashMap::new();
    for client in &answers {
        let mut last = 0;
        for (s, e) in client {
            assert_eq!(*s, 200, "{e}");
            let seq = e["sequence"].as_i64().unwrap();
            // One client's sequential writes keep their order.
            assert!(seq > last, "{seq} after {last}");
            last = seq;
            let fresh = sequence_of.insert(e["event_id"].as_str().unwrap().to_string(), seq);
            assert!(fresh.is_none(), "an event id answered twice");
        }
    }
    let (_, stored) = get(&app, &alice, "/api/spaces/room/transcript").await;
    let stored = stored.as_array().unwrap();
    let seqs: Vec<i64> = stored
        .iter()
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=224).collect::<Vec<_>>());
    for e in stored {
        assert_eq!(
            sequence_of.get(e["event_id"].as_str().unwrap()),
            Some(&e["sequence"].as_i64().unwrap()),
            "what was answered is what is stored: {e}"
        );
    }
    let (_, status) = get(&app, &alice, "/api/spaces/room/status").await;
    assert_eq!(status["event_count"], 224);
    // Some transaction carried several events: the writes really were batched.
    assert!(multi_event_batches(&app).await > batched_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_spread_over_many_spaces_leave_no_queue_behind() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    for s in 0..40 {
        app.space(&alice, &format!("s{s}")).await;
    }
    let writes = (0..40).map(|s| {
        let (app, alice) = (&app, &alice);
        async move {
            let path = format!("/api/spaces/s{s}/speech");
            for i in 1..=3 {
                let (status, e) = post(app, alice, &path, None, json!({"text": "x"})).await;
                assert_eq!((status, &e["sequence"]), (200, &json!(i)), "{e}");
            }
        }
    });
    futures::future::join_all(writes).await;
    // Every answer has been given: no space holds a queue any more.
    assert_eq!(app.state.appends.busy_spaces(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mixed_bursts_answer_each_request_on_its_own() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    let agent = app.agent(&alice, "Helper").await;
    app.space(&alice, "room").await;
    let parent = say(&app, &alice, "room", json!({"text": "parent"})).await;
    let parent_id = parent["event_id"].as_str().unwrap().to_string();
    let (s, used) = post(
        &app,
        &alice,
        "/api/spaces/room/speech",
        Some("used"),
        json!({"text": "keyed"}),
    )
    .await;
    assert_eq!(s, 200, "{used}");
    let unknown = uuid::Uuid::now_v7().to_string();

    for round in 0..5 {
        // (who, path, key, body, expected status; 0 = decided below)
        let speech = "/api/spaces/room/speech";
        let response = "/api/spaces/room/response";
        let dup = format!("dup-{round}");
        let refused = format!("refused-{round}");
        let requests: Vec<(&Actor, &str, Option<String>, Value, u16)> = vec![
            (&alice, speech, None, json!({"text": "plain"}), 200),
            (&alice, speech, None, json!({"text": "plain too"}), 200),
            (
                &agent,
                response,
                None,
                json!({"text": "re", "parent_event_id": parent_id}),
                200,
            ),
            (
                &agent,
                response,
                None,
                json!({"text": "re", "parent_event_id": unknown}),
                404,
            ),
            (
                &agent,
                response,
                None,
                json!({"text": "re", "parent_event_id": "not-a-uuid"}),
                404,
            ),
            (
                &alice,
                speech,
                None,
                json!({"text": "in", "thread_id": unknown}),
                404,
            ),
            (
                &alice,
                speech,
                Some("used".into()),
                json!({"text": "keyed"}),
                200,
            ),
            (
                &alice,
                speech,
                Some("used".into()),
                json!({"text": "other"}),
                409,
            ),
            (
                &alice,
                response,
                Some("used".into()),
                json!({"text": "keyed"}),
                409,
            ),
            (
                &alice,
                speech,
                Some(dup.clone()),
                json!({"text": "dup"}),
                200,
            ),
            (
                &alice,
                speech,
                Some(dup.clone()),
                json!({"text": "dup"}),
                200,
            ),
            (
                &alice,
                speech,
                Some(dup.clone()),
                json!({"text": "dup"}),
                200,
            ),
            // The same key from another actor is another key.
            (
                &agent,
                response,
                Some(dup.clone()),
                json!({"text": "dup"}),
                200,
            ),
            (
                &alice,
                response,
                Some(refused.clone()),
                json!({"text": "x", "parent_event_id": unknown}),
                404,
            ),
        ];
        let sent = requests
            .iter()
            .map(|(who, path, key, body, _)| post(&app, who, path, key.as_deref(), body.clone()));
        let answers = futures::future::join_all(sent).await;
        for ((_, path, key, body, expected), (s, e)) in requests.iter().zip(&answers) {
            assert_eq!(s, expected, "{path} {key:?} {body}: {e}");
            if *s != 200 {
                assert!(e["detail"].is_string(), "{e}");
            }
        }
        assert_eq!(answers[3].1["detail"], "Event not found");
        assert_eq!(answers[5].1["detail"], "Thread not found");
        assert_eq!(answers[6].1, used, "a replay is the stored event");
        assert_eq!(answers[2].1["parent_event_id"], json!(parent_id));
        // Three requests under one key in one burst: one event, three identical answers.
        assert_eq!(answers[9].1, answers[10].1);
        assert_eq!(answers[9].1, answers[11].1);
        assert_ne!(answers[9].1["event_id"], answers[12].1["event_id"]);
        // A refused write did not consume its key.
        let (s, e) = post(
            &app,
            &alice,
            response,
            Some(&refused),
            json!({"text": "x", "parent_event_id": parent_id}),
        )
        .await;
        assert_eq!(s, 200, "{e}");
    }

    // 1 parent + 1 keyed + 5 rounds of (4 plain and reply events + 2 dup keys + 1 retried).
    let (_, stored) = get(&app, &alice, "/api/spaces/room/transcript").await;
    let ids = event_ids(&stored);
    assert_eq!(ids.len(), 2 + 5 * 6);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
    let seqs: Vec<i64> = stored
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=32).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_key_with_different_bodies_in_one_burst_stores_one_of_them() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let sent = (0..12).map(|i| {
        let body = json!({"text": format!("body {}", i % 3)});
        let app = &app;
        let alice = &alice;
        async move {
            (
                body.clone(),
                post(app, alice, "/api/spaces/room/speech", Some("k"), body).await,
            )
        }
    });
    let answers = futures::future::join_all(sent).await;
    let (_, stored) = get(&app, &alice, "/api/spaces/room/transcript").await;
    let stored = stored.as_array().unwrap();
    assert_eq!(stored.len(), 1);
    let winner = &stored[0];
    for (body, (s, e)) in answers {
        if body["text"] == winner["text"] {
            assert_eq!((s, &e), (200, winner));
        } else {
            assert_eq!(s, 409, "{e}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn archive_during_a_burst_refuses_every_later_write() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let (accepted, stored) = writes_racing_an_archive(&app, &alice, 32, 50, true).await;
    // Exactly what was acknowledged, as acknowledged, gap-free.
    let mut accepted_by_id: HashMap<String, Value> = accepted
        .into_iter()
        .map(|e| (e["event_id"].as_str().unwrap().to_string(), e))
        .collect();
    for (i, e) in stored.iter().enumerate() {
        assert_eq!(e["sequence"], json!(i + 1));
        assert_eq!(
            accepted_by_id
                .remove(e["event_id"].as_str().unwrap())
                .as_ref(),
            Some(e)
        );
    }
    assert!(accepted_by_id.is_empty(), "acknowledged but not stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn subscribers_on_two_replicas_get_a_two_replica_burst_once_in_order() {
    let app = TestApp::spawn().await;
    let replica = app.replica().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let stream = "/api/spaces/room/events/stream";
    let mut here = Sse::open(app.get(stream, &alice.api_key)).await;
    let mut there = Sse::open(replica.get(stream, &alice.api_key)).await;

    let path = "/api/spaces/room/speech";
    let (a, b) = tokio::join!(
        burst(&app, &alice, path, 16, 6),
        burst(&replica, &alice, path, 16, 6)
    );
    let mut written = HashSet::new();
    for (s, e) in a.into_iter().chain(b).flatten() {
        assert_eq!(s, 200, "{e}");
        written.insert(e["event_id"].as_str().unwrap().to_string());
    }
    assert_eq!(written.len(), 192);
    for sse in [&mut here, &mut there] {
        let got = sse.take(192).await;
        let seqs: Vec<i64> = got
            .iter()
            .map(|e| e.data["sequence"].as_i64().unwrap())
            .collect();
        assert_eq!(seqs, (1..=192).collect::<Vec<_>>());
        let ids: HashSet<String> = got.into_iter().map(|e| e.id).collect();
        assert_eq!(ids, written);
    }
    replica.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_batch_acknowledges_nothing_and_consumes_nothing() {
    let mut config = serve_config(&crate::helpers::fresh_database().await);
    config.db.statement_timeout_secs = 1;
    let app = TestApp::spawn_with(config).await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    // Another session holds the space row, so every batch's append times out.
    let (db, _) = hold_alices_room(&app).await;
    let sent = (0..10).map(|i| {
        let key = format!("k{i}");
        let (app, alice) = (&app, &alice);
        async move {
            let body = json!({"text": format!("m{i}")});
            post(app, alice, "/api/spaces/room/speech", Some(&key), body).await
        }
    });
    for (s, e) in futures::future::join_all(sent).await {
        assert_eq!(s, 503, "{e}");
        assert!(e["detail"].is_string(), "{e}");
    }
    db.batch_execute("ROLLBACK").await.unwrap();
    // Nothing was stored, no sequence number was used, and the keys are still free.
    let (s, e) = post(
        &app,
        &alice,
        "/api/spaces/room/speech",
        Some("k3"),
        json!({"text": "again"}),
    )
    .await;
    assert_eq!((s, &e["sequence"]), (200, &json!(1)), "{e}");
    let (_, stored) = get(&app, &alice, "/api/spaces/room/transcript").await;
    assert_eq!(event_ids(&stored), vec![e["event_id"].as_str().unwrap()]);
}

/// An append built directly for the group commit, bypassing HTTP.
fn direct_append(text: &str) -> convo::group_commit::Append {
    convo::group_commit::Append {
        event: convo::store::events::NewEvent {
            event_id: uuid::Uuid::now_v7(),
            space_id: "room".into(),
            speaker_id: "s".into(),
            speaker_name: "S".into(),
            speaker_type: "human".into(),
            text: text.into(),
            parent_event_id: None,
            thread_id: None,
            references: Vec::new(),
            metadata: json!({}),
            body: String::new(),
        }
        .rendered(),
        parent_event_id: None,
        thread_id: None,
        key: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancelled_leader_hands_the_appends_queued_behind_it_on() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let (db, space) = hold_alices_room(&app).await;
    // The leader (the space was idle) blocks on the row lock inside its transaction.
    let leader = tokio::spawn({
        let (appends, space) = (app.state.appends.clone(), space.clone());
        async move { appends.append(space, direct_append("leader")).await }
    });
    let observer = app.db().await;
    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            let waiting: i64 = observer
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity
                     WHERE datname = current_database() AND wait_event_type = 'Lock'",
                    &[],
                )
                .await
                .unwrap()
                .get(0);
            if waiting > 0 {
                break;
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the leader waits on the space row");
    // Followers queue behind it (a first poll enqueues), then its client goes away.
    let mut followers = Vec::new();
    for i in 0..5 {
        let mut f = Box::pin(
            app.state
                .appends
                .append(space.clone(), direct_append(&format!("f{i}"))),
        );
        assert!(futures::poll!(&mut f).is_pending());
        followers.push(f);
    }
    leader.abort();
    assert!(leader.await.unwrap_err().is_cancelled());
    db.batch_execute("ROLLBACK").await.unwrap();

    let answers = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        futures::future::join_all(followers),
    )
    .await
    .expect("the followers are answered");
    for (i, answer) in answers.into_iter().enumerate() {
        let row = answer.expect("a follower is stored");
        let event: Value = serde_json::from_str(&row.json).unwrap();
        assert_eq!(
            (&event["text"], row.seq),
            (&json!(format!("f{i}")), i as i64 + 1)
        );
    }
    let (_, stored) = get(&app, &alice, "/api/spaces/room/transcript").await;
    assert_eq!(
        stored.as_array().unwrap().len(),
        5,
        "the leader's event was not stored"
    );
    assert_eq!(app.state.appends.busy_spaces(), 0);
}

/// Issue #14: a queue admitted 2,048 appends of any size. While a batch holds the space,
/// large appends queue only up to the byte bound; the next one gets 503 at once, and what
/// was queued is still stored, in order, in batches bounded in bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_queue_of_large_appends_is_bounded_in_bytes() {
    let mut config = serve_config(&crate::helpers::fresh_database().await);
    config.memory.append_queue_bytes = 200 * 1024;
    config.memory.append_batch_bytes = 100 * 1024;
    let app = TestApp::spawn_with(config).await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let (db, space) = hold_alices_room(&app).await;
    let large = |i: usize| direct_append(&format!("{i} {}", "😀".repeat(10_000)));
    // The leader holds the space (blocked on the row lock); the others queue behind it.
    let mut waiting = vec![Box::pin(app.state.appends.append(space.clone(), large(0)))];
    assert!(futures::poll!(&mut waiting[0]).is_pending());
    for i in 1..=5 {
        let mut f = Box::pin(app.state.appends.append(space.clone(), large(i)));
        assert!(futures::poll!(&mut f).is_pending(), "append {i} queues");
        waiting.push(f);
    }
    // 5 × ~40 KB are queued: one more would pass 200 KiB.
    let refused = app.state.appends.append(space.clone(), large(6)).await;
    assert!(
        matches!(refused, Err(convo::error::ApiError::Unavailable(_))),
        "{refused:?}"
    );
    db.batch_execute("ROLLBACK").await.unwrap();
    let stored = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        futures::future::join_all(waiting),
    )
    .await
    .expect("the queued appends are answered");
    let seqs: Vec<i64> = stored.into_iter().map(|r| r.unwrap().seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5, 6]);
    assert_eq!(app.state.appends.busy_spaces(), 0);
}

/// Lock the space `room` of Alice's tenant (`Alice Org`) from a session of the test's own, in
/// a transaction left open: appends to it block until the returned client rolls back.
async fn hold_alices_room(app: &TestApp) -> (tokio_postgres::Client, convo::tenancy::SpaceKey) {
    let schema = app.schema_of("Alice Org").await;
    let db = app.db().await;
    db.batch_execute(&format!(
        "BEGIN; SELECT 1 FROM \"{schema}\".spaces WHERE space_id = 'room' FOR UPDATE"
    ))
    .await
    .unwrap();
    let space = convo::tenancy::SpaceKey {
        schema: convo::tenancy::SchemaName::parse(&schema).unwrap(),
        space_id: "room".into(),
    };
    (db, space)
}
