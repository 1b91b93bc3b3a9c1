//! Unit tests of the LNURL host policy (no traffic is sent anywhere).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use url::Url;

use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn reserved_ipv4_ranges_are_classified() {
    use ForbiddenRange::*;
    let cases = [
        ("0.0.0.0", Unspecified),
        ("0.1.2.3", Unspecified),
        ("10.0.0.1", Private),
        ("10.255.255.255", Private),
        ("100.64.0.1", SharedAddressSpace),
        ("100.127.255.254", SharedAddressSpace),
        ("127.0.0.1", Loopback),
        ("127.8.9.10", Loopback),
        ("169.254.1.1", LinkLocal),
        ("169.254.169.254", LinkLocal),
        ("172.16.0.1", Private),
        ("172.31.255.255", Private),
        ("192.0.0.8", Reserved),
        ("192.0.2.1", Documentation),
        ("192.168.1.1", Private),
        ("198.18.0.1", Reserved),
        ("198.51.100.7", Documentation),
        ("203.0.113.9", Documentation),
        ("224.0.0.1", Multicast),
        ("239.255.255.250", Multicast),
        ("240.0.0.1", Reserved),
        ("255.255.255.255", Broadcast),
    ];
    for (addr, range) in cases {
        assert_eq!(classify(ip(addr)), Some(range), "{addr}");
    }
}

#[test]
fn public_ipv4_neighbours_of_reserved_ranges_are_allowed() {
    for addr in [
        "1.1.1.1",
        "8.8.8.8",
        "11.0.0.1",
        "100.63.255.255",
        "100.128.0.1",
        "126.255.255.255",
        "128.0.0.1",
        "169.253.1.1",
        "172.15.255.255",
        "172.32.0.1",
        "192.167.1.1",
        "192.169.1.1",
        "198.17.0.1",
        "198.20.0.1",
        "223.255.255.255",
    ] {
        assert_eq!(classify(ip(addr)), None, "{addr}");
    }
}

#[test]
fn reserved_ipv6_ranges_are_classified() {
    use ForbiddenRange::*;
    let cases = [
        ("::", Unspecified),
        ("::1", Loopback),
        ("::ffff:127.0.0.1", Loopback),
        ("::ffff:10.1.2.3", Private),
        ("64:ff9b::a9fe:101", LinkLocal),
        ("2002:c0a8:0101::1", Private),
        ("fc00::1", UniqueLocal),
        ("fd12:3456::1", UniqueLocal),
        ("fe80::1", LinkLocal),
        ("febf::1", LinkLocal),
        ("fec0::1", Private),
        ("ff02::1", Multicast),
        ("2001:db8::1", Documentation),
        ("2001:0::1", Reserved),
        ("::a00:1", Reserved),
        ("100::1", Reserved),
    ];
    for (addr, range) in cases {
        assert_eq!(classify(ip(addr)), Some(range), "{addr}");
    }
}

#[test]
fn public_ipv6_is_allowed() {
    for addr in [
        "2606:4700:4700::1111",
        "2a00:1450:4001:80b::200e",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:0808:0808::1",
    ] {
        assert_eq!(classify(ip(addr)), None, "{addr}");
    }
}

fn check(url: &str, allow: bool) -> Result<CheckedHost, LnurlError> {
    check_url(&Url::parse(url).unwrap(), allow)
}

#[test]
fn only_https_is_allowed_in_production() {
    assert!(matches!(
        check("http://example.com/.well-known/lnurlp/a", false),
        Err(LnurlError::InsecureScheme { scheme }) if scheme == "http"
    ));
    assert!(matches!(
        check("ftp://example.com/x", false),
        Err(LnurlError::InsecureScheme { .. })
    ));
    assert_eq!(
        check("https://Example.com/x", false).unwrap(),
        CheckedHost::Domain("example.com".to_owned())
    );
}

#[test]
fn forbidden_ip_literals_are_refused_before_any_connection() {
    for (url, range) in [
        ("https://127.0.0.1/x", ForbiddenRange::Loopback),
        ("https://10.0.0.1/x", ForbiddenRange::Private),
        ("https://[::1]:8443/x", ForbiddenRange::Loopback),
        ("https://169.254.1.1/x", ForbiddenRange::LinkLocal),
        ("https://0x7f.1/x", ForbiddenRange::Loopback),
        ("https://[::ffff:192.168.0.1]/x", ForbiddenRange::Private),
    ] {
        match check(url, false) {
            Err(LnurlError::ForbiddenAddress { range: found, .. }) => {
                assert_eq!(found, range, "{url}")
            }
            other => panic!("{url}: {other:?}"),
        }
    }
    assert_eq!(
        check("https://1.1.1.1/x", false).unwrap(),
        CheckedHost::PublicIp(ip("1.1.1.1"))
    );
}

#[test]
fn credentials_in_urls_are_refused() {
    assert!(matches!(
        check("https://user:pw@example.com/x", false),
        Err(LnurlError::BadHost)
    ));
}

#[test]
fn test_switch_admits_literal_127_0_0_1_only() {
    assert_eq!(
        check("http://127.0.0.1:3000/x", true).unwrap(),
        CheckedHost::TestLoopback
    );
    assert_eq!(
        check("https://127.0.0.1:3000/x", true).unwrap(),
        CheckedHost::TestLoopback
    );
    assert!(matches!(
        check("http://localhost:3000/x", true),
        Err(LnurlError::InsecureScheme { .. })
    ));
    assert!(matches!(
        check("http://127.0.0.2:3000/x", true),
        Err(LnurlError::InsecureScheme { .. })
    ));
    assert!(matches!(
        check("https://[::1]:3000/x", true),
        Err(LnurlError::ForbiddenAddress { .. })
    ));
    assert!(matches!(
        check("https://10.0.0.1/x", true),
        Err(LnurlError::ForbiddenAddress { .. })
    ));
}

#[tokio::test]
async fn hostname_resolving_to_loopback_is_refused() {
    let url = Url::parse("https://localhost:9/x").unwrap();
    let refused = vet_url(url.clone(), false, Duration::from_secs(5)).await;
    assert!(
        matches!(
            refused,
            Err(LnurlError::ForbiddenAddress { ref host, range: ForbiddenRange::Loopback, .. })
                if host == "localhost"
        ),
        "{refused:?}"
    );
    // The test switch does not extend to names.
    let refused = vet_url(url, true, Duration::from_secs(5)).await;
    assert!(matches!(refused, Err(LnurlError::ForbiddenAddress { .. })));
}

#[tokio::test]
async fn public_ip_literals_are_not_pinned_and_loopback_test_hosts_are_insecure_ok() {
    let vetted = vet_url(
        Url::parse("https://1.1.1.1/x").unwrap(),
        false,
        Duration::from_secs(1),
    )
    .await
    .unwrap();
    assert_eq!(vetted.pinned, None::<(String, Vec<SocketAddr>)>);
    assert!(!vetted.insecure_ok);
    let vetted = vet_url(
        Url::parse("http://127.0.0.1:1/x").unwrap(),
        true,
        Duration::from_secs(1),
    )
    .await
    .unwrap();
    assert!(vetted.insecure_ok);
}
