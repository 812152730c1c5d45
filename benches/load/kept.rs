//! `CONVO_BENCH_SPREAD_DB=<name>`: run the spread scenario on a database kept between runs,
//! so provisioning 10,000 tenants (~7 minutes) is paid once, not per run.
//!
//! The first run creates the database, provisions it and records what the next runs need
//! (the bench actor's key and schema, the page cursor, every tenant's key) in a table of its
//! own, `public.convo_bench_kept`; later runs find that row and start measuring at once. The
//! database is never dropped by the harness: drop it by hand (`DROP DATABASE <name>`) when
//! done. The scenario only reads, so runs on a kept database measure the same thing as runs
//! on a fresh one (each run starts a new server, so its backends start with cold caches).

use tokio_postgres::Client;

use super::server::{Database, connect};

/// The kept database's name, when one is asked for.
pub fn name() -> Option<String> {
    std::env::var("CONVO_BENCH_SPREAD_DB")
        .ok()
        .filter(|n| !n.is_empty())
}

/// What a provisioned kept database holds for the spread scenario.
pub struct Setup {
    pub actor_key: String,
    pub actor_id: String,
    pub schema: String,
    pub cursor: String,
    /// The keys of the `tenants - 1` bulk-provisioned tenants.
    pub keys: Vec<String>,
}

/// The recorded set-up, if `db` was provisioned for `tenants` tenants by an earlier run.
pub async fn load(db: &Database, tenants: usize) -> Option<Setup> {
    let client = connect(&db.config).await;
    create_table(&client).await;
    let row = client
        .query_opt(
            "SELECT actor_key, actor_id, schema, cursor, keys FROM convo_bench_kept
             WHERE tenants = $1",
            &[&(tenants as i32)],
        )
        .await
        .unwrap()?;
    Some(Setup {
        actor_key: row.get(0),
        actor_id: row.get(1),
        schema: row.get(2),
        cursor: row.get(3),
        keys: row.get(4),
    })
}

/// Record a finished provisioning, for the next run.
pub async fn save(db: &Database, tenants: usize, setup: &Setup) {
    let client = connect(&db.config).await;
    create_table(&client).await;
    client
        .execute(
            "INSERT INTO convo_bench_kept VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &(tenants as i32),
                &setup.actor_key,
                &setup.actor_id,
                &setup.schema,
                &setup.cursor,
                &setup.keys,
            ],
        )
        .await
        .unwrap();
}

async fn create_table(client: &Client) {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS public.convo_bench_kept (
                tenants int PRIMARY KEY, actor_key text NOT NULL, actor_id text NOT NULL,
                schema text NOT NULL, cursor text NOT NULL, keys text[] NOT NULL)",
        )
        .await
        .unwrap();
}

/// A kept database holds one provisioning; a run asking for another tenant count would mix
/// tenants of two runs (the bulk schemas are numbered from 0), so it is refused.
pub async fn check_single(db: &Database, tenants: usize) {
    let client = connect(&db.config).await;
    create_table(&client).await;
    let other: Option<i32> = client
        .query_opt(
            "SELECT tenants FROM convo_bench_kept WHERE tenants <> $1",
            &[&(tenants as i32)],
        )
        .await
        .unwrap()
        .map(|r| r.get(0));
    assert!(
        other.is_none(),
        "{} was provisioned for {} tenants; use another CONVO_BENCH_SPREAD_DB for {tenants}",
        db.name,
        other.unwrap_or_default()
    );
}
