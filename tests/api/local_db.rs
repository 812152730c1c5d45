//! Zero-configuration database: a private PostgreSQL started from the installed binaries.

use convo::db::local;

#[tokio::test]
async fn a_private_postgres_is_initialised_started_and_reused() {
    let dir = std::env::temp_dir().join(format!("private-pg-{}", uuid::Uuid::new_v4().simple()));
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

/// Run as root from a folder the postgres user cannot enter (a checkout under /root), the
/// private server still comes up, in a folder it can reach.
#[tokio::test]
async fn an_unreachable_data_folder_falls_back_when_running_as_root() {
    use std::os::unix::fs::PermissionsExt;
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !is_root {
        return; // PostgreSQL then runs as the current user, who owns the folder.
    }
    let private =
        std::env::temp_dir().join(format!("convo-closed-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&private).unwrap();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o700)).unwrap();
    let dir = private.join("data");
    let admin = local::start_private(&dir)
        .await
        .expect("falls back and starts");
    let (client, conn) = admin.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    assert_eq!(
        client
            .query_one("SELECT 1", &[])
            .await
            .unwrap()
            .get::<_, i32>(0),
        1
    );
    drop(client);
    local::stop_private(&dir).unwrap();
    let _ = std::fs::remove_dir_all(&private);
}
