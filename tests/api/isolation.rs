//! Tenant isolation under concurrency: more tenants than pooled connections, hammered at
//! once; every scoped read sees only its own tenant's rows.

use crate::helpers::Call;
use std::collections::HashMap;

use convo::tenancy::{SchemaName, TenantTx};

use crate::helpers::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scoped_sessions_never_see_another_tenant() {
    let app = TestApp::spawn().await; // pool size 4
    let mut schemas = Vec::new();
    for i in 0..10 {
        let human = app.human(&format!("Owner{i}")).await;
        let tenant = app.tenant(&human, &format!("Org {i}")).await;
        let schema = SchemaName::parse(tenant["schema_name"].as_str().unwrap()).unwrap();
        let tx = TenantTx::begin(&app.state.db.pool, &schema).await.unwrap();
        tx.client()
            .execute(
                "INSERT INTO spaces (space_id) VALUES ($1)",
                &[&format!("marker-{schema}")],
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        schemas.push(schema);
    }
    let tasks = (0..400).map(|i| {
        let pool = app.state.db.pool.clone();
        let schema = schemas[i % schemas.len()].clone();
        tokio::spawn(async move {
            let tx = TenantTx::begin(&pool, &schema).await.unwrap();
            let stmt = tx
                .client()
                .prepare_cached("SELECT space_id FROM spaces")
                .await
                .unwrap();
            let rows = tx.client().query(&stmt, &[]).await.unwrap();
            let seen: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
            // Half the sessions end without commit: the rollback path must also be clean.
            if i % 2 == 0 {
                tx.commit().await.unwrap();
            }
            (schema, seen)
        })
    });
    let mut counts: HashMap<SchemaName, usize> = HashMap::new();
    for task in futures::future::join_all(tasks).await {
        let (schema, seen) = task.unwrap();
        assert_eq!(seen, vec![format!("marker-{schema}")]);
        *counts.entry(schema).or_default() += 1;
    }
    assert_eq!(counts.len(), 10);
}

#[tokio::test]
async fn unscoped_pool_connections_cannot_read_tenant_tables() {
    let app = TestApp::spawn().await;
    let conn = app.state.db.pool.get().await.unwrap();
    let err = conn.query("SELECT * FROM spaces", &[]).await.unwrap_err();
    assert!(convo::error::db_message(&err).contains("does not exist"));
    // ... and a rolled-back scoped session leaves no path behind.
    drop(conn);
    let tx = TenantTx::begin(&app.state.db.pool, &SchemaName::default_tenant())
        .await
        .unwrap();
    drop(tx);
    for _ in 0..4 {
        let conn = app.state.db.pool.get().await.unwrap();
        let path: String = conn
            .query_one("SHOW search_path", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(path, "convo_unscoped");
    }
}

#[tokio::test]
async fn tenant_of_another_actor_is_not_readable() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let bob = app.human("Bob").await;
    let acme = app.tenant(&alice, "Acme").await;
    let path = format!("/api/tenants/{}", acme["tenant_id"].as_str().unwrap());
    let (status, body) = app.get(&path, &bob.api_key).call().await;
    assert_eq!(status, 403);
    assert!(body.get("schema_name").is_none());
}
