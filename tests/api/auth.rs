//! API-key authentication: header and query forms, every way a key can be wrong, revocation
//! and suspension reaching every replica through LISTEN/NOTIFY.

use crate::helpers::{Call, TestApp, invalidated, me};

#[tokio::test]
async fn valid_key_by_header_or_query() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let (status, body) = me(&app, &alice.api_key).await;
    assert_eq!(status, 200);
    assert_eq!(body["actor_id"], alice.actor_id.as_str());
    let url = app.url(&format!("/api/actors/me?token={}", alice.api_key));
    let (status, body) = app.http.get(url).call().await;
    assert_eq!(status, 200);
    assert_eq!(body["actor_id"], alice.actor_id.as_str());
    // Lower-case scheme is accepted too.
    let req = app
        .http
        .get(app.url("/api/actors/me"))
        .header("authorization", format!("bearer {}", alice.api_key));
    assert_eq!(req.call().await.0, 200);
}

#[tokio::test]
async fn missing_malformed_and_wrong_keys_are_401() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let mut tampered = alice.api_key.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let requests = vec![
        app.http.get(app.url("/api/actors/me")),
        app.http
            .get(app.url("/api/actors/me"))
            .header("authorization", "Bearer"),
        app.http
            .get(app.url("/api/actors/me"))
            .header("authorization", "Bearer nonsense"),
        app.http
            .get(app.url("/api/actors/me"))
            .header("authorization", format!("Basic {}", alice.api_key)),
        app.get("/api/actors/me", &tampered),
        // The same wrong key twice: the second answer comes from the rejection cache.
        app.get("/api/actors/me", &tampered),
        app.http.get(app.url("/api/actors/me?token=convo_nope")),
    ];
    for req in requests {
        let (status, body) = req.call().await;
        assert_eq!(status, 401);
        assert_eq!(
            body,
            serde_json::json!({"detail": "Authentication required"})
        );
    }
}

#[tokio::test]
async fn keys_are_stored_only_as_argon2id_hashes() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let db = app.db().await;
    let row = db
        .query_one("SELECT lookup, key_hash FROM convo.api_keys k JOIN convo.actors a USING (actor_id) WHERE a.display_name = 'Alice'", &[])
        .await
        .unwrap();
    let (lookup, hash): (String, String) = (row.get(0), row.get(1));
    assert!(hash.starts_with("$argon2id$"));
    assert!(!hash.contains(&alice.api_key[6..]));
    assert!(alice.api_key[6..].starts_with(&lookup) && lookup.len() < 20);
    let dump = db
        .query_one("SELECT string_agg(t::text, ' ') FROM convo.api_keys t", &[])
        .await
        .unwrap();
    assert!(!dump.get::<_, String>(0).contains(&alice.api_key));
}

#[tokio::test]
async fn revoked_key_is_refused_on_every_replica() {
    let a = TestApp::spawn().await;
    let b = a.replica().await;
    let alice = a.human("Alice").await;
    // Both replicas have the key cached.
    assert_eq!(me(&a, &alice.api_key).await.0, 200);
    assert_eq!(me(&b, &alice.api_key).await.0, 200);
    let (mut heard_a, mut heard_b) = (a.state.auth.cache.watch(), b.state.auth.cache.watch());
    a.revoke_keys_directly(&alice.actor_id).await;
    invalidated(&mut heard_a).await;
    invalidated(&mut heard_b).await;
    for app in [&a, &b] {
        assert_eq!(me(app, &alice.api_key).await.0, 401);
    }
}

#[tokio::test]
async fn suspended_tenant_gets_403_on_every_replica() {
    let a = TestApp::spawn().await;
    let b = a.replica().await;
    let alice = a.human("Alice").await;
    let tenant = a.tenant(&alice, "Acme").await;
    assert_eq!(me(&b, &alice.api_key).await.0, 200);
    let (mut heard_a, mut heard_b) = (a.state.auth.cache.watch(), b.state.auth.cache.watch());
    a.suspend_tenant_directly(tenant["tenant_id"].as_str().unwrap())
        .await;
    invalidated(&mut heard_a).await;
    invalidated(&mut heard_b).await;
    for app in [&a, &b] {
        let (status, body) = me(app, &alice.api_key).await;
        assert_eq!(status, 403);
        assert_eq!(body, serde_json::json!({"detail": "Tenant is suspended"}));
    }
}

/// Once a cached principal is gone (TTL or invalidation), the key is checked against its
/// stored hash again, but argon2 runs only when that hash is not the one the token was
/// already verified against, and a different hash still refuses the token.
#[tokio::test]
async fn an_expired_principal_is_revalidated_without_argon2_unless_the_hash_changed() {
    use argon2::{Argon2, PasswordHasher};

    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let auth = &app.state.auth;
    assert_eq!(me(&app, &alice.api_key).await.0, 200);
    let verified_once = auth.verifications();
    assert!(verified_once >= 1);

    auth.cache.invalidate_all();
    assert_eq!(me(&app, &alice.api_key).await.0, 200);
    assert_eq!(
        auth.verifications(),
        verified_once,
        "no argon2 for the same hash"
    );

    // The same key under a new salt: a different stored hash, so it is verified again.
    let db = app.db().await;
    let set_hash = |token: String| {
        let db = &db;
        async move {
            let hash = Argon2::default()
                .hash_password(token.as_bytes())
                .unwrap()
                .to_string();
            db.execute(
                "UPDATE convo.api_keys SET key_hash = $1
                 WHERE actor_id = (SELECT actor_id FROM convo.actors WHERE display_name = 'Alice')",
                &[&hash],
            )
            .await
            .unwrap();
        }
    };
    set_hash(alice.api_key.clone()).await;
    auth.cache.invalidate_all();
    assert_eq!(me(&app, &alice.api_key).await.0, 200);
    assert_eq!(auth.verifications(), verified_once + 1);

    // A hash of another token: the remembered verification does not let the key through.
    set_hash(format!("{}x", alice.api_key)).await;
    auth.cache.invalidate_all();
    assert_eq!(me(&app, &alice.api_key).await.0, 401);
    assert_eq!(auth.verifications(), verified_once + 2);
}
