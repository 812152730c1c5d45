//! Schemas as Citus needs them (docs/citus.md), checked on plain PostgreSQL: each schema is
//! created once, when missing, with `citus.enable_schema_based_sharding` set for its
//! placement (off for the control plane and the default schema, on for tenants); restarts and
//! `convo migrate` never issue `CREATE SCHEMA` for a schema that exists. An event trigger
//! records every `CREATE SCHEMA` with the setting in force when it ran.

use convo::tenancy::migrations;

use crate::helpers::{TestApp, fresh_database, serve_config};

const RECORD_CREATIONS: &str = "
    CREATE TABLE public.schema_creations (
        seq      serial PRIMARY KEY,
        schema   text NOT NULL,
        sharding text
    );
    CREATE FUNCTION public.record_schema_creation() RETURNS event_trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO public.schema_creations (schema, sharding)
        SELECT object_identity, current_setting('citus.enable_schema_based_sharding', true)
        FROM pg_event_trigger_ddl_commands();
    END
    $$;
    CREATE EVENT TRIGGER record_schema_creation ON ddl_command_end
        WHEN TAG IN ('CREATE SCHEMA') EXECUTE FUNCTION public.record_schema_creation();
";

async fn creations(app: &TestApp) -> Vec<(String, Option<String>)> {
    app.db()
        .await
        .query(
            "SELECT schema, sharding FROM public.schema_creations ORDER BY seq",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect()
}

fn created(list: &[(&str, &str)]) -> Vec<(String, Option<String>)> {
    list.iter()
        .map(|(schema, sharding)| (schema.to_string(), Some(sharding.to_string())))
        .collect()
}

#[tokio::test]
async fn schemas_are_created_once_with_their_placement() {
    let url = fresh_database().await;
    {
        let config: tokio_postgres::Config = url.parse().unwrap();
        let (client, conn) = config.connect(tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        client.batch_execute(RECORD_CREATIONS).await.unwrap();
    }
    let app = TestApp::spawn_with(serve_config(&url)).await;
    let started = created(&[("convo", "off"), ("convo_default", "off")]);
    assert_eq!(creations(&app).await, started);

    let alice = app.human("Alice").await;
    app.tenant(&alice, "Acme").await;
    let mut expected = started.clone();
    expected.extend(created(&[("tenant_acme", "on")]));
    assert_eq!(creations(&app).await, expected);

    // A second replica starting, and `convo migrate`, find every schema in place.
    let replica = app.replica().await;
    let mut client = app.state.db.dedicated().await.unwrap();
    assert_eq!(
        migrations::migrate_control_plane(&mut client)
            .await
            .unwrap(),
        0
    );
    let outcomes = migrations::migrate_all_tenants(&app.state.db, 2)
        .await
        .unwrap();
    assert_eq!(outcomes.len(), 2);
    assert!(
        outcomes
            .iter()
            .all(|o| o.result.as_ref().is_ok_and(|n| *n == 0))
    );
    assert_eq!(creations(&app).await, expected, "nothing was re-created");
    replica.stop().await;

    // A tenant schema that went missing is created again by migrate, distributed.
    app.db()
        .await
        .batch_execute("DROP SCHEMA tenant_acme CASCADE")
        .await
        .unwrap();
    let outcomes = migrations::migrate_all_tenants(&app.state.db, 2)
        .await
        .unwrap();
    assert!(outcomes.iter().all(|o| o.result.is_ok()));
    expected.extend(created(&[("tenant_acme", "on")]));
    assert_eq!(creations(&app).await, expected);
}
