//! Fresh databases on the local PostgreSQL and the release `convo serve` as a child process.

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use tokio_postgres::{Client, Config, NoTls};

/// The bench setting `name` from the environment, `default` when unset or not a number.
pub fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// A database created for this run and dropped at the end of it.
pub struct Database {
    pub name: String,
    pub config: Config,
    admin: Config,
}

impl Database {
    pub async fn fresh() -> Database {
        let admin = convo::db::local::find_or_start_server(std::path::Path::new(".convo"))
            .await
            .expect("a local PostgreSQL");
        let name = format!("convo_bench_{}", uuid::Uuid::new_v4().simple());
        let config = convo::db::local::ensure_database(&admin, &name)
            .await
            .expect("a fresh database");
        Database {
            name,
            config,
            admin,
        }
    }

    /// The database `name`, created if missing and kept at the end (see `kept.rs`).
    #[allow(dead_code, reason = "used by the load bench only")]
    pub async fn named(name: &str) -> Database {
        let admin = convo::db::local::find_or_start_server(std::path::Path::new(".convo"))
            .await
            .expect("a local PostgreSQL");
        let config = convo::db::local::ensure_database(&admin, name)
            .await
            .expect("the kept database");
        Database {
            name: name.to_string(),
            config,
            admin,
        }
    }

    /// `host=… port=… user=… dbname=…`, for the server.
    pub fn url(&self) -> String {
        format!(
            "host={} port={} user={} dbname={}",
            self.host(),
            self.port(),
            self.user(),
            self.name
        )
    }

    pub fn host(&self) -> String {
        match &self.config.get_hosts()[0] {
            tokio_postgres::config::Host::Tcp(h) => h.clone(),
            tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
        }
    }

    pub fn port(&self) -> u16 {
        self.config.get_ports()[0]
    }

    pub fn user(&self) -> String {
        self.config.get_user().unwrap_or("postgres").to_string()
    }

    pub async fn drop_database(self) {
        let admin = connect(&self.admin).await;
        let dropped = admin
            .batch_execute(&format!("DROP DATABASE \"{}\" WITH (FORCE)", self.name))
            .await;
        if let Err(err) = dropped {
            eprintln!("could not drop {}: {err}", self.name);
        }
    }
}

pub async fn connect(config: &Config) -> Client {
    let (client, connection) = config.connect(NoTls).await.expect("database connection");
    tokio::spawn(connection);
    client
}

pub struct Server {
    child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// The server on `db`, on a free port, once `/health` answers. `CONVO_BIN` overrides the
    /// binary (to compare builds). `CONVO_BENCH_POOLER=host=… port=…` sends the server's pool
    /// through a connection pooler there (`scripts/pgbouncer`; `CONVO_DB_POOLER` from the
    /// environment says which mode), the listener and migrations directly to `db`.
    pub async fn start(db: &Database) -> Server {
        let binary = std::env::var("CONVO_BIN").unwrap_or(env!("CARGO_BIN_EXE_convo").into());
        let pooled = match std::env::var("CONVO_BENCH_POOLER") {
            Ok(at) => format!("{at} user={} dbname={}", db.user(), db.name),
            Err(_) => db.url(),
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let server = Server {
            child: Command::new(binary)
                .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
                .args(["--database-url", &pooled])
                .env("CONVO_DIRECT_DATABASE_URL", db.url())
                .args(["--max-streams-per-key", "10000"])
                // A few keys drive the whole load: per-credential rate limiting is not measured.
                .args(["--rate-limit-per-sec", "0"])
                // One address and one actor set everything up: quotas are not measured.
                // (Variables, not flags, so that older binaries given as CONVO_BIN start too.)
                .env("CONVO_REGISTRATIONS_PER_ADDRESS_PER_HOUR", "0")
                .env("CONVO_TENANTS_PER_ACTOR_PER_HOUR", "0")
                .env("CONVO_TENANTS_PER_ACTOR", "0")
                .env("CONVO_AGENTS_PER_HUMAN", "0")
                // One load generator holds every stream and connection from one address.
                .env("CONVO_MAX_CONNECTIONS_PER_IP", "20000")
                .env("CONVO_MAX_CONNECTIONS", "20000")
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .spawn()
                .expect("convo binary"),
            base: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..400 {
            if reqwest::get(format!("{}/health", server.base))
                .await
                .is_ok_and(|r| r.status() == 200)
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not come up");
    }

    pub fn rss_kib(&self) -> u64 {
        self.status_kib("VmRSS:")
    }

    /// The highest RSS the process has had.
    #[allow(dead_code, reason = "used by the memory-attack bench only")]
    pub fn peak_rss_kib(&self) -> u64 {
        self.status_kib("VmHWM:")
    }

    fn status_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }
}
