//! Spaces and participants.

use serde_json::json;

use crate::helpers::{Call, TestApp, json_of};

#[tokio::test]
async fn create_read_list_update_archive() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    let resp = app
        .post(
            "/api/spaces",
            &alice.api_key,
            json!({"space_id": "sprint-planning", "description": "Q3 sprint planning space", "links": ["https://jira.example.com/EPIC-100"]}),
        )
        .send()
        .await
        .unwrap();
    let (status, created) = json_of(resp).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["space_id"], "sprint-planning");
    let info = &created["status"];
    assert_eq!(info["status"], "active");
    assert_eq!(info["description"], "Q3 sprint planning space");
    assert_eq!(info["links"], json!(["https://jira.example.com/EPIC-100"]));
    assert_eq!(info["event_count"], 0);
    assert!(info["last_event_at"].is_null() && info["started_at"].is_string());
    assert_eq!(
        info["participants"][0]["participant_id"],
        alice.actor_id.as_str()
    );
    assert_eq!(info["participants"][0]["name"], "Alice");

    let (status, read) = app
        .get("/api/spaces/sprint-planning/status", &alice.api_key)
        .call()
        .await;
    assert_eq!(status, 200);
    assert_eq!(&read, info);

    let resp = app
        .patch(
            "/api/spaces/sprint-planning",
            &alice.api_key,
            json!({"status": "paused", "links": ["https://github.com/org/repo/pull/42"]}),
        )
        .send()
        .await
        .unwrap();
    let (status, patched) = json_of(resp).await;
    assert_eq!(status, 200);
    assert_eq!(patched["status"], "paused");
    assert_eq!(patched["description"], "Q3 sprint planning space");
    assert_eq!(
        patched["links"],
        json!(["https://github.com/org/repo/pull/42"])
    );

    app.space(&alice, "second").await;
    let (_, paused) = app
        .get("/api/spaces?status=paused", &alice.api_key)
        .call()
        .await;
    assert_eq!(paused.as_array().unwrap().len(), 1);
    let (_, all) = app.get("/api/spaces", &alice.api_key).call().await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    let (_, mine) = app
        .get("/api/actors/me/spaces?status=active", &alice.api_key)
        .call()
        .await;
    assert_eq!(
        mine.as_array()
            .unwrap()
            .iter()
            .map(|s| s["space_id"].clone())
            .collect::<Vec<_>>(),
        vec![json!("second")]
    );

    let (status, archived) = app
        .post("/api/spaces/second/archive", &alice.api_key, json!({}))
        .call()
        .await;
    assert_eq!(status, 200);
    assert_eq!(archived["status"], "archived");
    assert!(archived["ended_at"].is_string());
    let (status, body) = app
        .post("/api/spaces/second/archive", &alice.api_key, json!({}))
        .call()
        .await;
    assert_eq!(status, 409);
    assert!(body["detail"].is_string());
    // Reactivation clears ended_at.
    let (_, active) = app
        .patch(
            "/api/spaces/second",
            &alice.api_key,
            json!({"status": "active"}),
        )
        .call()
        .await;
    assert_eq!(active["status"], "active");
    assert!(active["ended_at"].is_null());
}

#[tokio::test]
async fn bad_space_input() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "taken").await;
    let cases = [
        (json!({"space_id": "taken"}), 409),
        (json!({"space_id": ""}), 400),
        (json!({"space_id": "has space"}), 400),
        (json!({"space_id": "x".repeat(129)}), 400),
        (json!({"space_id": 7}), 400),
        (json!({}), 400),
        (json!({"space_id": "ok1", "links": ["not a url"]}), 400),
        (
            json!({"space_id": "ok2", "links": "https://a.example"}),
            400,
        ),
        (
            json!({"space_id": "ok3", "links": ["https://a.example", "https://a.example"]}),
            409,
        ),
        (
            json!({"space_id": "ok4", "description": "d".repeat(2001)}),
            400,
        ),
    ];
    for (body, expected) in cases {
        let (status, resp) = app
            .post("/api/spaces", &alice.api_key, body.clone())
            .call()
            .await;
        assert_eq!(status, expected, "{body} -> {resp}");
        assert!(resp["detail"].is_string(), "{resp}");
    }
    for path in ["/api/spaces/nope/status", "/api/spaces/nope/participants"] {
        let (status, body) = app.get(path, &alice.api_key).call().await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(body["detail"], "Space not found");
    }
    let (status, _) = app
        .patch(
            "/api/spaces/nope",
            &alice.api_key,
            json!({"status": "paused"}),
        )
        .call()
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .patch(
            "/api/spaces/taken",
            &alice.api_key,
            json!({"status": "closed"}),
        )
        .call()
        .await;
    assert_eq!(status, 400);
    let (status, _) = app
        .get("/api/spaces?status=bogus", &alice.api_key)
        .call()
        .await;
    assert_eq!(status, 400);
    let (status, _) = app.http.get(app.url("/api/spaces")).call().await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn join_is_idempotent_and_identity_comes_from_auth() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    let bot = app.agent(&alice, "Alice's Agent").await;
    app.space(&alice, "room").await;
    let body = json!({"participant_id": "spoofed", "name": "Spoofed", "participant_type": "human", "agent_adapter": "mcp"});
    for _ in 0..2 {
        let (status, joined) = app
            .post("/api/spaces/room/join", &bot.api_key, body.clone())
            .call()
            .await;
        assert_eq!(status, 200, "{joined}");
        assert_eq!(joined["participant_id"], bot.actor_id.as_str());
        assert_eq!(joined["name"], "Alice's Agent");
        assert_eq!(joined["participant_type"], "agent");
        assert_eq!(joined["agent_adapter"], "mcp");
        assert_eq!(joined["actor_id"], bot.actor_id.as_str());
    }
    let (_, list) = app
        .get("/api/spaces/room/participants", &alice.api_key)
        .call()
        .await;
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    let (status, _) = app
        .post("/api/spaces/nope/join", &bot.api_key, json!({}))
        .call()
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn two_tenants_with_the_same_space_id_never_see_each_other() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    let bob = app.human_in_new_tenant("Bob").await;
    let lonely = app.human("Lonely").await; // default tenant
    for (actor, description) in [(&alice, "alice's"), (&bob, "bob's"), (&lonely, "lonely's")] {
        let resp = app
            .post(
                "/api/spaces",
                &actor.api_key,
                json!({"space_id": "shared-name", "description": description}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    for (actor, description) in [(&alice, "alice's"), (&bob, "bob's"), (&lonely, "lonely's")] {
        let (_, status) = app
            .get("/api/spaces/shared-name/status", &actor.api_key)
            .call()
            .await;
        assert_eq!(status["description"], description);
        assert_eq!(status["participants"].as_array().unwrap().len(), 1);
        let (_, list) = app.get("/api/spaces", &actor.api_key).call().await;
        assert_eq!(list.as_array().unwrap().len(), 1);
    }
    let only_alice = app
        .post(
            "/api/spaces",
            &alice.api_key,
            json!({"space_id": "alice-only"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(only_alice.status(), 200);
    let (status, _) = app
        .get("/api/spaces/alice-only/status", &bob.api_key)
        .call()
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .post("/api/spaces/alice-only/join", &bob.api_key, json!({}))
        .call()
        .await;
    assert_eq!(status, 404);
}
