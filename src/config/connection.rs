//! Settings of the connection layer: timeouts, caps, and the stream hand-over switch.

use std::time::Duration;

use clap::{Args, ValueEnum};

/// On or off, as `CONVO_SSE_HANDOFF=on|off` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

/// How connections are accepted, timed out and capped.
#[derive(Args, Clone, Debug)]
pub struct ConnectionConfig {
    /// Whether an HTTP/1.1 event stream takes its connection's socket over from the HTTP
    /// server once its response head is out (`on`: ~30 KiB less per idle stream).
    #[arg(long, env = "CONVO_SSE_HANDOFF", value_enum, default_value_t = Switch::On)]
    pub sse_handoff: Switch,

    /// Seconds a client has to send a whole request head, counted from the connection
    /// opening or from the end of the previous response (so it also bounds idle keep-alive).
    #[arg(long, env = "CONVO_HEADER_TIMEOUT_SECS", default_value_t = 5)]
    pub header_timeout_secs: u64,

    /// Seconds a client has to send a whole request body once its handler starts reading
    /// it; slower bodies get 408 and the connection is closed.
    #[arg(long, env = "CONVO_BODY_TIMEOUT_SECS", default_value_t = 10)]
    pub body_timeout_secs: u64,

    /// Seconds a response (event streams included) may make no write progress, the client
    /// not reading, before its connection is dropped.
    #[arg(long, env = "CONVO_WRITE_TIMEOUT_SECS", default_value_t = 30)]
    pub write_timeout_secs: u64,

    /// Open connections (handed-over streams included) from one client IP address (the
    /// socket's peer: behind a proxy, the proxy's); more are closed as soon as accepted.
    #[arg(long, env = "CONVO_MAX_CONNECTIONS_PER_IP", default_value_t = 1024)]
    pub max_connections_per_ip: usize,

    /// Open connections in total; more are closed as soon as they are accepted.
    #[arg(long, env = "CONVO_MAX_CONNECTIONS", default_value_t = 10_000)]
    pub max_connections: usize,
}

impl Default for ConnectionConfig {
    fn default() -> ConnectionConfig {
        ConnectionConfig {
            sse_handoff: Switch::On,
            header_timeout_secs: 5,
            body_timeout_secs: 10,
            write_timeout_secs: 30,
            max_connections_per_ip: 1024,
            max_connections: 10_000,
        }
    }
}

impl ConnectionConfig {
    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout_secs.max(1))
    }

    pub fn body_timeout(&self) -> Duration {
        Duration::from_secs(self.body_timeout_secs.max(1))
    }

    pub fn write_timeout(&self) -> Duration {
        Duration::from_secs(self.write_timeout_secs.max(1))
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        config: ConnectionConfig,
    }

    #[test]
    fn the_defaults_are_the_documented_ones() {
        let parsed = Cli::parse_from(["convo"]).config;
        let default = ConnectionConfig::default();
        assert_eq!(format!("{parsed:?}"), format!("{default:?}"));
    }
}
