//! `convo migrate` across many tenant schemas: interrupted runs resume, failures are per
//! tenant and keep what was applied, and a re-run finishes the job.

use std::collections::BTreeMap;

use convo::tenancy::migrations::{self, TenantOutcome};
use refinery::Migration;

use crate::{
    helpers::TestApp,
    metrics::{scrape, value},
};

async fn run(
    app: &TestApp,
    schemas: Vec<convo::tenancy::SchemaName>,
    set: &[Migration],
) -> Vec<TenantOutcome> {
    let mut outcomes = Vec::new();
    migrations::migrate_tenants(&app.state.db, schemas, set, 4, |o| outcomes.push(o)).await;
    outcomes
}

/// Tenants by `convo.tenants.schema_version`, what /metrics reports.
async fn recorded_versions(app: &TestApp) -> BTreeMap<Option<i32>, i64> {
    app.db()
        .await
        .query(
            "SELECT schema_version, count(*) FROM convo.tenants GROUP BY schema_version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_migration_resumes_and_finishes() {
    let app = TestApp::spawn().await;
    for i in 0..12 {
        let owner = app.human(&format!("Owner{i}")).await;
        app.tenant(&owner, &format!("Org {i}")).await;
    }
    let schemas = migrations::tenant_schemas(&app.state.db).await.unwrap();
    assert_eq!(schemas.len(), 13, "12 tenants and the default schema");
    let mut next = migrations::tenant_migrations();
    next.push(
        Migration::unapplied(
            "V900__space_notes",
            "ALTER TABLE spaces ADD COLUMN note text",
        )
        .unwrap(),
    );

    // The process dies after half the tenants.
    let outcomes = run(&app, schemas[..6].to_vec(), &next).await;
    assert!(
        outcomes
            .iter()
            .all(|o| o.result.as_ref().is_ok_and(|n| *n == 1))
    );
    let versions = migrations::tenant_versions(&app.state.db).await.unwrap();
    assert_eq!(versions, BTreeMap::from([(Some(3), 7), (Some(900), 6)]));
    // The default schema (first) has no row in convo.tenants.
    assert_eq!(
        recorded_versions(&app).await,
        BTreeMap::from([(Some(3), 7), (Some(900), 5)])
    );

    // A broken follow-up fails per tenant, each keeping what it had applied.
    let mut broken = next.clone();
    broken.push(
        Migration::unapplied("V901__broken", "ALTER TABLE nowhere ADD COLUMN x int").unwrap(),
    );
    let outcomes = run(&app, schemas.clone(), &broken).await;
    assert_eq!(outcomes.len(), 13);
    assert!(outcomes.iter().all(|o| o.result.is_err()));
    let message = format!("{:#}", outcomes[0].result.as_ref().unwrap_err());
    assert!(
        message.contains("nowhere"),
        "the PostgreSQL error is shown: {message}"
    );
    let versions = migrations::tenant_versions(&app.state.db).await.unwrap();
    assert_eq!(
        versions,
        BTreeMap::from([(Some(900), 13)]),
        "V900 was applied everywhere before V901 failed"
    );
    assert_eq!(
        recorded_versions(&app).await,
        BTreeMap::from([(Some(900), 12)])
    );

    // Re-run with the fix: everything finishes; a further run finds all current.
    let mut fixed = next.clone();
    fixed.push(
        Migration::unapplied(
            "V901__space_tags",
            "ALTER TABLE spaces ADD COLUMN tags text[]",
        )
        .unwrap(),
    );
    let outcomes = run(&app, schemas.clone(), &fixed).await;
    assert!(
        outcomes
            .iter()
            .all(|o| o.result.as_ref().is_ok_and(|n| *n == 1))
    );
    assert_eq!(
        migrations::tenant_versions(&app.state.db).await.unwrap(),
        BTreeMap::from([(Some(901), 13)])
    );
    let samples = scrape(&app).await;
    assert_eq!(
        value(
            &samples,
            "convo_tenant_schema_version{",
            &["version=\"901\""]
        ),
        12.0
    );
    assert_eq!(value(&samples, "convo_tenant_schema_version{", &[]), 12.0);
    let outcomes = run(&app, schemas, &fixed).await;
    assert!(
        outcomes
            .iter()
            .all(|o| o.result.as_ref().is_ok_and(|n| *n == 0))
    );
}

#[tokio::test]
async fn recorded_schema_versions_are_backfilled_and_repaired() {
    let app = TestApp::spawn().await;
    for i in 0..3 {
        let owner = app.human(&format!("Owner{i}")).await;
        app.tenant(&owner, &format!("Org {i}")).await;
    }
    let latest = migrations::tenant_migrations()
        .iter()
        .map(|m| m.version())
        .max();
    assert_eq!(
        recorded_versions(&app).await,
        BTreeMap::from([(latest, 3)]),
        "tenant creation records the version"
    );
    let db = app.db().await;

    // Tenants created before the column existed: the migration's backfill finds them.
    let forget = "UPDATE convo.tenants SET schema_version = NULL";
    db.batch_execute(forget).await.unwrap();
    let migration = include_str!("../../migrations/V5__tenant_schema_version.sql");
    let backfill = &migration[migration.find("DO $$").unwrap()..];
    db.batch_execute(backfill).await.unwrap();
    assert_eq!(recorded_versions(&app).await, BTreeMap::from([(latest, 3)]));

    // A run with nothing to apply still repairs a lost value.
    db.batch_execute(forget).await.unwrap();
    let schemas = migrations::tenant_schemas(&app.state.db).await.unwrap();
    let outcomes = run(&app, schemas, &migrations::tenant_migrations()).await;
    assert!(
        outcomes
            .iter()
            .all(|o| o.result.as_ref().is_ok_and(|n| *n == 0))
    );
    assert_eq!(recorded_versions(&app).await, BTreeMap::from([(latest, 3)]));
}
