//! The statement-at-a-time runner keeps refinery's history: a schema refinery migrated (every
//! deployment before it) carries on without re-applying anything, refinery reads what the
//! runner writes (a rollback to an older binary works), and an edited shipped migration stops
//! both.

use convo::tenancy::{SchemaName, migrations};
use refinery::Migration;

use crate::helpers::TestApp;

/// What refinery's own runner does with `set` in `schema` (how earlier versions migrated).
async fn refinery_run(
    client: &mut tokio_postgres::Client,
    schema: &str,
    set: &[Migration],
) -> Result<usize, refinery::Error> {
    client
        .batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema}"
        ))
        .await
        .unwrap();
    let mut runner = refinery::Runner::new(set);
    runner.set_migration_table_name(format!("{schema}.{}", migrations::HISTORY_TABLE));
    let report = runner.set_abort_divergent(true).run_async(client).await;
    client.batch_execute("RESET search_path").await.unwrap();
    Ok(report?.applied_migrations().len())
}

async fn history(client: &tokio_postgres::Client, schema: &str) -> Vec<(i32, String, String)> {
    client
        .query(
            &format!(
                "SELECT version, name, checksum FROM {schema}.{} ORDER BY version",
                migrations::HISTORY_TABLE
            ),
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .collect()
}

#[tokio::test]
async fn refinery_and_the_runner_share_one_history() {
    let app = TestApp::spawn().await;
    let mut client = app.state.db.dedicated().await.unwrap();
    let schema = SchemaName::parse("tenant_legacy").unwrap();
    let shipped = migrations::tenant_migrations();

    // A schema migrated by refinery, as before: nothing to apply, the history untouched.
    assert_eq!(
        refinery_run(&mut client, schema.as_str(), &shipped)
            .await
            .unwrap(),
        shipped.len()
    );
    let before = history(&client, schema.as_str()).await;
    assert_eq!(
        migrations::migrate_tenant(&mut client, &schema, &shipped)
            .await
            .unwrap(),
        0
    );
    assert_eq!(history(&client, schema.as_str()).await, before);

    // A new migration with several statements, one a `$$` body holding `;`, applied by the
    // runner, then read by refinery as current.
    let mut next = shipped.clone();
    next.push(
        Migration::unapplied(
            "V900__notes",
            "CREATE TABLE notes (id int CONSTRAINT notes_pk PRIMARY KEY, body text);\n\
             CREATE INDEX notes_body_idx ON notes (body);\n\
             DO $$ BEGIN INSERT INTO notes VALUES (1, 'a; b'); END $$;",
        )
        .unwrap(),
    );
    assert_eq!(
        migrations::migrate_tenant(&mut client, &schema, &next)
            .await
            .unwrap(),
        1
    );
    let body: String = client
        .query_one("SELECT body FROM tenant_legacy.notes", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(body, "a; b");
    let after = history(&client, schema.as_str()).await;
    assert_eq!(after.len(), before.len() + 1);
    let checksum = next.last().unwrap().checksum().to_string();
    assert_eq!(after.last().unwrap(), &(900, "notes".to_string(), checksum));
    assert_eq!(
        refinery_run(&mut client, schema.as_str(), &next)
            .await
            .unwrap(),
        0
    );

    // A shipped migration edited afterwards stops both runners, and nothing is applied.
    let mut edited = next.clone();
    edited[0] = Migration::unapplied("V1__spaces", "SELECT 1").unwrap();
    edited.push(Migration::unapplied("V901__more", "CREATE TABLE more (id int)").unwrap());
    let err = migrations::migrate_tenant(&mut client, &schema, &edited)
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("V1__spaces"), "{err:#}");
    assert!(
        refinery_run(&mut client, schema.as_str(), &edited)
            .await
            .is_err()
    );
    assert_eq!(history(&client, schema.as_str()).await, after);
}

#[tokio::test]
async fn a_failing_statement_rolls_back_its_whole_migration() {
    let app = TestApp::spawn().await;
    let mut client = app.state.db.dedicated().await.unwrap();
    let schema = SchemaName::default_tenant();
    let mut next = migrations::tenant_migrations();
    next.push(
        Migration::unapplied(
            "V900__half",
            "CREATE TABLE half (id int);\nALTER TABLE nowhere ADD COLUMN x int;",
        )
        .unwrap(),
    );
    let err = migrations::migrate_tenant(&mut client, &schema, &next)
        .await
        .unwrap_err();
    let message = format!("{err:#}");
    assert!(
        message.contains("V900__half") && message.contains("nowhere"),
        "{message}"
    );
    let half: Option<String> = client
        .query_one("SELECT to_regclass('convo_default.half')::text", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        half, None,
        "the first statement was rolled back with the second"
    );
}
