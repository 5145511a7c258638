//! Where webhooks may go. A URL whose host resolves to a private, loopback, link-local or
//! otherwise non-public address would let a merchant make the platform call its own internal
//! services (SSRF): refused when the subscription is saved, and again at every delivery, on the
//! very addresses the connection uses (a name can be re-pointed after it was checked: DNS
//! rebinding). `webhooks.allow_private_addresses` lifts this, for tests and closed networks.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Is `ip` an address of the public internet?
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments, 192.0.0.0/24; benchmarking, 198.18.0.0/15.
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        // Reserved, 240.0.0.0/4.
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // Unique local fc00::/7, link-local fe80::/10, documentation 2001:db8::/32.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        // NAT64 and 6to4 embed IPv4 addresses that may be private: refused outright.
        || first == 0x0064
        || first == 0x2002)
}

/// Why a webhook URL is refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("not an http(s) URL with a host")]
    Malformed,
    #[error("the host does not resolve")]
    Unresolved,
    #[error("the host resolves to a non-public address ({0})")]
    NonPublic(IpAddr),
}

/// Parses `raw` and checks the addresses its host resolves to now.
pub async fn check_url(raw: &str, allow_private: bool) -> Result<url::Url, Refused> {
    let url = parse(raw)?;
    let host = url.host_str().ok_or(Refused::Malformed)?.trim_start_matches('[').trim_end_matches(']').to_owned();
    let port = url.port_or_known_default().ok_or(Refused::Malformed)?;
    let addrs: Vec<_> =
        tokio::net::lookup_host((host.as_str(), port)).await.map_err(|_| Refused::Unresolved)?.collect();
    if addrs.is_empty() {
        return Err(Refused::Unresolved);
    }
    if !allow_private && let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
        return Err(Refused::NonPublic(bad.ip()));
    }
    Ok(url)
}

/// An absolute http or https URL with a host and no credentials in it, at most 2000 bytes.
pub fn parse(raw: &str) -> Result<url::Url, Refused> {
    let url = url::Url::parse(raw.trim()).map_err(|_| Refused::Malformed)?;
    let fine = matches!(url.scheme(), "http" | "https")
        && url.host().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && raw.len() <= 2000;
    if fine { Ok(url) } else { Err(Refused::Malformed) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_and_link_local_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "2002:7f00:1::",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn loopback_is_refused_unless_allowed() {
        assert_eq!(
            check_url("http://127.0.0.1:9/hook", false).await,
            Err(Refused::NonPublic("127.0.0.1".parse().unwrap()))
        );
        assert!(matches!(check_url("http://localhost:9/hook", false).await, Err(Refused::NonPublic(_))));
        assert!(check_url("http://127.0.0.1:9/hook", true).await.is_ok());
        assert!(check_url("http://[::1]:9/hook", true).await.is_ok());
        assert_eq!(check_url("ftp://example.com/", true).await, Err(Refused::Malformed));
        assert_eq!(check_url("http://user:pw@127.0.0.1/", true).await, Err(Refused::Malformed));
    }
}
