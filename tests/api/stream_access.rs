//! Who may hold a stream open: stream tokens, per-credential limits, and streams closing when
//! their credential is revoked or their tenant suspended.

use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::json;

use crate::{
    helpers::{Call, TestApp, fresh_database, serve_config},
    sse::Sse,
};

fn stream_path(space: &str) -> String {
    format!("/api/spaces/{space}/events/stream")
}

#[tokio::test]
async fn a_stream_token_opens_only_its_own_space_stream() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    app.space(&alice, "other").await;
    let (status, minted) = app
        .post("/api/spaces/room/stream-token", &alice.api_key, json!({}))
        .call()
        .await;
    assert_eq!(status, 200, "{minted}");
    assert_eq!(minted["space_id"], "room");
    assert!(minted["expires_at"].is_string());
    let token = minted["token"].as_str().unwrap();
    assert!(!token.contains(&alice.api_key));

    let url = app.url(&format!("{}?token={token}", stream_path("room")));
    let _opened = Sse::open(app.http.get(url)).await;

    for (req, expected) in [
        (
            app.http
                .get(app.url(&format!("{}?token={token}", stream_path("other")))),
            403,
        ),
        (
            app.http
                .get(app.url(&format!("/api/actors/me?token={token}"))),
            403,
        ),
        (
            app.http
                .post(app.url("/api/spaces/room/stream-token"))
                .bearer_auth(token)
                .json(&json!({})),
            403,
        ),
        (
            app.post("/api/spaces/nope/stream-token", &alice.api_key, json!({})),
            404,
        ),
        (
            app.http
                .get(app.url(&format!("{}?token={token}x", stream_path("room")))),
            401,
        ),
    ] {
        let (status, body) = req.call().await;
        assert_eq!(status, expected, "{body}");
        assert!(body["detail"].is_string());
    }
}

#[tokio::test]
async fn expired_and_foreign_stream_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let (_, minted) = app
        .post("/api/spaces/room/stream-token", &alice.api_key, json!({}))
        .call()
        .await;
    let valid = minted["token"].as_str().unwrap();
    // Re-sign the same claims with an expiry in the past, using the server's own secret.
    let secret: Vec<u8> = app
        .db()
        .await
        .query_one(
            "SELECT secret FROM convo.signing_keys WHERE name = 'stream_tokens'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let payload = valid.split('.').nth(1).unwrap();
    use base64::Engine;
    let mut claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    claims["exp"] = json!(chrono::Utc::now().timestamp() - 5);
    let expired = encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(&secret),
    )
    .unwrap();
    let forged = encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(b"not the secret"),
    )
    .unwrap();
    for token in [expired, forged] {
        let url = app.url(&format!("{}?token={token}", stream_path("room")));
        let (status, body) = app.http.get(url).call().await;
        assert_eq!(status, 401, "{body}");
    }
}

#[tokio::test]
async fn open_streams_per_actor_are_bounded_whatever_the_credential() {
    let mut config = serve_config(&fresh_database().await);
    config.limits.max_streams_per_actor = Some(2);
    let app = TestApp::spawn_with(config).await;
    let alice = app.human_in_new_tenant("Alice").await;
    let bob = app.human_in_new_tenant("Bob").await;
    app.space(&alice, "room").await;
    app.space(&bob, "room").await;
    let _one = Sse::open(app.get(&stream_path("room"), &alice.api_key)).await;
    let _two = Sse::open(app.get(&stream_path("room"), &alice.api_key)).await;
    let (status, body) = app.get(&stream_path("room"), &alice.api_key).call().await;
    assert_eq!(status, 429);
    assert!(body["detail"].as_str().unwrap().contains("limit 2"));
    // Alice's other credentials share her slots: minting tokens does not multiply them.
    let (_, pat) = app
        .post(
            "/api/personal-access-tokens",
            &alice.api_key,
            json!({"name": "cli"}),
        )
        .call()
        .await;
    let (_, minted) = app
        .post("/api/spaces/room/stream-token", &alice.api_key, json!({}))
        .call()
        .await;
    let by_pat = app.get(&stream_path("room"), pat["token"].as_str().unwrap());
    let by_stream_token = app.http.get(app.url(&format!(
        "{}?token={}",
        stream_path("room"),
        minted["token"].as_str().unwrap()
    )));
    for req in [by_pat, by_stream_token] {
        assert_eq!(req.send().await.unwrap().status(), 429);
    }
    // Another actor is not affected.
    let _bobs = Sse::open(app.get(&stream_path("room"), &bob.api_key)).await;
}

#[tokio::test]
async fn revoking_the_key_or_suspending_the_tenant_closes_streams() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let tenant = app.tenant(&alice, "Acme").await;
    let bot = app.agent(&alice, "Bot").await;
    app.space(&alice, "room").await;
    let (_, minted) = app
        .post("/api/spaces/room/stream-token", &bot.api_key, json!({}))
        .call()
        .await;
    let token = minted["token"].as_str().unwrap().to_string();
    let mut by_key = Sse::open(app.get(&stream_path("room"), &bot.api_key)).await;
    let mut by_token = Sse::open(
        app.http
            .get(app.url(&format!("{}?token={token}", stream_path("room")))),
    )
    .await;
    let mut alices = Sse::open(app.get(&stream_path("room"), &alice.api_key)).await;

    app.revoke_keys_directly(&bot.actor_id).await;
    by_key.ended().await;
    by_token.ended().await;
    let url = app.url(&format!("{}?token={token}", stream_path("room")));
    assert_eq!(
        app.http.get(url).send().await.unwrap().status(),
        401,
        "a revoked key's tokens die with it"
    );

    app.suspend_tenant_directly(tenant["tenant_id"].as_str().unwrap())
        .await;
    alices.ended().await;
}
