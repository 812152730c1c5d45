//! `CONVO_DB_POOLER`: in transaction mode no named prepared statement is left on any pooled
//! connection (a transaction-mode pooler may hand the next transaction another backend), and
//! what needs a session goes to the direct URL. These run on PostgreSQL itself, so they check
//! the mode in every CI run; CI also runs the whole suite through PgBouncer (`.ci/run`).

use convo::{
    config::{Pooler, ServeConfig},
    tenancy::{SchemaName, TenantTx},
};
use serde_json::json;

use crate::helpers::{TestApp, fresh_database, serve_config};

/// A config for `mode`: in a transaction mode the pool goes wherever the suite's pooler
/// setting says (PgBouncer in CI's second run), in session mode to PostgreSQL itself (a
/// transaction-mode pooler would refuse its startup options).
fn config_in(mode: Pooler, database_url: &str) -> ServeConfig {
    let mut config = serve_config(database_url);
    config.db.pooler = mode;
    config.db.direct_database_url = Some(database_url.to_string());
    if mode.is_session() {
        config.db.database_url = Some(database_url.to_string());
    }
    config
}

/// Requests touching both planes: registration, a tenant, a space, writes and reads.
async fn traffic(app: &TestApp) {
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    for i in 0..5 {
        let resp = app
            .post(
                "/api/spaces/room/speech",
                &alice.api_key,
                json!({"text": format!("hi {i}")}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let resp = app
            .get("/api/spaces/room/events?limit=10", &alice.api_key)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let resp = app
        .get("/api/actors/me", &alice.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

/// Prepared statements on each connection of the server's pool, all held at once so each is
/// counted once. Counted in the simple-query protocol, which prepares nothing itself.
async fn statements_per_connection(app: &TestApp) -> Vec<i64> {
    let pool = &app.state.db.pool;
    let size = pool.status().max_size;
    let conns = futures::future::try_join_all((0..size).map(|_| pool.get()))
        .await
        .unwrap();
    let mut counts = Vec::new();
    for conn in &conns {
        let rows = conn
            .simple_query("SELECT count(*) FROM pg_prepared_statements")
            .await
            .unwrap();
        let count = rows.iter().find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
            _ => None,
        });
        counts.push(count.unwrap().parse().unwrap());
    }
    counts
}

#[tokio::test]
async fn transaction_mode_leaves_no_prepared_statement_on_any_connection() {
    let app = TestApp::spawn_with(config_in(Pooler::Transaction, &fresh_database().await)).await;
    traffic(&app).await;
    let counts = statements_per_connection(&app).await;
    assert!(
        counts.iter().all(|&n| n == 0),
        "statements left: {counts:?}"
    );
}

/// The control: session mode caches statements per connection, so the count above can fail.
#[tokio::test]
async fn session_mode_caches_prepared_statements_per_connection() {
    let app = TestApp::spawn_with(config_in(Pooler::Session, &fresh_database().await)).await;
    traffic(&app).await;
    let counts = statements_per_connection(&app).await;
    assert!(counts.iter().sum::<i64>() > 5, "statements: {counts:?}");
}

/// A transaction-mode pooler drops startup options, so the statement timeout a session-mode
/// pool sets at connect travels with each tenant transaction's BEGIN instead.
#[tokio::test]
async fn tenant_transactions_carry_the_statement_timeout_in_transaction_mode() {
    let mut config = config_in(Pooler::Transaction, &fresh_database().await);
    config.db.statement_timeout_secs = 7;
    let app = TestApp::spawn_with(config).await;
    let tx = TenantTx::begin(&app.state.db.pool, &SchemaName::default_tenant())
        .await
        .unwrap();
    let row = tx
        .client()
        .query_one("SELECT current_setting('statement_timeout')", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "7s");
    tx.commit().await.unwrap();
}

/// Statements with parameters of many types, inside a transaction and outside one, give the
/// same rows in both modes (the transaction mode sends them unnamed, with learned types).
#[tokio::test]
async fn statements_give_the_same_rows_in_both_modes() {
    let database_url = fresh_database().await;
    let sql = "SELECT $1::uuid, $2::text[], $3::jsonb, $4::timestamptz, $5::int8 + 1";
    let id = uuid::Uuid::new_v4();
    let tags = vec!["a".to_string(), "b".to_string()];
    let meta = json!({"k": [1, 2]});
    let at = chrono::Utc::now();
    let mut seen = Vec::new();
    for mode in [Pooler::Session, Pooler::Transaction] {
        let app = TestApp::spawn_with(config_in(mode, &database_url)).await;
        let conn = app.state.db.pool.get().await.unwrap();
        for _ in 0..2 {
            let stmt = conn.prepare_cached(sql).await.unwrap();
            let row = conn
                .query_one(&stmt, &[&id, &tags, &meta, &at, &41i64])
                .await
                .unwrap();
            let values = (
                row.get::<_, uuid::Uuid>(0),
                row.get::<_, Vec<String>>(1),
                row.get::<_, serde_json::Value>(2),
                row.get::<_, chrono::DateTime<chrono::Utc>>(3),
                row.get::<_, i64>(4),
            );
            seen.push(values);
            // Outside a transaction, by text: one message, whatever backend answers.
            let n = conn
                .execute("SELECT pg_notify($1, $2)", &[&"convo_test", &"x"])
                .await;
            assert_eq!(n.unwrap(), 1);
            // A wrong parameter count is an error, not a silently dropped parameter.
            assert!(conn.query_one(&stmt, &[&id]).await.is_err());
        }
        app.stop().await;
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "{seen:?}");
    assert_eq!(seen[0].4, 42);
}

#[tokio::test]
async fn transaction_mode_without_a_direct_url_is_refused() {
    let mut config = config_in(Pooler::Transaction, &fresh_database().await);
    config.db.direct_database_url = None;
    let Err(err) = convo::app::App::build(config).await else {
        panic!("a transaction-mode pool without a direct URL must not start");
    };
    assert!(
        format!("{err:#}").contains("CONVO_DIRECT_DATABASE_URL"),
        "{err:#}"
    );
}
