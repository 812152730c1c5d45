//! Personal access tokens: format, create/list/revoke, authentication as the owner on every
//! route (header and query), revocation on every replica, `last_used_at`, storage as a hash.

use std::time::Duration;

use serde_json::{Value, json};

use crate::{
    helpers::{Actor, Call, TestApp, invalidated, me},
    sse::Sse,
};

const PATS: &str = "/api/personal-access-tokens";

async fn create_pat(app: &TestApp, owner: &Actor, name: &str) -> Value {
    let (status, body) = app
        .post(PATS, &owner.api_key, json!({"name": name}))
        .call()
        .await;
    assert_eq!(status, 200, "create PAT: {body}");
    body
}

async fn list(app: &TestApp, key: &str, query: &str) -> Vec<Value> {
    let (status, body) = app.get(&format!("{PATS}{query}"), key).call().await;
    assert_eq!(status, 200, "list PATs: {body}");
    body.as_array().unwrap().clone()
}

async fn revoke(app: &TestApp, key: &str, pat_id: &str) -> (u16, Value) {
    app.http
        .delete(app.url(&format!("{PATS}/{pat_id}")))
        .bearer_auth(key)
        .call()
        .await
}

#[tokio::test]
async fn created_token_has_the_documented_shape() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let pat = create_pat(&app, &alice, "My laptop").await;
    let token = pat["token"].as_str().unwrap();
    assert!(
        regex::Regex::new("^mootup_pat_[0-9a-f]{60}$")
            .unwrap()
            .is_match(token),
        "{token}"
    );
    assert!(
        regex::Regex::new("^pat_[0-9a-f]{32}$")
            .unwrap()
            .is_match(pat["pat_id"].as_str().unwrap())
    );
    assert_eq!(pat["name"], "My laptop");
    assert_eq!(pat["token_prefix"].as_str().unwrap(), &token[11..19]);
    assert!(pat["created_at"].is_string());
    assert_eq!(pat["last_used_at"], Value::Null);
    assert_eq!(pat["revoked_at"], Value::Null);
    let keys: Vec<&String> = pat.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 7, "exactly the documented fields: {keys:?}");
    // Two tokens differ.
    let other = create_pat(&app, &alice, "Desktop").await;
    assert_ne!(other["token"], pat["token"]);
    assert_ne!(other["pat_id"], pat["pat_id"]);
}

#[tokio::test]
async fn list_is_newest_first_without_plaintext_and_hides_revoked_by_default() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let bob = app.human("Bob").await;
    let first = create_pat(&app, &alice, "first").await;
    let second = create_pat(&app, &alice, "second").await;
    let third = create_pat(&app, &alice, "third").await;
    create_pat(&app, &bob, "bob's").await;

    let listed = list(&app, &alice.api_key, "").await;
    let names: Vec<&str> = listed.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["third", "second", "first"]);
    for (item, created) in listed.iter().zip([&third, &second, &first]) {
        assert!(item.get("token").is_none(), "no plaintext: {item}");
        assert!(
            !item
                .to_string()
                .contains(created["token"].as_str().unwrap())
        );
        for field in ["pat_id", "name", "token_prefix", "created_at"] {
            assert_eq!(item[field], created[field], "{field}");
        }
        assert_eq!(item["revoked_at"], Value::Null);
    }

    let (status, body) = revoke(&app, &alice.api_key, second["pat_id"].as_str().unwrap()).await;
    assert_eq!((status, body), (200, json!({"ok": true})));

    let names = |items: Vec<Value>| -> Vec<String> {
        items
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(list(&app, &alice.api_key, "").await),
        ["third", "first"]
    );
    assert_eq!(
        names(list(&app, &alice.api_key, "?include_revoked=false").await),
        ["third", "first"]
    );
    let all = list(&app, &alice.api_key, "?include_revoked=true").await;
    assert_eq!(names(all.clone()), ["third", "second", "first"]);
    assert!(all[1]["revoked_at"].is_string());
    assert_eq!(all[0]["revoked_at"], Value::Null);

    // Revoking again is accepted and keeps the first revocation time.
    let (status, _) = revoke(&app, &alice.api_key, second["pat_id"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let again = list(&app, &alice.api_key, "?include_revoked=true").await;
    assert_eq!(again[1]["revoked_at"], all[1]["revoked_at"]);

    let (status, body) = app
        .get(&format!("{PATS}?include_revoked=maybe"), &alice.api_key)
        .call()
        .await;
    assert_eq!(status, 400);
    assert!(body["detail"].is_string());
}

#[tokio::test]
async fn pat_authenticates_as_its_owner_by_header_and_query() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    let token = create_pat(&app, &alice, "cli").await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, by_key) = me(&app, &alice.api_key).await;
    assert_eq!(status, 200);
    let (status, by_pat) = me(&app, &token).await;
    assert_eq!(status, 200);
    assert_eq!(by_pat, by_key);
    let (status, by_query) = app
        .http
        .get(app.url(&format!("/api/actors/me?token={token}")))
        .call()
        .await;
    assert_eq!(status, 200);
    assert_eq!(by_query["actor_id"], alice.actor_id.as_str());

    // Same tenant scope as the owner's key: a space created with the PAT is seen by the key.
    assert_eq!(
        app.post("/api/spaces", &token, json!({"space_id": "by-pat"}))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let (status, spaces) = app.get("/api/spaces", &alice.api_key).call().await;
    assert_eq!(status, 200);
    assert!(spaces.to_string().contains("by-pat"));

    // A PAT can manage its owner's PATs too.
    assert_eq!(list(&app, &token, "").await.len(), 1);

    // A tampered PAT (well-formed, unknown or wrong) is 401.
    let mut tampered = token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == '0' { '1' } else { '0' });
    for bad in [
        tampered.as_str(),
        "mootup_pat_0000000000000000000000000000000000000000000000000000000000000",
        "mootup_pat_nothex",
    ] {
        let (status, body) = me(&app, bad).await;
        assert_eq!(status, 401, "{bad}");
        assert_eq!(body, json!({"detail": "Authentication required"}));
    }
}

#[tokio::test]
async fn last_used_at_is_recorded_in_the_background() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let token = create_pat(&app, &alice, "cli").await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut writes = app.state.auth.pat_usage.watch();
    assert_eq!(me(&app, &token).await.0, 200);
    tokio::time::timeout(Duration::from_secs(5), writes.changed())
        .await
        .expect("last_used_at written within 5 s")
        .unwrap();
    let listed = list(&app, &alice.api_key, "").await;
    assert!(listed[0]["last_used_at"].is_string(), "{}", listed[0]);
    // Further uses within the minute are not written again.
    assert_eq!(me(&app, &token).await.0, 200);
    assert_eq!(me(&app, &token).await.0, 200);
    assert_eq!(*writes.borrow_and_update(), 1);
}

#[tokio::test]
async fn revoked_pat_is_refused_on_every_replica() {
    let a = TestApp::spawn().await;
    let b = a.replica().await;
    let alice = a.human("Alice").await;
    let pat = create_pat(&a, &alice, "cli").await;
    let token = pat["token"].as_str().unwrap();
    // Both replicas have it cached.
    assert_eq!(me(&a, token).await.0, 200);
    assert_eq!(me(&b, token).await.0, 200);
    let mut heard_b = b.state.auth.cache.watch();
    let (status, _) = revoke(&a, &alice.api_key, pat["pat_id"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    // The revoking replica refuses at once.
    let (status, body) = me(&a, token).await;
    assert_eq!(
        (status, body),
        (401, json!({"detail": "Authentication required"}))
    );
    invalidated(&mut heard_b).await;
    assert_eq!(me(&b, token).await.0, 401);
    // By query too, and the owner's key is unaffected.
    let url = b.url(&format!("/api/actors/me?token={token}"));
    assert_eq!(b.http.get(url).send().await.unwrap().status(), 401);
    assert_eq!(me(&b, &alice.api_key).await.0, 200);
}

#[tokio::test]
async fn another_users_or_unknown_pat_is_404_on_revoke() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let bob = app.human("Bob").await;
    let pat = create_pat(&app, &alice, "cli").await;
    let pat_id = pat["pat_id"].as_str().unwrap();
    for id in [
        pat_id,
        "pat_00000000000000000000000000000000",
        "nonsense",
        "00000000-0000-0000-0000-000000000000",
    ] {
        let (status, body) = revoke(&app, &bob.api_key, id).await;
        assert_eq!(status, 404, "{id}");
        assert!(body["detail"].is_string());
    }
    // Alice's token still works.
    assert_eq!(me(&app, pat["token"].as_str().unwrap()).await.0, 200);
    assert_eq!(
        list(&app, &bob.api_key, "?include_revoked=true")
            .await
            .len(),
        0
    );
}

#[tokio::test]
async fn agents_get_403_and_anonymous_callers_401() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let agent = app.agent(&alice, "Bot").await;
    let pat = create_pat(&app, &alice, "cli").await;
    let pat_id = pat["pat_id"].as_str().unwrap();
    let requests = [
        app.post(PATS, &agent.api_key, json!({"name": "x"})),
        app.get(PATS, &agent.api_key),
        app.http
            .delete(app.url(&format!("{PATS}/{pat_id}")))
            .bearer_auth(&agent.api_key),
    ];
    for req in requests {
        let (status, body) = req.call().await;
        assert_eq!(status, 403, "{body}");
        assert!(body["detail"].is_string());
    }
    let requests = [
        app.http.post(app.url(PATS)).json(&json!({"name": "x"})),
        app.http.get(app.url(PATS)),
        app.http.delete(app.url(&format!("{PATS}/{pat_id}"))),
    ];
    for req in requests {
        let (status, body) = req.call().await;
        assert_eq!(
            (status, body),
            (401, json!({"detail": "Authentication required"}))
        );
    }
}

#[tokio::test]
async fn name_must_be_1_to_64_characters() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    assert_eq!(
        create_pat(&app, &alice, &"é".repeat(64)).await["name"],
        "é".repeat(64)
    );
    assert_eq!(create_pat(&app, &alice, "x").await["name"], "x");
    for body in [
        json!({"name": ""}),
        json!({"name": "   "}),
        json!({"name": "x".repeat(65)}),
        json!({"name": 5}),
        json!({"name": null}),
        json!({}),
    ] {
        let (status, resp) = app.post(PATS, &alice.api_key, body.clone()).call().await;
        assert_eq!(status, 400, "{body}: {resp}");
        assert!(resp["detail"].is_string());
    }
    assert_eq!(list(&app, &alice.api_key, "").await.len(), 2);
}

#[tokio::test]
async fn pats_are_stored_only_as_argon2id_hashes() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let pat = create_pat(&app, &alice, "cli").await;
    let token = pat["token"].as_str().unwrap();
    let db = app.db().await;
    let row = db
        .query_one(
            "SELECT lookup, token_hash FROM convo.personal_access_tokens",
            &[],
        )
        .await
        .unwrap();
    let (lookup, hash): (String, String) = (row.get(0), row.get(1));
    assert!(hash.starts_with("$argon2id$"));
    let body = &token["mootup_pat_".len()..];
    assert!(body.starts_with(&lookup) && lookup.len() == 16);
    let dump = db
        .query_one(
            "SELECT string_agg(t::text, ' ') FROM convo.personal_access_tokens t",
            &[],
        )
        .await
        .unwrap();
    let dump: String = dump.get(0);
    assert!(!dump.contains(body), "the secret part is not stored");
}

#[tokio::test]
async fn streams_opened_with_a_pat_close_when_it_is_revoked() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    app.space(&alice, "room").await;
    let pat = create_pat(&app, &alice, "cli").await;
    let token = pat["token"].as_str().unwrap();
    let (status, minted) = app
        .post("/api/spaces/room/stream-token", token, json!({}))
        .call()
        .await;
    assert_eq!(status, 200, "{minted}");
    let stream_url = |t: &str| app.url(&format!("/api/spaces/room/events/stream?token={t}"));
    let minted_url = stream_url(minted["token"].as_str().unwrap());
    let mut by_pat = Sse::open(app.http.get(stream_url(token))).await;
    let mut by_minted = Sse::open(app.http.get(&minted_url)).await;
    let (status, _) = revoke(&app, &alice.api_key, pat["pat_id"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    by_pat.ended().await;
    by_minted.ended().await;
    assert_eq!(
        app.http.get(&minted_url).send().await.unwrap().status(),
        401
    );
}
