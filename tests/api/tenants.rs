//! Tenant creation: schema, migrations, naming, membership, atomicity.

use convo::{tenancy::migrations, tenant_lifecycle::provision};
use serde_json::json;

use crate::helpers::{Call, TestApp, json_of};

async fn schema_exists(app: &TestApp, schema: &str) -> bool {
    app.db()
        .await
        .query_opt("SELECT 1 FROM pg_namespace WHERE nspname = $1", &[&schema])
        .await
        .unwrap()
        .is_some()
}

#[tokio::test]
async fn creating_a_tenant_creates_and_migrates_its_schema() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let tenant = app.tenant(&alice, "Acme Corp").await;
    assert_eq!(tenant["name"], "Acme Corp");
    assert_eq!(tenant["schema_name"], "tenant_acme_corp");
    assert_eq!(tenant["status"], "active");
    assert!(schema_exists(&app, "tenant_acme_corp").await);

    let db = app.db().await;
    let versions: Vec<i32> = db
        .query(
            "SELECT version FROM tenant_acme_corp.refinery_schema_history ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let expected: Vec<i32> = migrations::tenant_migrations()
        .iter()
        .map(|m| m.version())
        .collect();
    assert_eq!(versions, expected);
    // The tables are in the tenant schema, not in public.
    let tables: i64 = db
        .query_one("SELECT count(*) FROM pg_tables WHERE schemaname = 'tenant_acme_corp' AND tablename = 'spaces'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(tables, 1);
    let in_public: i64 = db
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(in_public, 0);

    // The creator belongs to it at once.
    let (_, me) = app.get("/api/actors/me", &alice.api_key).call().await;
    assert_eq!(me["tenant_id"], tenant["tenant_id"]);
    let path = format!("/api/tenants/{}", tenant["tenant_id"].as_str().unwrap());
    let (status, read) = app.get(&path, &alice.api_key).call().await;
    assert_eq!(status, 200);
    assert_eq!(read, tenant);
}

#[tokio::test]
async fn migrate_later_finds_the_provisioned_tenant_current() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    app.tenant(&alice, "Acme").await;
    let outcomes = migrations::migrate_all_tenants(&app.state.db, 4)
        .await
        .unwrap();
    assert_eq!(outcomes.len(), 2, "default + acme");
    for outcome in outcomes {
        assert_eq!(
            outcome.result.unwrap(),
            0,
            "{} already current",
            outcome.schema
        );
    }
}

#[tokio::test]
async fn same_name_twice_gives_two_schemas() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let bob = app.human("Bob").await;
    let first = app.tenant(&alice, "Acme").await;
    let second = app.tenant(&bob, "Acme").await;
    let third = app.tenant(&alice, "ACME!").await;
    let names = [&first, &second, &third].map(|t| t["schema_name"].as_str().unwrap().to_string());
    assert_eq!(names, ["tenant_acme", "tenant_acme_2", "tenant_acme_3"]);
    for name in &names {
        assert!(schema_exists(&app, name).await);
    }
}

#[tokio::test]
async fn concurrent_creations_of_one_name_get_distinct_schemas() {
    let app = TestApp::spawn().await;
    let mut humans = Vec::new();
    for i in 0..6 {
        humans.push(app.human(&format!("H{i}")).await);
    }
    let results = futures::future::join_all(humans.iter().map(|h| {
        app.post("/api/tenants", &h.api_key, json!({"name": "Same Name"}))
            .send()
    }))
    .await;
    let mut schemas = Vec::new();
    for resp in results {
        let (status, body) = json_of(resp.unwrap()).await;
        assert_eq!(status, 200, "{body}");
        schemas.push(body["schema_name"].as_str().unwrap().to_string());
    }
    schemas.sort();
    schemas.dedup();
    assert_eq!(schemas.len(), 6);
}

#[tokio::test]
async fn hostile_and_long_names_are_safe() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let hostile = app.tenant(&alice, "\"; DROP SCHEMA public; --").await;
    let schema = hostile["schema_name"].as_str().unwrap();
    assert_eq!(schema, "tenant_drop_schema_public");
    assert!(schema_exists(&app, "public").await);
    assert_eq!(hostile["name"], "\"; DROP SCHEMA public; --");

    let resp = app
        .post(
            "/api/tenants",
            &alice.api_key,
            json!({"name": "x".repeat(300)}),
        )
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(resp).await;
    assert_eq!(status, 400);
    assert!(body["detail"].as_str().unwrap().contains("name"));

    let long = app.tenant(&alice, &"y".repeat(200)).await;
    assert!(long["schema_name"].as_str().unwrap().len() <= 63);

    for bad in [
        json!({"name": ""}),
        json!({"name": "   "}),
        json!({}),
        json!({"name": 5}),
    ] {
        let resp = app
            .post("/api/tenants", &alice.api_key, bad.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{bad}");
    }
}

#[tokio::test]
async fn only_humans_create_tenants_and_only_members_read_them() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let bot = app.agent(&alice, "Bot").await;
    let resp = app
        .post("/api/tenants", &bot.api_key, json!({"name": "Bots"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let resp = app
        .http
        .post(app.url("/api/tenants"))
        .json(&json!({"name": "Anon"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    let tenant = app.tenant(&alice, "Acme").await;
    let path = format!("/api/tenants/{}", tenant["tenant_id"].as_str().unwrap());
    let mallory = app.human_in_new_tenant("Mallory").await;
    let (status, body) = app.get(&path, &mallory.api_key).call().await;
    assert_eq!(status, 403);
    assert!(body["detail"].is_string());
    let unknown = format!("/api/tenants/{}", uuid::Uuid::new_v4());
    assert_eq!(
        app.get(&unknown, &alice.api_key)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        app.get("/api/tenants/not-a-uuid", &alice.api_key)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn a_failed_creation_leaves_nothing_behind_and_can_be_retried() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let creator = uuid::Uuid::parse_str(&alice.actor_id).unwrap();
    let mut broken = migrations::tenant_migrations();
    broken.push(refinery::Migration::unapplied("V999__broken", "CREATE TABLE oops (").unwrap());
    let mut conn = convo::tenancy::ControlConn::get(&app.state.db.pool)
        .await
        .unwrap();
    let err = provision::create_tenant(
        &mut conn,
        "Doomed",
        creator,
        &broken,
        provision::TenantQuota::UNLIMITED,
    )
    .await;
    assert!(err.is_err());
    assert!(!schema_exists(&app, "tenant_doomed").await);
    let db = app.db().await;
    let tenants: i64 = db
        .query_one("SELECT count(*) FROM convo.tenants", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(tenants, 0);
    let (_, me) = app.get("/api/actors/me", &alice.api_key).call().await;
    assert!(me["tenant_id"].is_null());

    let retried = app.tenant(&alice, "Doomed").await;
    assert_eq!(retried["schema_name"], "tenant_doomed");
}
