//! The connection pool, finding or starting a local PostgreSQL, and the notification listener.

pub mod backend_memory;
mod conn;
pub mod listener;
pub mod local;
mod param_types;
pub mod pipeline;
mod pool;

pub use conn::{Conn, Pool, Stmt, ToStmt};

use std::time::Duration;

use anyhow::Context;
use deadpool_postgres::{Manager, ManagerConfig, RecyclingMethod, Runtime};
use tokio_postgres::{Client, NoTls};

pub use pool::{Status, home_slots};

use crate::config::{DbConfig, Switch};

/// The search_path of a pooled connection outside a tenant-scoped transaction. No such schema
/// exists, so an unscoped query of a tenant table fails loudly instead of reading `public`.
const UNSCOPED_SEARCH_PATH: &str = "convo_unscoped";

/// The pool plus what is needed to open dedicated (non-pooled) connections.
#[derive(Clone)]
pub struct Db {
    pub pool: Pool,
    /// Where dedicated connections go: `CONVO_DIRECT_DATABASE_URL`, past any pooler.
    direct_config: tokio_postgres::Config,
}

impl Db {
    /// Connect to `DATABASE_URL`, or to a local PostgreSQL found or started by [`local`]
    /// (then pooled and direct connections both go to it: there is no pooler to bypass).
    pub async fn connect(cfg: &DbConfig) -> anyhow::Result<Db> {
        let parse = |url: &str, name: &str| {
            url.parse::<tokio_postgres::Config>()
                .with_context(|| format!("{name} is not a valid PostgreSQL URL"))
        };
        let (pooled, direct) = match (&cfg.database_url, &cfg.direct_database_url) {
            (Some(url), direct) => {
                let pooled = parse(url, "DATABASE_URL")?;
                let direct = match direct {
                    Some(direct) => parse(direct, "CONVO_DIRECT_DATABASE_URL")?,
                    None if cfg.pooler.is_session() => pooled.clone(),
                    // LISTEN and migrations through a transaction-mode pooler fail, or worse,
                    // seem to work: notifications are lost and advisory locks leak.
                    None => anyhow::bail!(
                        "CONVO_DB_POOLER={:?} needs CONVO_DIRECT_DATABASE_URL, a URL that \
                         bypasses the pooler (for LISTEN and migrations); set it to DATABASE_URL \
                         if DATABASE_URL reaches PostgreSQL itself",
                        cfg.pooler
                    ),
                };
                (pooled, direct)
            }
            (None, Some(_)) => {
                anyhow::bail!("CONVO_DIRECT_DATABASE_URL is set but DATABASE_URL is not")
            }
            (None, None) => {
                let local = local::locate(&cfg.data_dir).await?;
                (local.clone(), local)
            }
        };
        Ok(Self::with_direct(pooled, direct, cfg))
    }

    /// A pool on `pg_config` that is also where dedicated connections go (no pooler).
    pub fn from_pg_config(pg_config: tokio_postgres::Config, cfg: &DbConfig) -> Db {
        Self::with_direct(pg_config.clone(), pg_config, cfg)
    }

    fn with_direct(
        pooled: tokio_postgres::Config,
        direct: tokio_postgres::Config,
        cfg: &DbConfig,
    ) -> Db {
        let direct_config = with_options(named(direct, cfg), "");
        // Request connections must never hang: bound every statement, and any transaction a
        // bug could leave open. A transaction-mode pooler refuses startup options (PgBouncer:
        // "unsupported startup parameter: options") and would not keep them on its backends
        // anyway: there the statement timeout is set in each tenant transaction instead
        // (`Conn::local_settings`), and the rest is the pooler's and the role's to bound
        // (docs/operations.md#behind-a-connection-pooler).
        let request_config = if cfg.pooler.is_session() {
            with_options(
                named(pooled, cfg),
                &format!(
                    " -c statement_timeout={}s -c idle_in_transaction_session_timeout=60s",
                    cfg.statement_timeout_secs.max(1)
                ),
            )
        } else {
            named(pooled, cfg)
        };
        // Fast recycling is safe: tenant scoping is transaction-local (SET LOCAL), so nothing
        // session-level is ever left on a pooled connection.
        let manager = Manager::from_config(
            request_config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        // deadpool opens the connections; which one a transaction gets is the affine pool's
        // choice (src/db/pool.rs), and so is retiring old ones: each backend's catalog cache
        // grows with every tenant schema it has touched.
        let maker = deadpool_postgres::Pool::builder(manager)
            .max_size(cfg.pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(cfg.timeout()))
            .create_timeout(Some(cfg.timeout()))
            .recycle_timeout(Some(cfg.timeout()))
            .build()
            .expect("a pool with a runtime always builds");
        let affine = pool::AffinePool::new(
            maker,
            pool::Settings {
                size: cfg.pool_size.max(1),
                affinity: cfg.db_affinity == Switch::On,
                affinity_wait: Duration::from_millis(cfg.db_affinity_wait_ms),
                timeout: cfg.timeout(),
                max_lifetime: Duration::from_secs(cfg.conn_max_lifetime_secs.max(1)),
            },
        );
        Db {
            pool: Pool::new(
                affine,
                cfg.pooler,
                cfg.statement_timeout_secs.max(1),
                cfg.db_tenant_statements,
            ),
            direct_config,
        }
    }

    /// A connection outside the pool and past any pooler, for work that sets session state
    /// (migrations, advisory locks) or lives long (LISTEN).
    pub async fn dedicated(&self) -> Result<Client, tokio_postgres::Error> {
        let (client, connection) = self.direct_config.connect(NoTls).await?;
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!("dedicated connection ended: {err}");
            }
        });
        Ok(client)
    }

    /// The configuration of dedicated connections (direct, session-level).
    pub fn direct_config(&self) -> &tokio_postgres::Config {
        &self.direct_config
    }
}

/// `pg_config` with Convo's connect timeout and application name.
fn named(mut pg_config: tokio_postgres::Config, cfg: &DbConfig) -> tokio_postgres::Config {
    pg_config.connect_timeout(cfg.timeout());
    if pg_config.get_application_name().is_none() {
        pg_config.application_name("convo");
    }
    pg_config
}

/// `pg_config` with startup options for a session: the unscoped search_path (a tripwire for a
/// tenant query run outside its tenant's transaction), then `more`.
fn with_options(mut pg_config: tokio_postgres::Config, more: &str) -> tokio_postgres::Config {
    let existing = pg_config.get_options().unwrap_or_default().to_string();
    pg_config.options(format!(
        "{existing} -c search_path={UNSCOPED_SEARCH_PATH}{more}"
    ));
    pg_config
}
