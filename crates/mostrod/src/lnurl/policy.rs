//! Which hosts an LNURL request may reach.
//!
//! Lightning addresses and LNURLs come from users, so fetching them is a server-side
//! request on a stranger's behalf. Only public unicast addresses are contacted, over
//! `https`; every resolved address of a host must be public, and the connection is
//! then pinned to exactly those addresses so a second DNS answer cannot redirect it
//! (DNS rebinding). The test switch `allow_insecure_localhost` admits the literal host
//! `127.0.0.1` (with `http` or `https`) and nothing else.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use url::{Host, Url};

use super::error::LnurlError;

/// A reserved range an LNURL request must not reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForbiddenRange {
    /// `0.0.0.0/8`, `::`.
    Unspecified,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// RFC 1918 `10/8`, `172.16/12`, `192.168/16`, and deprecated IPv6 site-local.
    Private,
    /// RFC 6598 carrier-grade NAT `100.64/10`.
    SharedAddressSpace,
    /// `169.254/16`, `fe80::/10`.
    LinkLocal,
    /// `fc00::/7`.
    UniqueLocal,
    /// `224/4`, `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// Documentation ranges (`192.0.2/24`, `198.51.100/24`, `203.0.113/24`, `2001:db8::/32`).
    Documentation,
    /// Other special-purpose ranges (benchmarking, protocol assignments, future use,
    /// IPv6 outside global unicast `2000::/3`).
    Reserved,
}

impl fmt::Display for ForbiddenRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unspecified => "unspecified",
            Self::Loopback => "loopback",
            Self::Private => "private",
            Self::SharedAddressSpace => "shared (CGNAT)",
            Self::LinkLocal => "link-local",
            Self::UniqueLocal => "unique-local",
            Self::Multicast => "multicast",
            Self::Broadcast => "broadcast",
            Self::Documentation => "documentation",
            Self::Reserved => "reserved",
        })
    }
}

/// The reserved range `ip` lies in, or `None` for a public unicast address.
pub fn classify(ip: IpAddr) -> Option<ForbiddenRange> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<ForbiddenRange> {
    use ForbiddenRange::*;
    let [a, b, c, _] = ip.octets();
    let range = match (a, b, c) {
        (0, _, _) => Unspecified,
        (10, _, _) => Private,
        (100, 64..=127, _) => SharedAddressSpace,
        (127, _, _) => Loopback,
        (169, 254, _) => LinkLocal,
        (172, 16..=31, _) => Private,
        (192, 0, 0) => Reserved,
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => Documentation,
        (192, 168, _) => Private,
        (198, 18..=19, _) => Reserved,
        (224..=239, _, _) => Multicast,
        _ if ip == Ipv4Addr::BROADCAST => Broadcast,
        (240..=255, _, _) => Reserved,
        _ => return None,
    };
    Some(range)
}

fn classify_v6(ip: Ipv6Addr) -> Option<ForbiddenRange> {
    use ForbiddenRange::*;
    if ip.is_unspecified() {
        return Some(Unspecified);
    }
    if ip.is_loopback() {
        return Some(Loopback);
    }
    // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 target.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let s = ip.segments();
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return classify_v4(embedded_v4(s[6], s[7]));
    }
    // 6to4 (2002:AABB:CCDD::/48) carries an IPv4 relay target.
    if s[0] == 0x2002 {
        return classify_v4(embedded_v4(s[1], s[2]));
    }
    let range = match s[0] {
        0xff00..=0xffff => Multicast,
        0xfe80..=0xfebf => LinkLocal,
        0xfec0..=0xfeff => Private,
        0xfc00..=0xfdff => UniqueLocal,
        0x2001 if s[1] == 0x0db8 => Documentation,
        // IETF protocol assignments (Teredo, ORCHID, …).
        0x2001 if s[1] < 0x0200 => Reserved,
        0x2000..=0x3fff => return None,
        _ => Reserved,
    };
    Some(range)
}

fn embedded_v4(high: u16, low: u16) -> Ipv4Addr {
    let [a, b] = high.to_be_bytes();
    let [c, d] = low.to_be_bytes();
    Ipv4Addr::new(a, b, c, d)
}

/// What a URL's host turned out to be after the static checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CheckedHost {
    /// The loopback test host `127.0.0.1`, admitted by the test switch.
    TestLoopback,
    /// A public IP literal.
    PublicIp(IpAddr),
    /// A domain name still to be resolved and vetted.
    Domain(String),
}

/// The static checks on a URL: scheme, credentials, IP-literal hosts.
pub(crate) fn check_url(
    url: &Url,
    allow_insecure_localhost: bool,
) -> Result<CheckedHost, LnurlError> {
    if !url.username().is_empty() || url.password().is_some() {
        return Err(LnurlError::BadHost);
    }
    let host = url.host().ok_or(LnurlError::BadHost)?;
    let is_test_loopback =
        allow_insecure_localhost && matches!(host, Host::Ipv4(ip) if ip == Ipv4Addr::LOCALHOST);
    let scheme_ok = url.scheme() == "https" || (is_test_loopback && url.scheme() == "http");
    if !scheme_ok {
        return Err(LnurlError::InsecureScheme {
            scheme: url.scheme().to_owned(),
        });
    }
    if is_test_loopback {
        return Ok(CheckedHost::TestLoopback);
    }
    let ip = match host {
        Host::Domain(domain) => return Ok(CheckedHost::Domain(domain.to_owned())),
        Host::Ipv4(v4) => IpAddr::V4(v4),
        Host::Ipv6(v6) => IpAddr::V6(v6),
    };
    match classify(ip) {
        Some(range) => Err(LnurlError::ForbiddenAddress {
            host: ip.to_string(),
            addr: ip,
            range,
        }),
        None => Ok(CheckedHost::PublicIp(ip)),
    }
}

/// A URL that passed every check, with the addresses the connection must use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VettedUrl {
    /// The URL to request.
    pub url: Url,
    /// For a domain host: the domain and its vetted addresses (the only ones the
    /// connection may use). `None` for IP-literal hosts.
    pub pinned: Option<(String, Vec<SocketAddr>)>,
    /// True when plain `http` is allowed (test switch, `127.0.0.1` only).
    pub insecure_ok: bool,
}

/// Checks `url` and, for a domain, resolves it once (within `dns_timeout`) and
/// requires every address to be public.
pub(crate) async fn vet_url(
    url: Url,
    allow_insecure_localhost: bool,
    dns_timeout: Duration,
) -> Result<VettedUrl, LnurlError> {
    let domain = match check_url(&url, allow_insecure_localhost)? {
        CheckedHost::TestLoopback => {
            return Ok(VettedUrl {
                url,
                pinned: None,
                insecure_ok: true,
            })
        }
        CheckedHost::PublicIp(_) => {
            return Ok(VettedUrl {
                url,
                pinned: None,
                insecure_ok: false,
            })
        }
        CheckedHost::Domain(domain) => domain,
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let lookup = tokio::net::lookup_host((domain.as_str(), port));
    let addrs: Vec<SocketAddr> = tokio::time::timeout(dns_timeout, lookup)
        .await
        .map_err(|_| LnurlError::Timeout)?
        .map_err(|source| LnurlError::Dns {
            host: domain.clone(),
            source,
        })?
        .collect();
    if addrs.is_empty() {
        return Err(LnurlError::NoAddress { host: domain });
    }
    if let Some((addr, range)) = addrs
        .iter()
        .find_map(|a| classify(a.ip()).map(|range| (a.ip(), range)))
    {
        return Err(LnurlError::ForbiddenAddress {
            host: domain,
            addr,
            range,
        });
    }
    Ok(VettedUrl {
        url,
        pinned: Some((domain, addrs)),
        insecure_ok: false,
    })
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
