//! The admin API: operator tokens (HS256, RS256, ES256), tenant listing, suspension and
//! reactivation reaching every replica, and the `convo tenants` command.

use std::{path::PathBuf, process::Command};

use convo::{
    cli::tenants::{TenantsCommand, execute},
    config::Secret,
    db::Db,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::{
    helpers::{Call, TestApp, fresh_database, invalidated, serve_config},
    sse::Sse,
};

const SECRET: &str = "operator-test-secret";

/// A server whose admin API takes HS256 tokens signed with [`SECRET`].
async fn spawn_admin() -> TestApp {
    let mut config = serve_config(&fresh_database().await);
    config.operator_jwt_secret = Some(Secret(SECRET.to_string()));
    TestApp::spawn_with(config).await
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn hs256(secret: &str, claims: Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

/// A valid operator token for the default audience.
pub fn operator_token() -> String {
    hs256(
        SECRET,
        json!({"sub": "ops@example.com", "aud": "convo-admin", "exp": now() + 300}),
    )
}

async fn admin_get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    app.get(path, token).call().await
}

async fn admin_post(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    app.http.post(app.url(path)).bearer_auth(token).call().await
}

fn unauthorized() -> Value {
    json!({"detail": "Authentication required"})
}

#[tokio::test]
async fn operator_tokens_are_verified() {
    let app = spawn_admin().await;
    let alice = app.human_in_new_tenant("Alice").await;
    let good = operator_token();
    assert_eq!(admin_get(&app, "/api/admin/tenants", &good).await.0, 200);

    let expired = hs256(SECRET, json!({"aud": "convo-admin", "exp": now() - 60}));
    let wrong_aud = hs256(SECRET, json!({"aud": "convo-stream", "exp": now() + 300}));
    let no_aud = hs256(SECRET, json!({"exp": now() + 300}));
    let no_exp = hs256(SECRET, json!({"aud": "convo-admin"}));
    let wrong_secret = hs256(
        "not-the-secret",
        json!({"aud": "convo-admin", "exp": now() + 300}),
    );
    for token in [
        expired.as_str(),
        &wrong_aud,
        &no_aud,
        &no_exp,
        &wrong_secret,
        // A regular API key is not an operator credential.
        &alice.api_key,
        "garbage",
    ] {
        for (status, body) in [
            admin_get(&app, "/api/admin/tenants", token).await,
            admin_post(
                &app,
                &format!("/api/admin/tenants/{}/suspend", uuid::Uuid::new_v4()),
                token,
            )
            .await,
        ] {
            assert_eq!(status, 401, "{token}: {body}");
            assert_eq!(body, unauthorized());
        }
    }
    // No credential at all, or a non-bearer one.
    let (status, body) = app.http.get(app.url("/api/admin/tenants")).call().await;
    assert_eq!((status, body), (401, unauthorized()));
    let (status, body) = app
        .http
        .get(app.url("/api/admin/tenants"))
        .basic_auth("ops", Some("pw"))
        .call()
        .await;
    assert_eq!((status, body), (401, unauthorized()));
    // An operator token is not an API key either.
    let (status, _) = app.get("/api/actors/me", &good).call().await;
    assert_eq!(status, 401);
}

/// A token whose `nbf` is still ahead (issued for later, or by a clock far ahead) does not
/// open the admin API before its time.
#[tokio::test]
async fn operator_tokens_are_refused_before_their_not_before() {
    let app = spawn_admin().await;
    let claims = |nbf: i64| json!({"aud": "convo-admin", "exp": now() + 3600, "nbf": nbf});
    let early = hs256(SECRET, claims(now() + 600));
    for (status, body) in [
        admin_get(&app, "/api/admin/tenants", &early).await,
        admin_post(
            &app,
            &format!("/api/admin/tenants/{}/suspend", uuid::Uuid::new_v4()),
            &early,
        )
        .await,
    ] {
        assert_eq!((status, body), (401, unauthorized()));
    }
    let valid = hs256(SECRET, claims(now() - 60));
    assert_eq!(admin_get(&app, "/api/admin/tenants", &valid).await.0, 200);
}

#[tokio::test]
async fn without_a_configured_key_the_admin_api_is_disabled() {
    let app = TestApp::spawn().await;
    assert!(!app.state.operator.enabled());
    for token in [
        operator_token(),
        hs256("", json!({"aud": "convo-admin", "exp": now() + 300})),
    ] {
        let (status, body) = admin_get(&app, "/api/admin/tenants", &token).await;
        assert_eq!((status, body), (401, unauthorized()));
    }
}

#[tokio::test]
async fn list_get_suspend_and_reactivate() {
    let app = spawn_admin().await;
    let token = operator_token();
    let alice = app.human("Alice").await;
    let acme = app.tenant(&alice, "Acme").await;
    app.agent(&alice, "Bot").await; // sponsored after the tenant: joins it
    let bob = app.human("Bob").await;
    let globex = app.tenant(&bob, "Globex").await;
    let acme_id = acme["tenant_id"].as_str().unwrap();
    let globex_id = globex["tenant_id"].as_str().unwrap();

    let (status, list) = admin_get(&app, "/api/admin/tenants", &token).await;
    assert_eq!(status, 200, "{list}");
    let tenants = list["tenants"].as_array().unwrap();
    let ids: Vec<&str> = tenants
        .iter()
        .map(|t| t["tenant_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [acme_id, globex_id]);
    assert_eq!(tenants[0]["name"], "Acme");
    assert_eq!(tenants[0]["schema_name"], acme["schema_name"]);
    assert_eq!(tenants[0]["status"], "active");
    assert_eq!(tenants[1]["member_count"], 1);

    let (status, got) = admin_get(&app, &format!("/api/admin/tenants/{acme_id}"), &token).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["tenant_id"], acme_id);
    assert_eq!(got["created_at"], acme["created_at"]);
    let acme_members = got["member_count"].as_i64().unwrap();
    assert!(acme_members >= 1);

    for missing in [uuid::Uuid::new_v4().to_string(), "not-a-uuid".to_string()] {
        for (status, body) in [
            admin_get(&app, &format!("/api/admin/tenants/{missing}"), &token).await,
            admin_post(
                &app,
                &format!("/api/admin/tenants/{missing}/suspend"),
                &token,
            )
            .await,
            admin_post(
                &app,
                &format!("/api/admin/tenants/{missing}/reactivate"),
                &token,
            )
            .await,
        ] {
            assert_eq!((status, body), (404, json!({"detail": "Tenant not found"})));
        }
    }

    // Suspending twice is the same as once.
    for _ in 0..2 {
        let (status, body) = admin_post(
            &app,
            &format!("/api/admin/tenants/{acme_id}/suspend"),
            &token,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], "suspended");
        assert_eq!(body["member_count"], acme_members);
    }
    let (_, suspended) = admin_get(&app, "/api/admin/tenants?status=suspended", &token).await;
    let (_, active) = admin_get(&app, "/api/admin/tenants?status=active", &token).await;
    assert_eq!(suspended["tenants"].as_array().unwrap().len(), 1);
    assert_eq!(suspended["tenants"][0]["tenant_id"], acme_id);
    assert_eq!(active["tenants"].as_array().unwrap().len(), 1);
    assert_eq!(active["tenants"][0]["tenant_id"], globex_id);
    let (status, _) = admin_get(&app, "/api/admin/tenants?status=deleted", &token).await;
    assert_eq!(status, 400);

    // Locally effective at once: no waiting for our own listener.
    let (status, body) = app.get("/api/actors/me", &alice.api_key).call().await;
    assert_eq!(
        (status, body),
        (403, json!({"detail": "Tenant is suspended"}))
    );
    let (status, _) = app.get("/api/actors/me", &bob.api_key).call().await;
    assert_eq!(status, 200, "another tenant is unaffected");

    for _ in 0..2 {
        let (status, body) = admin_post(
            &app,
            &format!("/api/admin/tenants/{acme_id}/reactivate"),
            &token,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], "active");
    }
    let (status, _) = app.get("/api/actors/me", &alice.api_key).call().await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn suspension_reaches_every_replica_and_closes_streams() {
    let a = spawn_admin().await;
    let b = a.replica().await;
    let token = operator_token();
    let alice = a.human("Alice").await;
    let tenant = a.tenant(&alice, "Acme").await;
    let bot = a.agent(&alice, "Bot").await;
    let tenant_id = tenant["tenant_id"].as_str().unwrap();
    a.space(&alice, "room").await;
    // Cached on b, and a stream open on b.
    for actor in [&alice, &bot] {
        let (status, _) = b.get("/api/actors/me", &actor.api_key).call().await;
        assert_eq!(status, 200);
    }
    let mut stream = Sse::open(b.get("/api/spaces/room/events/stream", &bot.api_key)).await;

    let mut heard = b.state.auth.cache.watch();
    let (status, body) = admin_post(
        &a,
        &format!("/api/admin/tenants/{tenant_id}/suspend"),
        &token,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    invalidated(&mut heard).await;
    for actor in [&alice, &bot] {
        let (status, body) = b.get("/api/actors/me", &actor.api_key).call().await;
        assert_eq!(
            (status, body),
            (403, json!({"detail": "Tenant is suspended"}))
        );
        let (status, body) = b
            .get("/api/spaces/room/events/stream", &actor.api_key)
            .call()
            .await;
        assert_eq!(
            (status, body),
            (403, json!({"detail": "Tenant is suspended"}))
        );
    }
    stream.ended().await;

    let mut heard = b.state.auth.cache.watch();
    let (status, _) = admin_post(
        &a,
        &format!("/api/admin/tenants/{tenant_id}/reactivate"),
        &token,
    )
    .await;
    assert_eq!(status, 200);
    invalidated(&mut heard).await;
    for actor in [&alice, &bot] {
        let (status, _) = b.get("/api/actors/me", &actor.api_key).call().await;
        assert_eq!(status, 200);
    }
    let _reopened = Sse::open(b.get("/api/spaces/room/events/stream", &bot.api_key)).await;
}

/// An RSA or EC key pair made by openssl: (PKCS#8 private key PEM, SPKI public key PEM).
fn key_pair(dir: &std::path::Path, kind: &str) -> (String, String, PathBuf) {
    let private = dir.join(format!("{kind}.key"));
    let public = dir.join(format!("{kind}.pub"));
    let options: &[&str] = if kind.starts_with("rsa") {
        &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
    } else {
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
    };
    let ok = Command::new("openssl")
        .arg("genpkey")
        .args(options)
        .arg("-out")
        .arg(&private)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl runs")
        .success();
    assert!(ok, "openssl genpkey");
    let ok = Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&private)
        .arg("-out")
        .arg(&public)
        .status()
        .expect("openssl runs")
        .success();
    assert!(ok, "openssl pkey -pubout");
    (
        std::fs::read_to_string(&private).unwrap(),
        std::fs::read_to_string(&public).unwrap(),
        public,
    )
}

#[tokio::test]
async fn rs256_and_es256_tokens_verify_against_a_public_key() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("operator-keys-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let database = fresh_database().await;
    for (kind, alg) in [("rsa", Algorithm::RS256), ("ec", Algorithm::ES256)] {
        let (private, public, public_path) = key_pair(&dir, kind);
        let (_, other_public, _) = key_pair(&dir, &format!("{kind}-other"));
        let sign = |pem: &str, claims: Value| {
            let key = match alg {
                Algorithm::RS256 => EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
                _ => EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
            };
            encode(&Header::new(alg), &claims, &key).unwrap()
        };
        // RSA from a file (`@path`), EC inline; a custom audience.
        let mut config = serve_config(&database);
        config.operator_jwt_public_key = Some(Secret(match kind {
            "rsa" => format!("@{}", public_path.display()),
            _ => public.clone(),
        }));
        config.operator_jwt_audience = "ops-console".to_string();
        let app = TestApp::spawn_with(config).await;

        let good = sign(&private, json!({"aud": "ops-console", "exp": now() + 300}));
        let (status, body) = admin_get(&app, "/api/admin/tenants", &good).await;
        assert_eq!(status, 200, "{kind}: {body}");

        // Signed by another key (verified against its public key by a server that has it
        // configured would pass; ours refuses), wrong audience, expired, or HS256 with the
        // public key as secret (algorithm confusion).
        let other_private = std::fs::read_to_string(dir.join(format!("{kind}-other.key"))).unwrap();
        assert_ne!(other_public, public);
        for token in [
            sign(
                &other_private,
                json!({"aud": "ops-console", "exp": now() + 300}),
            ),
            sign(&private, json!({"aud": "convo-admin", "exp": now() + 300})),
            sign(&private, json!({"aud": "ops-console", "exp": now() - 60})),
            hs256(&public, json!({"aud": "ops-console", "exp": now() + 300})),
        ] {
            let (status, body) = admin_get(&app, "/api/admin/tenants", &token).await;
            assert_eq!((status, body), (401, unauthorized()), "{kind}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_tenants_command_lists_suspends_and_reactivates() {
    let app = TestApp::spawn().await;
    let b = app.replica().await;
    let alice = app.human("Alice").await;
    let tenant = app.tenant(&alice, "Acme Corp").await;
    let tenant_id = tenant["tenant_id"].as_str().unwrap().to_string();
    let mut db_config = serve_config(&app.database_url).db;
    db_config.pool_size = 1;
    let db = Db::connect(&db_config).await.unwrap();

    let listed = execute(&db, &TenantsCommand::List { status: None })
        .await
        .unwrap();
    assert!(listed.contains(&tenant_id), "{listed}");
    assert!(
        listed.contains("Acme Corp") && listed.contains("active"),
        "{listed}"
    );
    assert!(listed.contains("1 tenant(s)"), "{listed}");

    // Suspension from the command line reaches running servers through NOTIFY.
    let (mut heard_a, mut heard_b) = (app.state.auth.cache.watch(), b.state.auth.cache.watch());
    let out = execute(
        &db,
        &TenantsCommand::Suspend {
            tenant_id: tenant_id.clone(),
        },
    )
    .await
    .unwrap();
    assert!(out.contains("is now suspended"), "{out}");
    invalidated(&mut heard_a).await;
    invalidated(&mut heard_b).await;
    for server in [&app, &b] {
        let (status, body) = server.get("/api/actors/me", &alice.api_key).call().await;
        assert_eq!(
            (status, body),
            (403, json!({"detail": "Tenant is suspended"}))
        );
    }
    let suspended = execute(
        &db,
        &TenantsCommand::List {
            status: Some(convo::cli::tenants::StatusArg::Suspended),
        },
    )
    .await
    .unwrap();
    assert!(suspended.contains(&tenant_id), "{suspended}");
    let active = execute(
        &db,
        &TenantsCommand::List {
            status: Some(convo::cli::tenants::StatusArg::Active),
        },
    )
    .await
    .unwrap();
    assert_eq!(active, "no tenants\n");

    let mut heard = b.state.auth.cache.watch();
    let out = execute(
        &db,
        &TenantsCommand::Reactivate {
            tenant_id: tenant_id.clone(),
        },
    )
    .await
    .unwrap();
    assert!(out.contains("is now active"), "{out}");
    invalidated(&mut heard).await;
    let (status, _) = b.get("/api/actors/me", &alice.api_key).call().await;
    assert_eq!(status, 200);

    for bad in [uuid::Uuid::new_v4().to_string(), "nope".to_string()] {
        assert!(
            execute(&db, &TenantsCommand::Suspend { tenant_id: bad })
                .await
                .is_err()
        );
    }
}
