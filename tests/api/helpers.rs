//! Spawning a Convo server for a test: each test gets its own freshly created database on
//! the local PostgreSQL (found, or started privately, by the same code the server uses), so
//! tests run in parallel and in any order.

use std::{
    sync::{Arc, OnceLock},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use clap::ValueEnum;
use convo::{
    api::AppState,
    app::App,
    config::{
        ConnectionConfig, DbConfig, LimitsConfig, Pooler, ServeConfig, SpareConfig, SummaryConfig,
        SummaryProvider, Switch,
    },
    db::local,
    memory_bounds::MemoryBounds,
};
use serde_json::{Value, json};
use tokio_postgres::{NoTls, config::Host};

mod direct;

/// Test databases older than this are dropped when a test process starts, even if the
/// process that created them still seems alive (PIDs are reused).
const STALE_AFTER: Duration = Duration::from_secs(2 * 3600);

/// Connection settings (key=value form) of the administrative database, found once per
/// process. `CONVO_TEST_DATABASE_URL` overrides discovery.
fn admin_config() -> tokio_postgres::Config {
    static ADMIN: OnceLock<String> = OnceLock::new();
    let text = ADMIN.get_or_init(|| {
        if let Ok(url) = std::env::var("CONVO_TEST_DATABASE_URL") {
            return url;
        }
        // Discovery is async; run it on a runtime of its own (we may be inside a test's).
        std::thread::spawn(|| {
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(async {
                let data_dir = std::env::temp_dir().join("convo-test-pg");
                let config = local::find_or_start_server(&data_dir)
                    .await
                    .expect("a local PostgreSQL for the tests");
                drop_stale_databases(&config).await;
                to_key_value(&config)
            })
        })
        .join()
        .unwrap()
    });
    text.parse().expect("valid admin config")
}

fn to_key_value(config: &tokio_postgres::Config) -> String {
    let host = match &config.get_hosts()[0] {
        Host::Tcp(h) => h.clone(),
        Host::Unix(p) => p.display().to_string(),
    };
    format!(
        "host={host} port={} user={} dbname={}",
        config.get_ports().first().copied().unwrap_or(5432),
        config.get_user().unwrap_or("postgres"),
        config.get_dbname().unwrap_or("postgres"),
    )
}

async fn drop_stale_databases(admin: &tokio_postgres::Config) {
    let Ok((client, conn)) = admin.connect(NoTls).await else {
        return;
    };
    tokio::spawn(conn);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let rows = client
        .query(
            "SELECT datname::text FROM pg_database WHERE datname LIKE 'convo_test_%'",
            &[],
        )
        .await
        .unwrap_or_default();
    // Names are convo_test_<epoch>_<pid>_<uuid>: a database whose test process is gone is
    // dropped at once, so repeated runs do not fill the disk (thousands of runs did).
    for row in rows {
        let name: String = row.get(0);
        let mut parts = name.split('_').skip(2);
        let created = parts.next().and_then(|t| t.parse::<u64>().ok());
        let pid = parts.next().and_then(|p| p.parse::<u32>().ok());
        let orphaned =
            pid.is_none_or(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists());
        let old = created.is_none_or(|t| now.saturating_sub(t) > STALE_AFTER.as_secs());
        if orphaned || old {
            let _ = client
                .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await;
        }
    }
}

/// A new, empty database; returns its connection settings.
pub async fn fresh_database() -> String {
    let admin = admin_config();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let name = format!(
        "convo_test_{now}_{}_{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    );
    let config = local::ensure_database(&admin, &name)
        .await
        .expect("create test database");
    to_key_value(&config)
}

/// Where the server's pool connects, as `CONVO_TEST_POOLER` asks: a connection pooler in
/// front of the test's database (CI runs the suite once more through PgBouncer in transaction
/// mode, `scripts/pgbouncer`), or the database itself. `CONVO_TEST_POOLER` holds the pooler's
/// `host=… port=…`; the database is created, and the listener and migrations connect, directly.
/// `CONVO_TEST_DB_POOLER` is the server's `CONVO_DB_POOLER` (default: `transaction` with a
/// pooler, `session` without; `transaction` without a pooler runs the mode on PostgreSQL).
fn pooled_db_config(database_url: &str) -> (Option<String>, Option<String>, Pooler) {
    let pooler_at = std::env::var("CONVO_TEST_POOLER").ok();
    let mode = match std::env::var("CONVO_TEST_DB_POOLER").as_deref() {
        Ok(mode) => Pooler::from_str(mode, true).expect("CONVO_TEST_DB_POOLER: a CONVO_DB_POOLER"),
        Err(_) if pooler_at.is_some() => Pooler::Transaction,
        Err(_) => Pooler::Session,
    };
    let Some(pooler_at) = pooler_at else {
        let direct = (!mode.is_session()).then(|| database_url.to_string());
        return (Some(database_url.to_string()), direct, mode);
    };
    let direct: tokio_postgres::Config = database_url.parse().unwrap();
    let mut pooled: tokio_postgres::Config =
        pooler_at.parse().expect("CONVO_TEST_POOLER: host=… port=…");
    pooled.user(direct.get_user().unwrap_or("postgres"));
    pooled.dbname(direct.get_dbname().unwrap());
    (
        Some(to_key_value(&pooled)),
        Some(database_url.to_string()),
        mode,
    )
}

pub fn serve_config(database_url: &str) -> ServeConfig {
    let (pooled_url, direct_database_url, pooler) = pooled_db_config(database_url);
    ServeConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        max_body_bytes: 1024 * 1024,
        auth_cache_ttl_secs: 60,
        auth_verify_concurrency: 2,
        sse_keepalive_secs: 15,
        shutdown_grace_secs: 1,
        stream_token_ttl_secs: 300,
        // Active, but generous enough for the tests that fire hundreds of requests at once.
        rate_limit_per_sec: 1000,
        rate_limit_burst: 10_000,
        jwt_secret: None,
        operator_jwt_secret: None,
        operator_jwt_public_key: None,
        operator_jwt_audience: "convo-admin".to_string(),
        db: DbConfig {
            database_url: pooled_url,
            direct_database_url,
            pooler,
            data_dir: ".convo".into(),
            pool_size: 4,
            db_timeout_secs: 5,
            statement_timeout_secs: 30,
            conn_max_lifetime_secs: 600,
            db_affinity: convo::config::Switch::On,
            db_affinity_wait_ms: 5,
            db_tenant_statements: 0,
        },
        summary: SummaryConfig {
            summary_provider: SummaryProvider::Extractive,
            anthropic_api_key: None,
            anthropic_base_url: "https://api.anthropic.com".to_string(),
            summary_model: "claude-haiku-4-5-20251001".to_string(),
            summary_timeout_secs: 5,
        },
        // Tests register many actors from one address and share keys between requests.
        limits: LimitsConfig {
            registrations_per_address_per_hour: 0,
            tenants_per_actor_per_hour: 0,
            ..LimitsConfig::default()
        },
        memory: MemoryBounds::default(),
        // Off: which path a creation takes must not depend on a background task's timing
        // (tests/api/spares.rs turns the pool on and waits for it).
        spares: SpareConfig { spare_schemas: 0 },
        stream_recheck: convo::config::StreamRecheckConfig::default(),
        connection: ConnectionConfig {
            sse_handoff: handoff_switch(),
            ..ConnectionConfig::default()
        },
    }
}

/// The stream hand-over as `CONVO_SSE_HANDOFF` asks (CI runs the stream tests both ways).
pub fn handoff_switch() -> Switch {
    match std::env::var("CONVO_SSE_HANDOFF").as_deref() {
        Ok("off") => Switch::Off,
        Ok("on") | Err(_) => Switch::On,
        Ok(other) => panic!("CONVO_SSE_HANDOFF must be on or off, not {other:?}"),
    }
}

/// A running server on its own database.
pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub database_url: String,
    pub state: Arc<AppState>,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// A registered actor and its plaintext key.
#[derive(Clone, Debug)]
pub struct Actor {
    pub actor_id: String,
    pub api_key: String,
    pub body: Value,
}

impl TestApp {
    /// A server on a fresh database.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(serve_config(&fresh_database().await)).await
    }

    /// Another server (replica) on the same database as `self`.
    pub async fn replica(&self) -> TestApp {
        Self::spawn_with(serve_config(&self.database_url)).await
    }

    pub async fn spawn_with(config: ServeConfig) -> TestApp {
        // The database itself, past any pooler: for assertions and replicas.
        let database_url = config.db.direct_database_url.clone();
        let database_url = database_url.or(config.db.database_url.clone()).unwrap();
        let app = App::build(config).await.expect("app builds");
        let base = format!("http://127.0.0.1:{}", app.port());
        let state = app.state.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(
            async {
                let _ = stopped.await;
            },
            Duration::from_secs(1),
        ));
        TestApp {
            base,
            http: reqwest::Client::new(),
            database_url,
            state,
            stop,
            server,
        }
    }

    /// Shut down gracefully (as on SIGTERM) and wait until the server has stopped.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.server.await.unwrap().unwrap();
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, path: &str, key: &str) -> reqwest::RequestBuilder {
        self.http.get(self.url(path)).bearer_auth(key)
    }

    pub fn post(&self, path: &str, key: &str, body: Value) -> reqwest::RequestBuilder {
        self.http.post(self.url(path)).bearer_auth(key).json(&body)
    }

    pub fn patch(&self, path: &str, key: &str, body: Value) -> reqwest::RequestBuilder {
        self.http.patch(self.url(path)).bearer_auth(key).json(&body)
    }

    pub fn put(&self, path: &str, key: &str, body: Value) -> reqwest::RequestBuilder {
        self.http.put(self.url(path)).bearer_auth(key).json(&body)
    }

    /// Create a space as `owner`; returns the status object.
    pub async fn space(&self, owner: &Actor, space_id: &str) -> Value {
        let resp = self
            .post("/api/spaces", &owner.api_key, json!({"space_id": space_id}))
            .send()
            .await
            .unwrap();
        let (status, body) = json_of(resp).await;
        assert_eq!(status, 200, "create space: {body}");
        body["status"].clone()
    }

    /// A direct connection to this app's database, for assertions.
    pub async fn db(&self) -> tokio_postgres::Client {
        let config: tokio_postgres::Config = self.database_url.parse().unwrap();
        let (client, conn) = config.connect(NoTls).await.expect("connect to test db");
        tokio::spawn(conn);
        client
    }

    /// Register a human (no tenant).
    pub async fn human(&self, name: &str) -> Actor {
        let resp = self
            .http
            .post(self.url("/api/actors"))
            .json(&json!({"display_name": name, "email": format!("{}@example.com", name.to_lowercase())}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "register human");
        actor(resp.json().await.unwrap())
    }

    /// Register an agent sponsored by `sponsor`.
    pub async fn agent(&self, sponsor: &Actor, name: &str) -> Actor {
        let resp = self
            .post(
                "/api/actors",
                &sponsor.api_key,
                json!({"display_name": name, "actor_type": "agent"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "register agent");
        actor(resp.json().await.unwrap())
    }

    /// Create a tenant as `creator`, who joins it; returns the tenant JSON.
    pub async fn tenant(&self, creator: &Actor, name: &str) -> Value {
        let resp = self
            .post("/api/tenants", &creator.api_key, json!({"name": name}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "create tenant");
        resp.json().await.unwrap()
    }

    /// A human in a tenant of their own.
    pub async fn human_in_new_tenant(&self, name: &str) -> Actor {
        let human = self.human(name).await;
        self.tenant(&human, &format!("{name} Org")).await;
        human
    }
}

fn actor(body: Value) -> Actor {
    Actor {
        actor_id: body["actor_id"].as_str().unwrap().to_string(),
        api_key: body["api_key"].as_str().unwrap().to_string(),
        body,
    }
}

/// Status and JSON body of a response.
pub async fn json_of(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

/// Wait for a replica's cache to hear an invalidation (bounded: a hang fails the test).
pub async fn invalidated(rx: &mut tokio::sync::watch::Receiver<u64>) {
    tokio::time::timeout(std::time::Duration::from_secs(2), rx.changed())
        .await
        .expect("invalidation heard within 2 s")
        .unwrap();
}

/// `GET /api/actors/me` with `key`: who the credential authenticates, or why not.
pub async fn me(app: &TestApp, key: &str) -> (u16, Value) {
    app.get("/api/actors/me", key).call().await
}

/// Send a request and read its status and JSON body: `app.get(path, key).call().await`.
pub trait Call {
    fn call(self) -> impl std::future::Future<Output = (u16, Value)> + Send;
}

impl Call for reqwest::RequestBuilder {
    async fn call(self) -> (u16, Value) {
        json_of(self.send().await.unwrap()).await
    }
}
