//! The `convo` subcommands.

mod healthcheck;
mod migrate;
mod openapi;
mod serve;
pub mod tenants;

use clap::{Parser, Subcommand};

use crate::config::{DbConfig, LogFormat, ServeConfig, SpareConfig};

#[derive(Parser)]
#[command(
    name = "convo",
    version,
    about = "Convo: collaboration backend for humans and AI agents"
)]
pub struct Cli {
    /// Log format.
    #[arg(long, env = "CONVO_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (migrates the control plane and the default tenant first).
    Serve(Box<ServeConfig>),
    /// Migrate the control plane, then every tenant schema.
    Migrate {
        #[command(flatten)]
        db: DbConfig,
        /// Tenant schemas migrated at once.
        #[arg(long, env = "CONVO_MIGRATE_CONCURRENCY", default_value_t = 8)]
        concurrency: usize,
        /// Only report how many tenant schemas are at each version.
        #[arg(long)]
        status: bool,
        #[command(flatten)]
        spares: SpareConfig,
    },
    /// Inspect, suspend and reactivate tenants (the admin API's operations).
    Tenants {
        #[command(flatten)]
        db: DbConfig,
        #[command(subcommand)]
        command: tenants::TenantsCommand,
    },
    /// Exit 0 when a running server's /health answers 2xx, 1 otherwise (container HEALTHCHECK).
    Healthcheck(healthcheck::HealthcheckArgs),
    /// Print the OpenAPI document.
    Openapi {
        /// Print YAML instead of JSON.
        #[arg(long)]
        yaml: bool,
    },
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        match self.command {
            Command::Serve(config) => serve::run(*config).await,
            Command::Migrate {
                db,
                concurrency,
                status,
                spares,
            } => migrate::run(db, concurrency, spares, status).await,
            Command::Tenants { db, command } => tenants::run(db, command).await,
            Command::Healthcheck(args) => healthcheck::run(args).await,
            Command::Openapi { yaml } => {
                openapi::run(yaml);
                Ok(())
            }
        }
    }
}
