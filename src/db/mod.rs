//! The connection pool, finding or starting a local PostgreSQL, and the notification listener.

pub mod backend_memory;
pub mod listener;
pub mod local;
pub mod pipeline;
mod pool;

use std::time::Duration;

use anyhow::Context;
use deadpool_postgres::{Manager, ManagerConfig, RecyclingMethod, Runtime};
use tokio_postgres::{Client, NoTls};

pub use pool::{Conn, Pool, Status, home_slots};

use crate::config::{DbConfig, Switch};

/// The search_path of a pooled connection outside a tenant-scoped transaction. No such schema
/// exists, so an unscoped query of a tenant table fails loudly instead of reading `public`.
const UNSCOPED_SEARCH_PATH: &str = "convo_unscoped";

/// The pool plus what is needed to open dedicated (non-pooled) connections.
#[derive(Clone)]
pub struct Db {
    pub pool: Pool,
    pg_config: tokio_postgres::Config,
}

impl Db {
    /// Connect to `DATABASE_URL`, or to a local PostgreSQL found or started by [`local`].
    pub async fn connect(cfg: &DbConfig) -> anyhow::Result<Db> {
        let pg_config = match &cfg.database_url {
            Some(url) => url
                .parse::<tokio_postgres::Config>()
                .context("DATABASE_URL is not a valid PostgreSQL URL")?,
            None => local::locate(&cfg.data_dir).await?,
        };
        Ok(Self::from_pg_config(pg_config, cfg))
    }

    pub fn from_pg_config(mut pg_config: tokio_postgres::Config, cfg: &DbConfig) -> Db {
        let existing = pg_config.get_options().unwrap_or_default().to_string();
        pg_config.options(format!("{existing} -c search_path={UNSCOPED_SEARCH_PATH}"));
        pg_config.connect_timeout(cfg.timeout());
        if pg_config.get_application_name().is_none() {
            pg_config.application_name("convo");
        }
        // Request connections must never hang: bound every statement, and any transaction a
        // bug could leave open.
        let mut request_config = pg_config.clone();
        request_config.options(format!(
            "{} -c statement_timeout={}s -c idle_in_transaction_session_timeout=60s",
            pg_config.get_options().unwrap_or_default(),
            cfg.statement_timeout_secs.max(1)
        ));
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
        let pool = Pool::new(
            maker,
            pool::Settings {
                size: cfg.pool_size.max(1),
                affinity: cfg.db_affinity == Switch::On,
                affinity_wait: Duration::from_millis(cfg.db_affinity_wait_ms),
                timeout: cfg.timeout(),
                max_lifetime: Duration::from_secs(cfg.conn_max_lifetime_secs.max(1)),
            },
        );
        Db { pool, pg_config }
    }

    /// A connection outside the pool, for work that sets session state (migrations) or lives
    /// long (LISTEN).
    pub async fn dedicated(&self) -> Result<Client, tokio_postgres::Error> {
        let (client, connection) = self.pg_config.connect(NoTls).await?;
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!("dedicated connection ended: {err}");
            }
        });
        Ok(client)
    }

    pub fn pg_config(&self) -> &tokio_postgres::Config {
        &self.pg_config
    }
}
