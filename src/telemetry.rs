//! Logging. Text by default, JSON when asked. Tokens and query strings are never logged:
//! the request log records the path only (see [`crate::app`]).

use std::io::IsTerminal;

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::LogFormat;

/// Install the global subscriber. `RUST_LOG` overrides the default level: `info`, with
/// refinery's per-migration lines and PostgreSQL NOTICEs only from `warn`, as `convo migrate`
/// may visit thousands of schemas. Colours only on a terminal.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,refinery_core=warn,tokio_postgres=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    let ansi = std::io::stderr().is_terminal();
    // A second init (tests spawn many apps in one process) is harmless: keep the first.
    let _ = match format {
        LogFormat::Text => registry
            .with(fmt::layer().with_ansi(ansi).with_writer(std::io::stderr))
            .try_init(),
        LogFormat::Json => registry
            .with(fmt::layer().json().with_writer(std::io::stderr))
            .try_init(),
    };
}
