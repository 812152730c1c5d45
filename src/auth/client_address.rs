//! The client address that per-address limits count against (failed verifications,
//! registrations per hour).
//!
//! By default it is the socket peer. Behind a reverse proxy every request comes from the
//! proxy, so the address is read from a header the proxy sets, but only when that header is
//! configured (`CONVO_CLIENT_ADDRESS_HEADER`): a header sent by a client is otherwise ignored,
//! or anyone could pick a fresh address per request. For a list-valued header such as
//! `X-Forwarded-For` the last entry is used, the one the (trusted) proxy appended; what the
//! client itself wrote earlier in the list is ignored.
//!
//! IPv6 addresses count by their /64 prefix: one subscriber usually holds a whole /64, and
//! counting single addresses would let them rotate through 2^64 of them.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use poem::{Request, http::HeaderName};

#[derive(Clone, Debug, Default)]
pub struct ClientAddresses {
    header: Option<HeaderName>,
}

impl ClientAddresses {
    /// `header`: the trusted header, or `None` to use the socket peer.
    pub fn new(header: Option<&str>) -> anyhow::Result<ClientAddresses> {
        let header = header
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(|h| {
                HeaderName::try_from(h.to_ascii_lowercase())
                    .map_err(|_| anyhow::anyhow!("CONVO_CLIENT_ADDRESS_HEADER: invalid name {h:?}"))
            })
            .transpose()?;
        Ok(ClientAddresses { header })
    }

    /// The address `req` counts against; `None` when there is none (not a TCP peer, and no
    /// usable trusted header).
    pub fn of(&self, req: &Request) -> Option<IpAddr> {
        let from_header = self.header.as_ref().and_then(|name| {
            let value = req.headers().get(name)?.to_str().ok()?;
            parse_last(value)
        });
        from_header
            .or_else(|| req.remote_addr().as_socket_addr().map(SocketAddr::ip))
            .map(counted)
    }
}

/// The last entry of a comma-separated list of addresses (with or without a port).
fn parse_last(value: &str) -> Option<IpAddr> {
    let last = value.rsplit(',').next()?.trim();
    last.parse::<IpAddr>()
        .or_else(|_| last.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
}

/// IPv4 (also when mapped into IPv6) as is; other IPv6 addresses as their /64 prefix.
fn counted(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(prefix))
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_listed_address_counts() {
        assert_eq!(
            parse_last("203.0.113.9, 10.0.0.1"),
            Some("10.0.0.1".parse().unwrap())
        );
        assert_eq!(
            parse_last("[2001:db8::1]:443"),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(
            parse_last("10.0.0.1:8080"),
            Some("10.0.0.1".parse().unwrap())
        );
        assert_eq!(parse_last("10.0.0.1, unknown"), None);
        assert_eq!(parse_last(""), None);
    }

    #[test]
    fn ipv6_counts_by_its_64_prefix() {
        let a = counted("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = counted("2001:db8:1:2:bbbb::2".parse().unwrap());
        assert_eq!(a, b);
        assert_eq!(a, "2001:db8:1:2::".parse::<IpAddr>().unwrap());
        assert_ne!(a, counted("2001:db8:1:3::1".parse().unwrap()));
        assert_eq!(
            counted("::ffff:192.0.2.7".parse().unwrap()),
            "192.0.2.7".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn a_header_is_trusted_only_when_configured() {
        let spoofed = Request::builder()
            .header("x-forwarded-for", "198.51.100.1")
            .finish();
        assert_eq!(ClientAddresses::default().of(&spoofed), None);
        let trusted = ClientAddresses::new(Some("X-Forwarded-For")).unwrap();
        assert_eq!(trusted.of(&spoofed), Some("198.51.100.1".parse().unwrap()));
        assert!(ClientAddresses::new(Some("bad header")).is_err());
    }
}
