//! Decisions: propose, list, read, count, resolve.

use serde_json::{Value, json};

use crate::helpers::{Actor, Call, TestApp};

async fn propose(app: &TestApp, who: &Actor, space: &str, body: Value) -> (u16, Value) {
    app.post(
        &format!("/api/spaces/{space}/decisions"),
        &who.api_key,
        body,
    )
    .call()
    .await
}

async fn get(app: &TestApp, who: &Actor, path: &str) -> (u16, Value) {
    app.get(path, &who.api_key).call().await
}

async fn resolve(app: &TestApp, who: &Actor, space: &str, id: &str, body: Value) -> (u16, Value) {
    app.put(
        &format!("/api/spaces/{space}/decisions/{id}/resolve"),
        &who.api_key,
        body,
    )
    .call()
    .await
}

#[tokio::test]
async fn propose_list_get_count_resolve() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "sprint").await;

    let (status, d) = propose(
        &app,
        &alice,
        "sprint",
        json!({"text": "  Use schema-per-tenant  "}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
    let mut expected = vec![
        "decision_id",
        "space_id",
        "proposed_by",
        "text",
        "status",
        "resolved_by",
        "resolved_at",
        "resolution",
        "created_at",
    ];
    let mut got = keys.clone();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
    assert_eq!(d["space_id"], "sprint");
    assert_eq!(d["proposed_by"], alice.actor_id.as_str());
    assert_eq!(d["text"], "Use schema-per-tenant");
    assert_eq!(d["status"], "proposed");
    assert!(d["resolved_by"].is_null() && d["resolved_at"].is_null());
    assert!(d["resolution"].is_null() && d["created_at"].is_string());
    let id = d["decision_id"].as_str().unwrap().to_string();

    let (status, other) = propose(
        &app,
        &alice,
        "sprint",
        json!({"proposed_by": "bob", "text": "Use RLS"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(other["proposed_by"], "bob");
    let other_id = other["decision_id"].as_str().unwrap().to_string();

    let (status, read) = get(&app, &alice, &format!("/api/spaces/sprint/decisions/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(read, d);

    let (status, list) = get(&app, &alice, "/api/spaces/sprint/decisions").await;
    assert_eq!(status, 200);
    assert_eq!(list, json!([d, other]));

    let (status, summary) = get(&app, &alice, "/api/spaces/sprint/decisions/summary").await;
    assert_eq!(
        status, 200,
        "the static route is not taken for a decision id"
    );
    assert_eq!(
        summary,
        json!({"proposed": 2, "resolved": 0, "rejected": 0})
    );

    let (status, resolved) = resolve(
        &app,
        &alice,
        "sprint",
        &id,
        json!({"resolution": "Approved", "status": "resolved"}),
    )
    .await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["resolved_by"], alice.actor_id.as_str());
    assert_eq!(resolved["resolution"], "Approved");
    assert!(resolved["resolved_at"].is_string());
    assert_eq!(resolved["created_at"], d["created_at"]);

    let (status, rejected) = resolve(
        &app,
        &alice,
        "sprint",
        &other_id,
        json!({"resolved_by": "carol", "status": "rejected"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["resolved_by"], "carol");
    assert!(rejected["resolution"].is_null());

    for (filter, expected) in [
        ("proposed", json!([])),
        ("resolved", json!([resolved])),
        ("rejected", json!([rejected])),
    ] {
        let (status, list) = get(
            &app,
            &alice,
            &format!("/api/spaces/sprint/decisions?status={filter}"),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(list, expected, "{filter}");
    }
    let (_, summary) = get(&app, &alice, "/api/spaces/sprint/decisions/summary").await;
    assert_eq!(
        summary,
        json!({"proposed": 0, "resolved": 1, "rejected": 1})
    );

    // Settled once: a second resolve, either way, is a conflict.
    for body in [json!({"status": "resolved"}), json!({"status": "rejected"})] {
        let (status, body) = resolve(&app, &alice, "sprint", &id, body).await;
        assert_eq!(status, 409);
        assert!(body["detail"].is_string());
    }
}

#[tokio::test]
async fn counts_are_zero_for_a_new_space() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    app.space(&alice, "empty").await;
    let (status, summary) = get(&app, &alice, "/api/spaces/empty/decisions/summary").await;
    assert_eq!(status, 200);
    assert_eq!(
        summary,
        json!({"proposed": 0, "resolved": 0, "rejected": 0})
    );
    let (status, list) = get(&app, &alice, "/api/spaces/empty/decisions").await;
    assert_eq!((status, list), (200, json!([])));
}

#[tokio::test]
async fn invalid_input_is_a_400() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    app.space(&alice, "s").await;
    for body in [
        json!({}),
        json!({"text": ""}),
        json!({"text": "   "}),
        json!({"text": 42}),
        json!({"text": "x".repeat(4001)}),
        json!({"text": "bell\u{7}"}),
        json!({"text": "ok", "proposed_by": ""}),
        json!({"text": "ok", "proposed_by": 7}),
    ] {
        let (status, resp) = propose(&app, &alice, "s", body.clone()).await;
        assert_eq!(status, 400, "{body}: {resp}");
        assert!(resp["detail"].is_string());
    }
    let (status, _) = propose(&app, &alice, "s", json!({"text": "x".repeat(4000)})).await;
    assert_eq!(status, 200);
    let (status, d) = propose(
        &app,
        &alice,
        "s",
        json!({"text": "Two lines:\n\tone\n\ttwo"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(d["text"], "Two lines:\n\tone\n\ttwo");

    let (_, d) = propose(&app, &alice, "s", json!({"text": "t"})).await;
    let id = d["decision_id"].as_str().unwrap();
    for body in [
        json!({}),
        json!({"status": "proposed"}),
        json!({"status": "done"}),
        json!({"status": "resolved", "resolution": "x".repeat(4001)}),
        json!({"status": "resolved", "resolved_by": ""}),
    ] {
        let (status, resp) = resolve(&app, &alice, "s", id, body.clone()).await;
        assert_eq!(status, 400, "{body}: {resp}");
        assert!(resp["detail"].is_string());
    }
    let (status, resp) = resolve(&app, &alice, "s", id, json!({"status": "proposed"})).await;
    assert_eq!(status, 400);
    assert!(resp["detail"].as_str().unwrap().contains("status"));
    let (status, resp) = get(&app, &alice, "/api/spaces/s/decisions?status=maybe").await;
    assert_eq!(status, 400, "{resp}");
    assert!(resp["detail"].is_string());
    // Nothing was settled by the refused requests.
    let (_, d) = get(&app, &alice, &format!("/api/spaces/s/decisions/{id}")).await;
    assert_eq!(d["status"], "proposed");
}

#[tokio::test]
async fn unknown_space_or_decision_is_a_404() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    app.space(&alice, "s").await;
    let missing = uuid::Uuid::new_v4();
    for path in [
        "/api/spaces/nope/decisions".to_string(),
        "/api/spaces/nope/decisions/summary".to_string(),
        format!("/api/spaces/nope/decisions/{missing}"),
        format!("/api/spaces/s/decisions/{missing}"),
        "/api/spaces/s/decisions/not-a-uuid".to_string(),
    ] {
        let (status, body) = get(&app, &alice, &path).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert!(body["detail"].is_string());
    }
    let (status, body) = propose(&app, &alice, "nope", json!({"text": "t"})).await;
    assert_eq!(status, 404);
    assert_eq!(body["detail"], "Space not found");
    for (space, id) in [
        ("s", missing.to_string()),
        ("s", "not-a-uuid".to_string()),
        ("nope", missing.to_string()),
    ] {
        let (status, _) = resolve(&app, &alice, space, &id, json!({"status": "resolved"})).await;
        assert_eq!(status, 404, "{space}/{id}");
    }
    // A decision is only reachable through its own space.
    app.space(&alice, "t").await;
    let (_, d) = propose(&app, &alice, "s", json!({"text": "t"})).await;
    let id = d["decision_id"].as_str().unwrap();
    let (status, _) = get(&app, &alice, &format!("/api/spaces/t/decisions/{id}")).await;
    assert_eq!(status, 404);
    let (status, _) = resolve(&app, &alice, "t", id, json!({"status": "resolved"})).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn requires_authentication() {
    let app = TestApp::spawn().await;
    let resp = app
        .http
        .get(app.url("/api/spaces/s/decisions"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn proposing_in_an_inactive_space_is_a_409() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    app.space(&alice, "s").await;
    for status in ["paused", "archived"] {
        let resp = app
            .patch("/api/spaces/s", &alice.api_key, json!({"status": status}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let (code, body) = propose(&app, &alice, "s", json!({"text": "t"})).await;
        assert_eq!(code, 409, "{status}");
        assert_eq!(body, json!({"detail": "Space is not active"}));
    }
    let (_, list) = get(&app, &alice, "/api/spaces/s/decisions").await;
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn concurrent_resolves_settle_exactly_once() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    app.space(&alice, "s").await;
    let (_, d) = propose(&app, &alice, "s", json!({"text": "t"})).await;
    let id = d["decision_id"].as_str().unwrap();
    let attempts = (0..8).map(|i| {
        let status = if i % 2 == 0 { "resolved" } else { "rejected" };
        resolve(
            &app,
            &alice,
            "s",
            id,
            json!({"status": status, "resolution": format!("attempt {i}")}),
        )
    });
    let results = futures::future::join_all(attempts).await;
    let ok: Vec<&Value> = results
        .iter()
        .filter(|(s, _)| *s == 200)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(ok.len(), 1, "{results:?}");
    assert!(
        results.iter().all(|(s, _)| *s == 200 || *s == 409),
        "{results:?}"
    );
    let (_, stored) = get(&app, &alice, &format!("/api/spaces/s/decisions/{id}")).await;
    assert_eq!(&stored, ok[0]);
}

#[tokio::test]
async fn tenants_never_see_each_others_decisions() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    let bob = app.human_in_new_tenant("Bob").await;
    app.space(&alice, "shared").await;
    app.space(&bob, "shared").await;
    let (_, a) = propose(&app, &alice, "shared", json!({"text": "alice's"})).await;
    let (_, b) = propose(&app, &bob, "shared", json!({"text": "bob's"})).await;

    let (_, list) = get(&app, &alice, "/api/spaces/shared/decisions").await;
    assert_eq!(list, json!([a]));
    let (_, list) = get(&app, &bob, "/api/spaces/shared/decisions").await;
    assert_eq!(list, json!([b]));
    let (_, summary) = get(&app, &bob, "/api/spaces/shared/decisions/summary").await;
    assert_eq!(summary["proposed"], 1);

    let a_id = a["decision_id"].as_str().unwrap();
    let (status, _) = get(&app, &bob, &format!("/api/spaces/shared/decisions/{a_id}")).await;
    assert_eq!(status, 404);
    let (status, _) = resolve(&app, &bob, "shared", a_id, json!({"status": "rejected"})).await;
    assert_eq!(status, 404);
    let (_, still) = get(
        &app,
        &alice,
        &format!("/api/spaces/shared/decisions/{a_id}"),
    )
    .await;
    assert_eq!(still["status"], "proposed");
}
