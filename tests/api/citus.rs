//! On a real Citus cluster, only when `CONVO_CITUS_DATABASE_URL` names its coordinator's
//! database (docs/citus.md#verifying-a-cluster); without it these tests return at once, as
//! Citus cannot be installed on CI. They work in schemas of their own, dropped at the end, so
//! the cluster's tenants and `convo migrate` are untouched.

use convo::tenancy::{SchemaName, migrations};
use refinery::Migration;
use tokio_postgres::NoTls;

async fn cluster() -> Option<tokio_postgres::Client> {
    let url = std::env::var("CONVO_CITUS_DATABASE_URL").ok()?;
    let (client, conn) = url
        .parse::<tokio_postgres::Config>()
        .unwrap()
        .connect(NoTls)
        .await
        .expect("CONVO_CITUS_DATABASE_URL connects");
    tokio::spawn(conn);
    Some(client)
}

fn scratch_schema() -> SchemaName {
    SchemaName::parse(&format!("citus_check_{}", uuid::Uuid::new_v4().simple())).unwrap()
}

async fn distributed(client: &tokio_postgres::Client, schema: &SchemaName) -> bool {
    client
        .query_one(
            "SELECT EXISTS (SELECT FROM citus_schemas WHERE schema_name::text = $1)",
            &[&schema.as_str()],
        )
        .await
        .unwrap()
        .get(0)
}

async fn drop_schema(client: &tokio_postgres::Client, schema: &SchemaName) {
    client
        .batch_execute(&format!("DROP SCHEMA {} CASCADE", schema.quoted()))
        .await
        .unwrap();
}

/// The runner creates a distributed schema and migrates it one statement at a time, later
/// migrations included; what Citus refuses (and the lint refuses) fails as expected.
#[tokio::test]
async fn tenant_migrations_run_on_a_distributed_schema() {
    let Some(mut client) = cluster().await else {
        return;
    };
    let schema = scratch_schema();
    let mut set = migrations::tenant_migrations();
    set.push(
        Migration::unapplied(
            "V900__notes",
            "ALTER TABLE spaces ADD COLUMN note text;\n\
             ALTER TABLE spaces ADD CONSTRAINT spaces_note_short CHECK (length(note) < 100);\n\
             CREATE INDEX spaces_note_idx ON spaces (note);",
        )
        .unwrap(),
    );
    let applied = migrations::migrate_tenant(&mut client, &schema, &set).await;
    let placed = distributed(&client, &schema).await;
    let tables: i64 = client
        .query_one(
            "SELECT count(*) FROM citus_tables WHERE table_name::text LIKE $1 || '.%'",
            &[&schema.as_str()],
        )
        .await
        .unwrap()
        .get(0);

    // Both of what the runner and the lint exist for, shown on the schema as it is now.
    let mut one_batch = Migration::unapplied(
        "V901__batch",
        "CREATE TABLE batch_a (id int CONSTRAINT batch_a_pk PRIMARY KEY);\n\
         CREATE INDEX batch_a_idx ON batch_a (id);",
    )
    .unwrap();
    let batch = client
        .batch_execute(&format!(
            "BEGIN; SET LOCAL search_path TO {}; {}; COMMIT",
            schema.quoted(),
            one_batch.sql().unwrap()
        ))
        .await;
    client.batch_execute("ROLLBACK").await.unwrap();
    one_batch = Migration::unapplied(
        "V901__two_subcommands",
        "ALTER TABLE spaces ADD COLUMN a int, ADD CONSTRAINT spaces_a CHECK (a > 0);",
    )
    .unwrap();
    set.push(one_batch);
    let two_subcommands = migrations::migrate_tenant(&mut client, &schema, &set).await;
    drop_schema(&client, &schema).await;

    assert_eq!(applied.unwrap(), 3);
    assert!(placed, "the schema is distributed");
    assert_eq!(tables, 8, "7 tables and the history, all distributed");
    let batch = batch.unwrap_err();
    assert!(
        convo::error::db_message(&batch).contains("multiple commands"),
        "{batch:?}"
    );
    let message = format!("{:#}", two_subcommands.unwrap_err());
    assert!(message.contains("other subcommands"), "{message}");
}

/// The default schema is created on the coordinator even with sharding on cluster-wide, and
/// an existing plain schema stays plain when migrated.
#[tokio::test]
async fn the_default_placement_stays_on_the_coordinator() {
    let Some(mut client) = cluster().await else {
        return;
    };
    let sharding: String = client
        .query_one("SHOW citus.enable_schema_based_sharding", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        sharding, "on",
        "the cluster distributes new schemas by default"
    );
    let schema = scratch_schema();
    client
        .batch_execute(&format!(
            "BEGIN; SET LOCAL citus.enable_schema_based_sharding = off; CREATE SCHEMA {}; COMMIT",
            schema.quoted()
        ))
        .await
        .unwrap();
    let applied =
        migrations::migrate_tenant(&mut client, &schema, &migrations::tenant_migrations()).await;
    let placed = distributed(&client, &schema).await;
    let default_placed = distributed(&client, &SchemaName::default_tenant()).await;
    let control_placed = distributed(&client, &SchemaName::parse("convo").unwrap()).await;
    drop_schema(&client, &schema).await;
    assert_eq!(applied.unwrap(), 2);
    assert!(
        !placed,
        "migrating an existing schema did not distribute it"
    );
    assert!(!default_placed && !control_placed);
}
