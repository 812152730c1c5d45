//! Every write into a space against an archive that lands while the write is in flight: the
//! test holds the space row locked, starts the write, waits until PostgreSQL shows the write
//! blocked on that lock, archives and commits; the write must then answer as in an archived
//! space and leave nothing behind.

use serde_json::{Value, json};

use crate::helpers::{Actor, TestApp, json_of};

/// Alice, in a tenant of her own, with an active space `room`; and the tenant's schema.
async fn alices_room(app: &TestApp) -> (Actor, String) {
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let schema = app.schema_of("Alice Org").await;
    (alice, schema)
}

/// Send `write` while `room` is locked, archive the space once the write waits for the lock,
/// and return the write's answer.
async fn write_racing_an_archive(
    app: &TestApp,
    schema: &str,
    write: reqwest::RequestBuilder,
) -> (u16, Value) {
    let holder = app.db().await;
    holder
        .batch_execute(&format!(
            "BEGIN; SET LOCAL search_path TO \"{schema}\";
             SELECT 1 FROM spaces WHERE space_id = 'room' FOR UPDATE"
        ))
        .await
        .unwrap();
    let holder_pid: i32 = holder
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    let write = tokio::spawn(async move { json_of(write.send().await.unwrap()).await });

    let watcher = app.db().await;
    let blocked = async {
        loop {
            let waiting: bool = watcher
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_stat_activity
                                    WHERE $1 = ANY (pg_blocking_pids(pid)))",
                    &[&holder_pid],
                )
                .await
                .unwrap()
                .get(0);
            if waiting {
                break;
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(30), blocked)
        .await
        .expect("the write waits for the space's row lock");

    holder
        .batch_execute(
            "UPDATE spaces SET status = 'archived', ended_at = now() WHERE space_id = 'room';
             COMMIT",
        )
        .await
        .unwrap();
    write.await.unwrap()
}

async fn count(app: &TestApp, schema: &str, table: &str) -> i64 {
    app.db()
        .await
        .query_one(&format!("SELECT count(*) FROM \"{schema}\".{table}"), &[])
        .await
        .unwrap()
        .get(0)
}

fn not_active() -> (u16, Value) {
    (409, json!({"detail": "Space is not active"}))
}

#[tokio::test]
async fn speech_racing_an_archive_is_refused() {
    let app = TestApp::spawn().await;
    let (alice, schema) = alices_room(&app).await;
    let write = app.post(
        "/api/spaces/room/speech",
        &alice.api_key,
        json!({"text": "just in time?"}),
    );
    assert_eq!(
        write_racing_an_archive(&app, &schema, write).await,
        not_active()
    );
    assert_eq!(count(&app, &schema, "events").await, 0);
}

#[tokio::test]
async fn a_thread_racing_an_archive_is_refused() {
    let app = TestApp::spawn().await;
    let (alice, schema) = alices_room(&app).await;
    let (s, parent) = json_of(
        app.post(
            "/api/spaces/room/speech",
            &alice.api_key,
            json!({"text": "a parent"}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{parent}");
    let write = app.post(
        "/api/spaces/room/threads",
        &alice.api_key,
        json!({"parent_event_id": parent["event_id"]}),
    );
    assert_eq!(
        write_racing_an_archive(&app, &schema, write).await,
        not_active()
    );
    assert_eq!(count(&app, &schema, "threads").await, 0);
}

#[tokio::test]
async fn a_proposal_racing_an_archive_is_refused() {
    let app = TestApp::spawn().await;
    let (alice, schema) = alices_room(&app).await;
    let write = app.post(
        "/api/spaces/room/decisions",
        &alice.api_key,
        json!({"text": "ship it"}),
    );
    assert_eq!(
        write_racing_an_archive(&app, &schema, write).await,
        not_active()
    );
    assert_eq!(count(&app, &schema, "decisions").await, 0);
}
