//! Actor registration rules and `GET /api/actors/me`.

use serde_json::json;

use crate::helpers::{Call, TestApp, json_of};

#[tokio::test]
async fn human_registers_without_auth_and_reads_itself() {
    let app = TestApp::spawn().await;
    let resp = app
        .http
        .post(app.url("/api/actors"))
        .json(&json!({"display_name": "Alice", "email": "alice@example.com"}))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(resp).await;
    assert_eq!(status, 200);
    assert_eq!(body["actor_type"], "human");
    assert_eq!(body["display_name"], "Alice");
    assert_eq!(body["email"], "alice@example.com");
    assert!(body["sponsor_id"].is_null() && body["tenant_id"].is_null());
    let key = body["api_key"].as_str().unwrap();
    assert!(key.starts_with("convo_") && key.len() >= 6 + 43);
    let (status, me) = app.get("/api/actors/me", key).call().await;
    assert_eq!(status, 200);
    assert_eq!(me["actor_id"], body["actor_id"]);
    assert_eq!(me["created_at"], body["created_at"]);
    assert!(me["default_space_id"].is_null());
    assert!(me.get("api_key").is_none(), "the key is shown only once");
}

#[tokio::test]
async fn human_without_email_is_400() {
    let app = TestApp::spawn().await;
    let resp = app
        .http
        .post(app.url("/api/actors"))
        .json(&json!({"display_name": "Alice"}))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(resp).await;
    assert_eq!(status, 400);
    assert!(body["detail"].as_str().unwrap().contains("email"));
}

#[tokio::test]
async fn agent_needs_a_human_sponsor() {
    let app = TestApp::spawn().await;
    let resp = app
        .http
        .post(app.url("/api/actors"))
        .json(&json!({"display_name": "Bot", "actor_type": "agent"}))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(resp).await;
    assert_eq!(status, 401);
    assert_eq!(body["detail"], "Authentication required");

    let alice = app.human_in_new_tenant("Alice").await;
    let bot = app.agent(&alice, "Bot").await;
    assert_eq!(bot.body["sponsor_id"], alice.actor_id.as_str());
    let (_, alice_me) = app.get("/api/actors/me", &alice.api_key).call().await;
    assert!(alice_me["tenant_id"].is_string());
    assert_eq!(
        bot.body["tenant_id"], alice_me["tenant_id"],
        "agent joins its sponsor's tenant"
    );
    assert_eq!(bot.body["actor_type"], "agent");

    let resp = app
        .post(
            "/api/actors",
            &bot.api_key,
            json!({"display_name": "Sub-bot", "actor_type": "agent"}),
        )
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(resp).await;
    assert_eq!(status, 403);
    assert!(body["detail"].is_string());
}

#[tokio::test]
async fn a_bad_key_on_registration_is_401_not_ignored() {
    let app = TestApp::spawn().await;
    let resp = app
        .post(
            "/api/actors",
            "convo_wrong",
            json!({"display_name": "Alice", "email": "a@example.com"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn a_human_registered_by_a_human_joins_their_tenant() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    let (_, alice_me) = app.get("/api/actors/me", &alice.api_key).call().await;
    let resp = app
        .post(
            "/api/actors",
            &alice.api_key,
            json!({"display_name": "Bob", "email": "bob@example.com"}),
        )
        .send()
        .await
        .unwrap();
    let (status, bob) = json_of(resp).await;
    assert_eq!(status, 200);
    assert_eq!(bob["tenant_id"], alice_me["tenant_id"]);
    assert!(bob["sponsor_id"].is_null());
}
