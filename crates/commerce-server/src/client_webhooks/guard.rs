//! The guard against request forgery through webhook consumers: unless the operator allows it
//! (`COMMERCE_WEBHOOK_ALLOW_PRIVATE_URLS`), a consumer's URL may not point at this machine or
//! a private network. It is checked twice:
//!
//! - when a consumer is created, on the URL's literal host (an IP address, or `localhost`);
//! - at every delivery, on a literal IP address ([`check_literal_ip`]) and on the addresses
//!   the host name resolves to then ([`PublicOnly`], the HTTP client's resolver): a name that pointed elsewhere at creation (or that was changed
//!   since, "DNS rebinding") cannot reach a private address, and the client connects only to
//!   the addresses that were checked.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why a receiver's address is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the receiver's address {address} is on a loopback, private or link-local network; set COMMERCE_WEBHOOK_ALLOW_PRIVATE_URLS=true to allow it")]
pub(crate) struct PrivateAddress {
    /// The refused address.
    pub(crate) address: IpAddr,
}

/// Whether `ip` is one a webhook may not reach: loopback, private (RFC 1918, unique local),
/// link-local, carrier-grade NAT, unspecified, broadcast, multicast, documentation or reserved
/// ranges, and IPv6 forms embedding such an IPv4 address.
pub(crate) fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_forbidden_v4(ip),
        IpAddr::V6(ip) => is_forbidden_v6(ip),
    }
}

fn is_forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // 100.64.0.0/10: carrier-grade NAT.
        || (a == 100 && (64..128).contains(&b))
        // 192.0.0.0/24: IETF protocol assignments.
        || (a == 192 && b == 0 && c == 0)
        // 198.18.0.0/15: benchmarking.
        || (a == 198 && (b == 18 || b == 19))
        // 240.0.0.0/4: reserved.
        || a >= 240
}

fn is_forbidden_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_forbidden_v4(v4);
    }
    let segments = ip.segments();
    // 64:ff9b::/96: NAT64, which reaches the embedded IPv4 address.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., high, low] = segments;
        let [a, b] = high.to_be_bytes();
        let [c, d] = low.to_be_bytes();
        return is_forbidden_v4(Ipv4Addr::new(a, b, c, d));
    }
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // fc00::/7: unique local.
        || (segments[0] & 0xfe00) == 0xfc00
        // fe80::/10: link-local; fec0::/10: site-local (deprecated, still private).
        || (segments[0] & 0xffc0) == 0xfe80
        || (segments[0] & 0xffc0) == 0xfec0
        // 2001:db8::/32: documentation.
        || (segments[0] == 0x2001 && segments[1] == 0x0db8)
        // ::/96, the deprecated IPv4-compatible form.
        || segments[..6] == [0, 0, 0, 0, 0, 0]
}

/// Checks a URL's literal host when it is an IP address (which the HTTP client connects to
/// without resolving it): one in a forbidden range is refused.
pub(crate) fn check_literal_ip(url: &url::Url) -> Result<(), PrivateAddress> {
    match url.host() {
        Some(url::Host::Ipv4(ip)) if is_forbidden_v4(ip) => Err(PrivateAddress {
            address: IpAddr::V4(ip),
        }),
        Some(url::Host::Ipv6(ip)) if is_forbidden_v6(ip) => Err(PrivateAddress {
            address: IpAddr::V6(ip),
        }),
        _ => Ok(()),
    }
}

/// Checks a URL's literal host: an IP address in a forbidden range, or `localhost` (and
/// names under it), is refused. Other names are checked when they are resolved.
pub(crate) fn check_literal(url: &url::Url) -> Result<(), PrivateAddress> {
    match url.host() {
        Some(url::Host::Ipv4(ip)) if is_forbidden_v4(ip) => Err(PrivateAddress {
            address: IpAddr::V4(ip),
        }),
        Some(url::Host::Ipv6(ip)) if is_forbidden_v6(ip) => Err(PrivateAddress {
            address: IpAddr::V6(ip),
        }),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name == "localhost" || name.ends_with(".localhost") {
                Err(PrivateAddress {
                    address: IpAddr::V4(Ipv4Addr::LOCALHOST),
                })
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
    }
}

/// The first forbidden address among `addresses`, if any.
pub(crate) fn first_forbidden(addresses: &[SocketAddr]) -> Option<IpAddr> {
    addresses
        .iter()
        .map(SocketAddr::ip)
        .find(|ip| is_forbidden(*ip))
}

/// A resolver that refuses names resolving to any forbidden address (the whole answer is
/// refused, so a name cannot mix a public and a private address).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addresses: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(address) = first_forbidden(&addresses) {
                return Err(Box::new(PrivateAddress { address }) as _);
            }
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_ranges_are_forbidden() {
        for forbidden in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "198.18.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "::127.0.0.1",
        ] {
            let ip: IpAddr = forbidden.parse().unwrap();
            assert!(is_forbidden(ip), "{forbidden} should be forbidden");
        }
        for allowed in [
            "93.184.216.34",
            "172.32.0.1",
            "100.128.0.1",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:93.184.216.34",
        ] {
            let ip: IpAddr = allowed.parse().unwrap();
            assert!(!is_forbidden(ip), "{allowed} should be allowed");
        }
    }

    #[test]
    fn literal_hosts_are_checked() {
        for refused in [
            "http://127.0.0.1:8080/hook",
            "http://[::1]/hook",
            "https://localhost/hook",
            "https://api.localhost./hook",
            "http://169.254.169.254/latest/meta-data",
            "http://2130706433/hook",
        ] {
            let url = url::Url::parse(refused).unwrap();
            assert!(check_literal(&url).is_err(), "{refused}");
        }
        for accepted in ["https://hooks.example.com/codat", "https://93.184.216.34/x"] {
            let url = url::Url::parse(accepted).unwrap();
            assert!(check_literal(&url).is_ok(), "{accepted}");
        }
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_of_private_addresses() {
        let refused = PublicOnly
            .resolve("localhost".parse().unwrap())
            .await
            .err()
            .expect("localhost resolves to loopback");
        let refusal = refused.downcast_ref::<PrivateAddress>().unwrap();
        assert!(refusal.address.is_loopback());
    }
}
