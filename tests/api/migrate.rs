//! `convo migrate` across many tenant schemas: interrupted runs resume, failures are per
//! tenant and keep what was applied, and a re-run finishes the job.

use std::collections::BTreeMap;

use convo::tenancy::migrations::{self, TenantOutcome};
use refinery::Migration;

use crate::helpers::TestApp;

async fn run(
    app: &TestApp,
    schemas: Vec<convo::tenancy::SchemaName>,
    set: &[Migration],
) -> Vec<TenantOutcome> {
    let mut outcomes = Vec::new();
    migrations::migrate_tenants(&app.state.db, schemas, set, 4, |o| outcomes.push(o)).await;
    outcomes
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
    assert_eq!(versions, BTreeMap::from([(Some(2), 7), (Some(900), 6)]));

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
    let outcomes = run(&app, schemas, &fixed).await;
    assert!(
        outcomes
            .iter()
            .all(|o| o.result.as_ref().is_ok_and(|n| *n == 0))
    );
}
