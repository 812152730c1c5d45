//! `convo healthcheck`: ask a running server whether it is alive, for a container
//! HEALTHCHECK. The runtime image has no shell and no curl; this needs only the binary.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    time::Duration,
};

use anyhow::{Context, bail};
use clap::Args;

#[derive(Args)]
pub struct HealthcheckArgs {
    /// URL to ask [default: /health on CONVO_BIND's port, over loopback].
    #[arg(long)]
    url: Option<String>,

    /// The server's listen address; the default URL is derived from it.
    #[arg(long, env = "CONVO_BIND", default_value = "127.0.0.1:8000")]
    bind: SocketAddr,

    /// Seconds to wait for the answer.
    #[arg(long, default_value_t = 3)]
    timeout_secs: u64,
}

/// Succeeds when the server answers 2xx; any other status or no answer is an error (exit 1).
pub async fn run(args: HealthcheckArgs) -> anyhow::Result<()> {
    let url = args.url.unwrap_or_else(|| default_url(args.bind));
    let timeout = Duration::from_secs(args.timeout_secs.max(1));
    let http = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .build()?;
    let status = http
        .get(&url)
        .send()
        .await
        .with_context(|| format!("{url} did not answer"))?
        .status();
    if !status.is_success() {
        bail!("{url} answered {status}");
    }
    Ok(())
}

/// `/health` at the listen address; a wildcard address is reached over loopback.
fn default_url(bind: SocketAddr) -> String {
    let ip = match bind.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/health", SocketAddr::new(ip, bind.port()))
}

#[cfg(test)]
mod tests {
    use super::default_url;

    #[test]
    fn wildcard_addresses_are_reached_over_loopback() {
        let url = |bind: &str| default_url(bind.parse().unwrap());
        assert_eq!(url("0.0.0.0:8000"), "http://127.0.0.1:8000/health");
        assert_eq!(url("[::]:9000"), "http://[::1]:9000/health");
        assert_eq!(url("10.1.2.3:80"), "http://10.1.2.3:80/health");
    }
}
