//! Zero-configuration database: a private PostgreSQL started from the installed binaries.

use convo::db::local;

#[tokio::test]
async fn a_private_postgres_is_initialised_started_and_reused() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("private-pg-{}", uuid::Uuid::new_v4().simple()));
    let admin = local::start_private(&dir)
        .await
        .expect("private PostgreSQL starts");
    let config = local::ensure_database(&admin, local::DATABASE)
        .await
        .unwrap();
    let (client, conn) = config.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    let db: String = client
        .query_one("SELECT current_database()", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(db, "convo");
    // Listens on its own socket only, never on TCP.
    let listen: String = client
        .query_one("SHOW listen_addresses", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(listen, "");
    drop(client);
    // A second start finds it running and reuses the data folder.
    local::start_private(&dir)
        .await
        .expect("already running is fine");
    local::stop_private(&dir).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
