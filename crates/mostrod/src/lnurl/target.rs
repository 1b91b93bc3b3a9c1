//! Turning a user's payout destination into the LNURL-pay endpoint URL.
//!
//! * LUD-16 Lightning address `name@domain` → `https://domain/.well-known/lnurlp/name`;
//! * LUD-01 bech32 `lnurl1…` → the URL it encodes;
//! * LUD-17 `lnurlp://…` → the same URL over `https`.
//!
//! An optional `lightning:` URI prefix is ignored. Nothing here touches the network;
//! [`super::policy`] decides whether the URL may be fetched.

use url::Url;

use super::error::LnurlError;

const LIGHTNING_PREFIX: &str = "lightning:";
const LNURLP_SCHEME: &str = "lnurlp://";

/// True when `destination` looks like a Lightning address or an LNURL (as opposed to
/// a BOLT 11 invoice), without checking that it resolves.
pub fn is_lnurl_destination(destination: &str) -> bool {
    let s = strip_lightning_prefix(destination.trim());
    starts_with_ignore_case(s, "lnurl1")
        || starts_with_ignore_case(s, LNURLP_SCHEME)
        || s.contains('@')
}

/// The LNURL-pay endpoint for `destination`.
///
/// `allow_insecure_localhost` (tests only) makes a Lightning address on `127.0.0.1`
/// use `http`.
pub fn endpoint_url(destination: &str, allow_insecure_localhost: bool) -> Result<Url, LnurlError> {
    let s = strip_lightning_prefix(destination.trim());
    if starts_with_ignore_case(s, "lnurl1") {
        return decode_bech32(s);
    }
    if starts_with_ignore_case(s, LNURLP_SCHEME) {
        let rest = s.get(LNURLP_SCHEME.len()..).ok_or(LnurlError::NotLnurl)?;
        return Url::parse(&format!("https://{rest}")).map_err(LnurlError::BadUrl);
    }
    if let Some((name, domain)) = s.split_once('@') {
        return address_url(name, domain, allow_insecure_localhost);
    }
    Err(LnurlError::NotLnurl)
}

fn address_url(
    name: &str,
    domain: &str,
    allow_insecure_localhost: bool,
) -> Result<Url, LnurlError> {
    let name = name.to_ascii_lowercase();
    let name_ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.+".contains(&b));
    // Host (and optional port) only: nothing that could inject a path, query,
    // fragment or credentials.
    let domain_ok = !domain.is_empty()
        && domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b));
    if !name_ok || !domain_ok {
        return Err(LnurlError::BadAddress);
    }
    let local_test =
        allow_insecure_localhost && (domain == "127.0.0.1" || domain.starts_with("127.0.0.1:"));
    let scheme = if local_test { "http" } else { "https" };
    Url::parse(&format!("{scheme}://{domain}/.well-known/lnurlp/{name}"))
        .map_err(LnurlError::BadUrl)
}

fn decode_bech32(s: &str) -> Result<Url, LnurlError> {
    let (hrp, data) = bech32::decode(s).map_err(LnurlError::Bech32)?;
    if !hrp.as_str().eq_ignore_ascii_case("lnurl") {
        return Err(LnurlError::NotLnurlBech32);
    }
    let text = String::from_utf8(data).map_err(|_| LnurlError::NotLnurlBech32)?;
    Url::parse(&text).map_err(LnurlError::BadUrl)
}

fn strip_lightning_prefix(s: &str) -> &str {
    if starts_with_ignore_case(s, LIGHTNING_PREFIX) {
        s.get(LIGHTNING_PREFIX.len()..).unwrap_or(s)
    } else {
        s
    }
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(url: &str) -> String {
        let hrp = bech32::Hrp::parse("lnurl").unwrap();
        bech32::encode::<bech32::Bech32>(hrp, url.as_bytes()).unwrap()
    }

    #[test]
    fn lightning_address_maps_to_the_well_known_path() {
        let url = endpoint_url("Alice@Example.com", false).unwrap();
        assert_eq!(url.as_str(), "https://example.com/.well-known/lnurlp/alice");
        let url = endpoint_url("lightning:bob+tips@pay.example.org", false).unwrap();
        assert_eq!(
            url.as_str(),
            "https://pay.example.org/.well-known/lnurlp/bob+tips"
        );
    }

    #[test]
    fn test_switch_only_changes_the_scheme_for_127_0_0_1() {
        let url = endpoint_url("alice@127.0.0.1:8080", true).unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:8080/.well-known/lnurlp/alice"
        );
        let url = endpoint_url("alice@127.0.0.1:8080", false).unwrap();
        assert_eq!(url.scheme(), "https");
        let url = endpoint_url("alice@localhost:8080", true).unwrap();
        assert_eq!(url.scheme(), "https");
    }

    #[test]
    fn addresses_that_could_inject_url_parts_are_refused() {
        for bad in [
            "@example.com",
            "alice@",
            "al/ice@example.com",
            "alice@example.com/evil",
            "alice@example.com?x=1",
            "alice@evil.com#@example.com",
            "alice@user@example.com",
        ] {
            assert!(
                matches!(endpoint_url(bad, false), Err(LnurlError::BadAddress)),
                "{bad} accepted"
            );
        }
    }

    #[test]
    fn bech32_lnurl_round_trips_in_either_case() {
        let long = "https://service.example.com/api/v1/lnurl/pay/0123456789abcdef0123456789abcdef?tag=payRequest";
        let encoded = encode(long);
        assert!(encoded.len() > 90, "exercise the long-string case");
        assert_eq!(endpoint_url(&encoded, false).unwrap().as_str(), long);
        let upper = format!("lightning:{}", encoded.to_ascii_uppercase());
        assert_eq!(endpoint_url(&upper, false).unwrap().as_str(), long);
    }

    #[test]
    fn bech32_with_another_prefix_or_bad_checksum_is_refused() {
        let hrp = bech32::Hrp::parse("lnurx").unwrap();
        let other = bech32::encode::<bech32::Bech32>(hrp, b"https://example.com").unwrap();
        assert!(endpoint_url(&other, false).is_err());
        let mut broken = encode("https://example.com/lnurlp/x");
        let last = broken.pop();
        broken.push(if last == Some('q') { 'p' } else { 'q' });
        assert!(matches!(
            endpoint_url(&broken, false),
            Err(LnurlError::Bech32(_))
        ));
    }

    #[test]
    fn lud17_scheme_becomes_https() {
        let url = endpoint_url("lnurlp://example.com/pay/alice", false).unwrap();
        assert_eq!(url.as_str(), "https://example.com/pay/alice");
    }

    #[test]
    fn destinations_are_told_apart_from_invoices() {
        assert!(is_lnurl_destination("alice@example.com"));
        assert!(is_lnurl_destination("LNURL1DP68GURN8GHJ7"));
        assert!(is_lnurl_destination("lnurlp://example.com/x"));
        assert!(!is_lnurl_destination("lnbcrt10u1pj..."));
        assert!(matches!(
            endpoint_url("lnbc1...", false),
            Err(LnurlError::NotLnurl)
        ));
    }
}
