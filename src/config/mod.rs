//! Settings from flags and environment variables. Every setting has a default, so
//! `convo serve` with no configuration at all comes up on a local PostgreSQL.
//!
//! Every setting, with its default: docs/operations.md#configuration.

use std::{fmt, net::SocketAddr, path::PathBuf, time::Duration};

use clap::{Args, ValueEnum};

mod connection;
mod limits;
mod pooler;
mod spares;
mod stream_recheck;

pub use connection::{ConnectionConfig, Switch};
pub use limits::LimitsConfig;
pub use pooler::Pooler;
pub use spares::{MAX_SPARE_SCHEMAS, SpareConfig};
pub use stream_recheck::StreamRecheckConfig;

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines (the default).
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Where the database is and how to reach it.
#[derive(Args, Clone)]
pub struct DbConfig {
    /// PostgreSQL connection URL. When unset, a local PostgreSQL is found (port 5432 or the
    /// local socket) or a private one is started under `--data-dir`.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// PostgreSQL URL that bypasses any connection pooler, for what needs a session of its
    /// own: the LISTEN connection, migrations and their advisory locks. Default: DATABASE_URL.
    #[arg(long, env = "CONVO_DIRECT_DATABASE_URL")]
    pub direct_database_url: Option<String>,

    /// What DATABASE_URL reaches: `session` (PostgreSQL, or a session-mode pooler),
    /// `transaction` (a transaction-mode pooler such as PgBouncer: no prepared statement
    /// outlives a transaction) or `transaction-prepared` (one that tracks prepared
    /// statements, PgBouncer 1.21+ with `max_prepared_statements`). The transaction modes
    /// need CONVO_DIRECT_DATABASE_URL.
    #[arg(long, env = "CONVO_DB_POOLER", value_enum, default_value_t = Pooler::Session)]
    pub pooler: Pooler,

    /// Folder for a private PostgreSQL started when no database is found.
    #[arg(long, env = "CONVO_DATA_DIR", default_value = ".convo")]
    pub data_dir: PathBuf,

    /// Maximum number of pooled database connections.
    #[arg(long, env = "CONVO_POOL_SIZE", default_value_t = 16)]
    pub pool_size: usize,

    /// Seconds to wait for a database connection before answering 503.
    #[arg(long, env = "CONVO_DB_TIMEOUT_SECS", default_value_t = 5)]
    pub db_timeout_secs: u64,

    /// Longest a request's SQL statement may run before it is cancelled (503).
    #[arg(long, env = "CONVO_STATEMENT_TIMEOUT_SECS", default_value_t = 30)]
    pub statement_timeout_secs: u64,

    /// Seconds after which a pooled connection is retired. PostgreSQL backends cache catalog
    /// entries for every tenant schema they touch, so connections must not live forever.
    #[arg(long, env = "CONVO_CONN_MAX_LIFETIME_SECS", default_value_t = 600)]
    pub conn_max_lifetime_secs: u64,

    /// Whether each tenant's transactions prefer the two pooled connections ("home slots")
    /// its schema name hashes to, so each backend caches the catalogs of a bounded share of
    /// the tenants (`off`: any idle connection).
    #[arg(long, env = "CONVO_DB_AFFINITY", value_enum, default_value_t = Switch::On)]
    pub db_affinity: Switch,

    /// Milliseconds a tenant's transaction waits for one of its home connections when both
    /// are busy, before it takes any connection (0: take any at once).
    #[arg(long, env = "CONVO_DB_AFFINITY_WAIT_MS", default_value_t = 5)]
    pub db_affinity_wait_ms: u64,

    /// Prepared statements each pooled connection keeps per tenant schema, in all (0: one
    /// statement per query for every tenant, re-planned whenever the tenant changes). Each
    /// costs backend memory (a plan); the cache is emptied when full.
    #[arg(long, env = "CONVO_DB_TENANT_STATEMENTS", default_value_t = 0)]
    pub db_tenant_statements: usize,
}

impl DbConfig {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.db_timeout_secs.max(1))
    }
}

impl fmt::Debug for DbConfig {
    // The URL may carry a password: never print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DbConfig")
            .field(
                "database_url",
                &self.database_url.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "direct_database_url",
                &self.direct_database_url.as_ref().map(|_| "<redacted>"),
            )
            .field("pooler", &self.pooler)
            .field("data_dir", &self.data_dir)
            .field("pool_size", &self.pool_size)
            .field("db_timeout_secs", &self.db_timeout_secs)
            .field("statement_timeout_secs", &self.statement_timeout_secs)
            .field("conn_max_lifetime_secs", &self.conn_max_lifetime_secs)
            .field("db_affinity", &self.db_affinity)
            .field("db_affinity_wait_ms", &self.db_affinity_wait_ms)
            .field("db_tenant_statements", &self.db_tenant_statements)
            .finish()
    }
}

/// A secret value: parsed from a flag or variable, never printed.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_string()))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Settings of the HTTP server.
#[derive(Args, Clone, Debug)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "CONVO_BIND", default_value = "127.0.0.1:8000")]
    pub bind: SocketAddr,

    /// Largest accepted request body, in bytes; larger bodies get 413.
    #[arg(long, env = "CONVO_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Seconds a verified API key stays cached in memory. Invalidation (rotation, deletion,
    /// suspension) reaches every replica at once through LISTEN/NOTIFY; the TTL is a backstop.
    #[arg(long, env = "CONVO_AUTH_CACHE_TTL_SECS", default_value_t = 60)]
    pub auth_cache_ttl_secs: u64,

    /// Threads running argon2 (verifications and new keys; each job takes ~18 ms of CPU and
    /// 19 MiB of memory, kept by the thread for reuse).
    #[arg(long, env = "CONVO_AUTH_VERIFY_CONCURRENCY", default_value_t = 2)]
    pub auth_verify_concurrency: usize,

    /// Seconds between keep-alive comments on idle event streams.
    #[arg(long, env = "CONVO_SSE_KEEPALIVE_SECS", default_value_t = 15)]
    pub sse_keepalive_secs: u64,

    /// Seconds in-flight requests get to finish after SIGTERM or Ctrl-C (streams end at once).
    #[arg(long, env = "CONVO_SHUTDOWN_GRACE_SECS", default_value_t = 20)]
    pub shutdown_grace_secs: u64,

    /// Requests per second each actor may make, all its credentials together (token bucket,
    /// per replica); 0 disables rate limiting.
    #[arg(long, env = "CONVO_RATE_LIMIT_PER_SEC", default_value_t = 50)]
    pub rate_limit_per_sec: u32,

    /// Requests an actor may make at once before the per-second rate applies.
    #[arg(long, env = "CONVO_RATE_LIMIT_BURST", default_value_t = 100)]
    pub rate_limit_burst: u32,

    /// Lifetime of a stream token, in seconds.
    #[arg(long, env = "CONVO_STREAM_TOKEN_TTL_SECS", default_value_t = 300)]
    pub stream_token_ttl_secs: u64,

    /// Secret for signing stream tokens. Unset: a random secret kept in the database and
    /// shared by every replica.
    #[arg(long, env = "CONVO_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<Secret>,

    /// HS256 secret verifying platform-operator tokens for the admin API (`/api/admin`).
    /// Set this or `--operator-jwt-public-key`; with neither, the admin API is disabled.
    #[arg(long, env = "CONVO_OPERATOR_JWT_SECRET", hide_env_values = true)]
    pub operator_jwt_secret: Option<Secret>,

    /// PEM public key (RSA for RS256, EC P-256 for ES256) verifying platform-operator tokens,
    /// inline or as `@/path/to/key.pem`.
    #[arg(long, env = "CONVO_OPERATOR_JWT_PUBLIC_KEY", hide_env_values = true)]
    pub operator_jwt_public_key: Option<Secret>,

    /// The `aud` claim platform-operator tokens must carry.
    #[arg(
        long,
        env = "CONVO_OPERATOR_JWT_AUDIENCE",
        default_value = "convo-admin"
    )]
    pub operator_jwt_audience: String,

    #[command(flatten)]
    pub db: DbConfig,

    #[command(flatten)]
    pub summary: SummaryConfig,

    #[command(flatten)]
    pub connection: ConnectionConfig,

    #[command(flatten)]
    pub stream_recheck: StreamRecheckConfig,

    #[command(flatten)]
    pub memory: crate::memory_bounds::MemoryBounds,

    #[command(flatten)]
    pub limits: LimitsConfig,

    #[command(flatten)]
    pub spares: SpareConfig,
}

/// Which summarizer writes space summaries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum SummaryProvider {
    /// Built in, no network: participants, counts, decisions and the most significant
    /// messages of the window.
    #[default]
    Extractive,
    /// The Anthropic Messages API (needs `ANTHROPIC_API_KEY`); falls back to the extractive
    /// summary when a call fails.
    Anthropic,
}

/// How space summaries are written.
#[derive(Args, Clone)]
pub struct SummaryConfig {
    /// Summarizer: `extractive` (built in) or `anthropic`.
    #[arg(long, env = "CONVO_SUMMARY_PROVIDER", value_enum, default_value_t = SummaryProvider::Extractive)]
    pub summary_provider: SummaryProvider,

    /// Anthropic API key; required when the provider is `anthropic`.
    #[arg(long, env = "ANTHROPIC_API_KEY", hide_env_values = true)]
    pub anthropic_api_key: Option<String>,

    /// Base URL of the Anthropic API (`/v1/messages` is appended).
    #[arg(
        long,
        env = "ANTHROPIC_BASE_URL",
        default_value = "https://api.anthropic.com"
    )]
    pub anthropic_base_url: String,

    /// Model asked for summaries.
    #[arg(
        long,
        env = "CONVO_SUMMARY_MODEL",
        default_value = "claude-haiku-4-5-20251001"
    )]
    pub summary_model: String,

    /// Seconds to wait for the provider before falling back to the extractive summary.
    #[arg(long, env = "CONVO_SUMMARY_TIMEOUT_SECS", default_value_t = 30)]
    pub summary_timeout_secs: u64,
}

impl fmt::Debug for SummaryConfig {
    // The API key is a secret: never print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SummaryConfig")
            .field("summary_provider", &self.summary_provider)
            .field(
                "anthropic_api_key",
                &self.anthropic_api_key.as_ref().map(|_| "<redacted>"),
            )
            .field("anthropic_base_url", &self.anthropic_base_url)
            .field("summary_model", &self.summary_model)
            .field("summary_timeout_secs", &self.summary_timeout_secs)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_api_key() {
        let config = SummaryConfig {
            summary_provider: SummaryProvider::Anthropic,
            anthropic_api_key: Some("sk-ant-secret".to_string()),
            anthropic_base_url: "https://api.anthropic.com".to_string(),
            summary_model: "m".to_string(),
            summary_timeout_secs: 30,
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("sk-ant-secret") && shown.contains("<redacted>"));
    }

    #[test]
    fn debug_never_shows_database_urls() {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            db: DbConfig,
        }
        let cli = <Cli as clap::Parser>::parse_from([
            "convo",
            "--database-url=postgres://convo:pooled-secret@pgbouncer/convo",
            "--direct-database-url=postgres://convo:direct-secret@postgres/convo",
            "--pooler=transaction",
        ]);
        let shown = format!("{:?}", cli.db);
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("Transaction"), "{shown}");
    }
}
