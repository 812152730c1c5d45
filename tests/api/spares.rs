//! Spare tenant schemas: creation renames a ready spare, the pool refills, concurrent creators
//! never share one, a failed creation leaves the spare a spare, a spare behind is never handed
//! out, and `convo migrate` migrates spares and skips tenants recorded as current.

use std::time::Duration;

use convo::{
    tenancy::{ControlConn, SchemaName, migrations},
    tenant_lifecycle::{provision, spares},
};
use refinery::Migration;
use serde_json::json;

use crate::helpers::{Call, TestApp, fresh_database, json_of, serve_config};

/// A server whose pool keeps `target` spares, once they are all ready.
async fn spawn_with_spares(target: u32) -> TestApp {
    let mut config = serve_config(&fresh_database().await);
    config.spares.spare_schemas = target;
    let app = TestApp::spawn_with(config).await;
    ready_spares(&app, target as usize).await;
    app
}

fn latest() -> i32 {
    migrations::tenant_migrations()
        .iter()
        .map(Migration::version)
        .max()
        .unwrap()
}

/// Spares at the latest migration, by name, with their schema's oid, oldest first.
async fn spares_in_db(app: &TestApp) -> Vec<(String, u32)> {
    app.db()
        .await
        .query(
            "SELECT s.schema_name, n.oid FROM convo.spare_schemas s
             JOIN pg_namespace n ON n.nspname = s.schema_name
             WHERE s.schema_version = $1 ORDER BY s.created_at",
            &[&latest()],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

/// Wait (bounded) until the database holds `n` ready spares, woken by each completed refill.
async fn ready_spares(app: &TestApp, n: usize) -> Vec<(String, u32)> {
    let mut rounds = app.state.spares.rounds();
    tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            // Marked seen before the check: a refill finishing after it wakes the wait below.
            rounds.borrow_and_update();
            let spares = spares_in_db(app).await;
            if spares.len() == n {
                return spares;
            }
            rounds.changed().await.unwrap();
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{n} spares ready within 60 s"))
}

async fn schema_oid(app: &TestApp, schema: &str) -> Option<u32> {
    app.db()
        .await
        .query_opt(
            "SELECT oid FROM pg_namespace WHERE nspname = $1",
            &[&schema],
        )
        .await
        .unwrap()
        .map(|r| r.get(0))
}

async fn history(app: &TestApp, schema: &str) -> Vec<i32> {
    app.db()
        .await
        .query(
            &format!("SELECT version FROM \"{schema}\".refinery_schema_history ORDER BY version"),
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

async fn tenant_count(app: &TestApp) -> i64 {
    app.db()
        .await
        .query_one("SELECT count(*) FROM convo.tenants", &[])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn creation_renames_the_oldest_ready_spare_and_the_schema_is_empty() {
    let app = spawn_with_spares(2).await;
    let before = spares_in_db(&app).await;
    let alice = app.human("Alice").await;
    let bob = app.human_in_new_tenant("Bob").await;
    app.space(&bob, "bob-secrets").await;

    let tenant = app.tenant(&alice, "Acme Corp").await;
    // Today's naming rules pick the name; the schema is the oldest spare, renamed.
    assert_eq!(tenant["schema_name"], "tenant_acme_corp");
    assert_eq!(
        schema_oid(&app, "tenant_acme_corp").await,
        Some(before[1].1)
    );
    assert_eq!(schema_oid(&app, &before[1].0).await, None);
    let expected: Vec<i32> = migrations::tenant_migrations()
        .iter()
        .map(Migration::version)
        .collect();
    assert_eq!(history(&app, "tenant_acme_corp").await, expected);
    let recorded: Option<i32> = app
        .db()
        .await
        .query_one(
            "SELECT schema_version FROM convo.tenants WHERE schema_name = 'tenant_acme_corp'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(recorded, Some(latest()));

    // Isolation as before: the new tenant sees nothing of Bob's, and its tables are empty.
    let (status, body) = app
        .get("/api/spaces/bob-secrets/events", &alice.api_key)
        .call()
        .await;
    assert_eq!(status, 404, "{body}");
    let db = app.db().await;
    for table in ["spaces", "events", "participants", "threads", "decisions"] {
        let rows: i64 = db
            .query_one(
                &format!("SELECT count(*) FROM tenant_acme_corp.{table}"),
                &[],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(rows, 0, "{table} of a new tenant is empty");
    }
    app.space(&alice, "kickoff").await;
}

#[tokio::test]
async fn the_pool_refills_after_takes() {
    let app = spawn_with_spares(3).await;
    let first = spares_in_db(&app).await;
    for i in 0..2 {
        let owner = app.human(&format!("Owner{i}")).await;
        app.tenant(&owner, &format!("Org {i}")).await;
    }
    let refilled = ready_spares(&app, 3).await;
    // The two oldest were taken, the third is still there, two new ones were made.
    assert_eq!(refilled[0], first[2]);
    assert!(refilled[1..].iter().all(|s| !first.contains(s)));
    let total: i64 = app
        .db()
        .await
        .query_one("SELECT count(*) FROM convo.spare_schemas", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(total, 3, "the pool holds its target, no more");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creations_never_get_the_same_schema() {
    let app = spawn_with_spares(4).await;
    let spare_oids: Vec<u32> = spares_in_db(&app).await.iter().map(|s| s.1).collect();
    let mut humans = Vec::new();
    for i in 0..8 {
        humans.push(app.human(&format!("H{i}")).await);
    }
    // Distinct names, so the creators do not queue on one name's lock: only the spare
    // pool's row locks keep them apart.
    let results = futures::future::join_all(humans.iter().enumerate().map(|(i, h)| {
        app.post(
            "/api/tenants",
            &h.api_key,
            json!({"name": format!("Org {i}")}),
        )
        .send()
    }))
    .await;
    let mut oids = Vec::new();
    for resp in results {
        let (status, body) = json_of(resp.unwrap()).await;
        assert_eq!(status, 200, "{body}");
        let schema = body["schema_name"].as_str().unwrap().to_string();
        assert_eq!(history(&app, &schema).await.last(), Some(&latest()));
        oids.push(schema_oid(&app, &schema).await.unwrap());
    }
    let from_spares = oids.iter().filter(|o| spare_oids.contains(o)).count();
    assert!(from_spares >= 1, "some creations took spares");
    oids.sort();
    oids.dedup();
    assert_eq!(oids.len(), 8, "eight distinct schemas");
    assert_eq!(tenant_count(&app).await, 8);
}

#[tokio::test]
async fn two_transactions_never_take_the_same_spare() {
    let app = spawn_with_spares(1).await;
    let first = app.state.db.pool.get().await.unwrap();
    let second = app.state.db.pool.get().await.unwrap();
    first.batch_execute("BEGIN").await.unwrap();
    second.batch_execute("BEGIN").await.unwrap();
    let a = SchemaName::parse("tenant_a").unwrap();
    let b = SchemaName::parse("tenant_b").unwrap();
    assert!(spares::take(&first, latest(), &a).await.unwrap());
    // The only spare is row-locked by the first: the second skips it rather than wait.
    assert!(!spares::take(&second, latest(), &b).await.unwrap());
    first.batch_execute("COMMIT").await.unwrap();
    second.batch_execute("ROLLBACK").await.unwrap();
    assert!(schema_oid(&app, "tenant_a").await.is_some());
}

#[tokio::test]
async fn a_failed_creation_leaves_the_spare_a_spare_and_no_tenant() {
    let app = spawn_with_spares(1).await;
    let spare = spares_in_db(&app).await.remove(0);
    let alice = app.human("Alice").await;
    let creator = uuid::Uuid::parse_str(&alice.actor_id).unwrap();
    let db = app.db().await;
    // Fails the creating transaction after the spare was renamed, at the tenant's insert.
    db.batch_execute(
        "CREATE FUNCTION public.nope() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
         CREATE TRIGGER doomed BEFORE INSERT ON convo.tenants FOR EACH ROW
             WHEN (NEW.name = 'Doomed') EXECUTE FUNCTION public.nope();",
    )
    .await
    .unwrap();
    let mut conn = ControlConn::get(&app.state.db.pool).await.unwrap();
    let err = provision::create_tenant(
        &mut conn,
        "Doomed",
        creator,
        &migrations::tenant_migrations(),
        provision::TenantQuota::UNLIMITED,
    )
    .await
    .unwrap_err();
    assert!(format!("{err:?}").contains("injected failure"), "{err:?}");
    assert_eq!(
        spares_in_db(&app).await,
        vec![spare.clone()],
        "still a spare"
    );
    assert_eq!(schema_oid(&app, "tenant_doomed").await, None);
    assert_eq!(tenant_count(&app).await, 0);

    db.batch_execute("DROP TRIGGER doomed ON convo.tenants")
        .await
        .unwrap();
    let retried = app.tenant(&alice, "Doomed").await;
    assert_eq!(retried["schema_name"], "tenant_doomed");
    assert_eq!(schema_oid(&app, "tenant_doomed").await, Some(spare.1));
}

#[tokio::test]
async fn a_spare_behind_the_creator_is_never_handed_out() {
    let app = spawn_with_spares(1).await;
    let spare = spares_in_db(&app).await.remove(0);
    let alice = app.human("Alice").await;
    let creator = uuid::Uuid::parse_str(&alice.actor_id).unwrap();
    // A newer release creating a tenant: the spare lacks its V900.
    let mut next = migrations::tenant_migrations();
    next.push(
        Migration::unapplied(
            "V900__space_notes",
            "ALTER TABLE spaces ADD COLUMN note text",
        )
        .unwrap(),
    );
    let mut conn = ControlConn::get(&app.state.db.pool).await.unwrap();
    let tenant = provision::create_tenant(
        &mut conn,
        "Newer",
        creator,
        &next,
        provision::TenantQuota::UNLIMITED,
    )
    .await
    .unwrap();
    let schema = tenant.schema_name.as_str();
    assert_eq!(history(&app, schema).await.last(), Some(&900));
    assert_ne!(schema_oid(&app, schema).await, Some(spare.1));
    assert_eq!(
        spares_in_db(&app).await,
        vec![spare],
        "left for its own release"
    );
}

/// `convo migrate` as an operator runs it, against the app's database.
async fn convo_migrate(app: &TestApp, spares: u32) -> anyhow::Result<()> {
    use clap::Parser;
    let spares = spares.to_string();
    convo::cli::Cli::parse_from([
        "convo",
        "migrate",
        "--database-url",
        app.database_url.as_str(),
        "--concurrency",
        "2",
        "--spare-schemas",
        spares.as_str(),
    ])
    .run()
    .await
}

#[tokio::test]
async fn convo_migrate_migrates_spares_and_tops_the_pool_up() {
    let app = TestApp::spawn().await; // the server's pool is off: only `convo migrate` acts
    let mut client = app.state.db.dedicated().await.unwrap();
    let all = migrations::tenant_migrations();
    // A spare from an older release (only the first migration), and one whose creation
    // stopped before its schema existed.
    let old = SchemaName::parse("convo_spare_old").unwrap();
    let crashed = SchemaName::parse("convo_spare_crashed").unwrap();
    migrations::migrate_tenant(&mut client, &old, &all[..1])
        .await
        .unwrap();
    let (t0, t1) = (
        chrono::Utc::now(),
        chrono::Utc::now() + chrono::TimeDelta::seconds(1),
    );
    client
        .execute(
            "INSERT INTO convo.spare_schemas VALUES ($1, $2, $4), ($3, NULL, $5)",
            &[
                &old.as_str(),
                &all[0].version(),
                &crashed.as_str(),
                &t0,
                &t1,
            ],
        )
        .await
        .unwrap();

    convo_migrate(&app, 3).await.unwrap();
    let spares = spares_in_db(&app).await;
    let names: Vec<&str> = spares.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(names.len(), 3, "topped up to the target");
    assert!(names.contains(&old.as_str()) && names.contains(&crashed.as_str()));
    for name in names {
        assert_eq!(history(&app, name).await.last(), Some(&latest()), "{name}");
    }
    // A tenant may now take the once-old spare, the oldest.
    assert_eq!(spares[0].0, old.as_str());
    let alice = app.human("Alice").await;
    let oid = spares[0].1;
    let tenant = app.tenant(&alice, "Acme").await;
    assert_eq!(
        schema_oid(&app, tenant["schema_name"].as_str().unwrap()).await,
        Some(oid)
    );
}

#[tokio::test]
async fn convo_migrate_opens_only_tenants_not_recorded_as_current() {
    let app = TestApp::spawn().await;
    for name in ["Current", "Unknown"] {
        let owner = app.human(name).await;
        app.tenant(&owner, name).await;
    }
    let db = app.db().await;
    // Opening the current tenant would fail: its history is gone, so every migration would
    // run again over existing tables. Recorded as current, it is not opened at all.
    db.batch_execute(
        "ALTER TABLE tenant_current.refinery_schema_history RENAME TO hidden_history;
         UPDATE convo.tenants SET schema_version = NULL WHERE schema_name = 'tenant_unknown';",
    )
    .await
    .unwrap();
    convo_migrate(&app, 0).await.unwrap();
    let versions: Vec<(String, Option<i32>)> = db
        .query(
            "SELECT schema_name, schema_version FROM convo.tenants ORDER BY schema_name",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        versions,
        [
            ("tenant_current".to_string(), Some(latest())),
            ("tenant_unknown".to_string(), Some(latest()))
        ],
        "the unknown version was opened and recorded"
    );
    let history = db
        .query_opt(
            "SELECT 1 FROM pg_tables WHERE schemaname = 'tenant_current'
             AND tablename = 'refinery_schema_history'",
            &[],
        )
        .await
        .unwrap();
    assert!(history.is_none(), "the current tenant was not opened");
}
