//! Lightning address / LNURL-pay resolution against a local HTTP server on 127.0.0.1
//! (with the test switch), and the host policy without it (no traffic leaves the
//! machine: forbidden targets are refused before any connection).

// Test helpers outside `#[test]` functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

#[path = "fixtures/http_server.rs"]
mod http_server;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bitcoin::hashes::{sha256, Hash};
use bitcoin::secp256k1::{Secp256k1, SecretKey};
use http_server::{Route, TestServer};
use lightning_invoice::{Currency, InvoiceBuilder, PaymentSecret};
use mostrod::lnurl::{ForbiddenRange, LnurlError, LnurlOptions, LnurlResolver};

const PAY_REQUEST: &str = include_str!("fixtures/lnurl/pay_request.json");
const CALLBACK_INVOICE: &str = include_str!("fixtures/lnurl/callback_invoice.json");
const SERVICE_ERROR: &str = include_str!("fixtures/lnurl/service_error.json");

const WELL_KNOWN: &str = "/.well-known/lnurlp/alice";
const CALLBACK: &str = "/lnurlp/callback/alice";

fn test_options() -> LnurlOptions {
    LnurlOptions {
        allow_insecure_localhost: true,
        request_timeout: Duration::from_secs(5),
        ..LnurlOptions::default()
    }
}

/// A fake LNURL-pay service for `alice@127.0.0.1:<port>`.
struct Service {
    server: TestServer,
    metadata: String,
}

impl Service {
    async fn start() -> Self {
        let server = TestServer::start().await;
        let body = PAY_REQUEST
            .replace("{{CALLBACK}}", &server.url(CALLBACK))
            .replace("{{DOMAIN}}", &server.authority());
        let metadata = serde_json::from_str::<serde_json::Value>(&body).unwrap()["metadata"]
            .as_str()
            .unwrap()
            .to_owned();
        server.route(WELL_KNOWN, Route::json(200, body));
        Self { server, metadata }
    }

    fn address(&self) -> String {
        format!("alice@{}", self.server.authority())
    }

    /// Makes the callback answer with `bolt11`.
    fn answer_with(&self, bolt11: &str) {
        let body = CALLBACK_INVOICE.replace("{{PR}}", bolt11);
        self.server.route(CALLBACK, Route::json(200, body));
    }

    fn metadata_hash(&self) -> sha256::Hash {
        sha256::Hash::hash(self.metadata.as_bytes())
    }
}

/// A real, signed regtest invoice for `amount_msat` committing to `description_hash`.
fn invoice(amount_msat: u64, description_hash: sha256::Hash) -> String {
    let secp = Secp256k1::new();
    let node_key = SecretKey::from_slice(&[0x42; 32]).unwrap();
    InvoiceBuilder::new(Currency::Regtest)
        .amount_milli_satoshis(amount_msat)
        .description_hash(description_hash)
        .payment_hash(sha256::Hash::hash(&[7u8; 32]))
        .payment_secret(PaymentSecret([9u8; 32]))
        .duration_since_epoch(SystemTime::now().duration_since(UNIX_EPOCH).unwrap())
        .min_final_cltv_expiry_delta(144)
        .build_signed(|hash| secp.sign_ecdsa_recoverable(hash, &node_key))
        .unwrap()
        .to_string()
}

fn lnurl_bech32(url: &str) -> String {
    let hrp = bech32::Hrp::parse("lnurl").unwrap();
    bech32::encode::<bech32::Bech32>(hrp, url.as_bytes())
        .unwrap()
        .to_ascii_uppercase()
}

#[tokio::test]
async fn lightning_address_resolves_to_an_invoice_for_the_exact_amount() {
    let service = Service::start().await;
    let expected = invoice(50_000_000, service.metadata_hash());
    service.answer_with(&expected);
    let resolver = LnurlResolver::new(test_options());

    let bolt11 = resolver
        .resolve_payout(&service.address(), 50_000)
        .await
        .unwrap();

    assert_eq!(bolt11, expected);
    assert_eq!(
        service.server.requests(),
        [WELL_KNOWN.to_owned(), format!("{CALLBACK}?amount=50000000")]
    );
}

#[tokio::test]
async fn bech32_lnurl_resolves_like_the_address() {
    let service = Service::start().await;
    let expected = invoice(1_000, service.metadata_hash());
    service.answer_with(&expected);
    let lnurl = lnurl_bech32(&service.server.url(WELL_KNOWN));
    let resolver = LnurlResolver::new(test_options());
    assert_eq!(resolver.resolve_payout(&lnurl, 1).await.unwrap(), expected);
}

#[tokio::test]
async fn check_reachable_returns_the_pay_parameters() {
    let service = Service::start().await;
    let params = LnurlResolver::new(test_options())
        .check_reachable(&service.address())
        .await
        .unwrap();
    assert_eq!(params.min_sendable_msat, 1_000);
    assert_eq!(params.max_sendable_msat, 100_000_000_000);
    assert_eq!(params.callback.as_str(), service.server.url(CALLBACK));
    assert_eq!(params.metadata, service.metadata);
    assert_eq!(service.server.requests(), [WELL_KNOWN]);
}

#[tokio::test]
async fn amounts_outside_the_service_bounds_are_refused_before_the_callback() {
    let service = Service::start().await;
    let resolver = LnurlResolver::new(test_options());
    for sats in [0, 100_000_001] {
        let error = resolver
            .resolve_payout(&service.address(), sats)
            .await
            .unwrap_err();
        assert!(
            matches!(error, LnurlError::AmountOutOfRange { .. }),
            "{sats}: {error:?}"
        );
    }
    assert!(service.server.requests().iter().all(|r| r == WELL_KNOWN));
}

#[tokio::test]
async fn invoice_for_another_amount_is_refused() {
    let service = Service::start().await;
    service.answer_with(&invoice(49_999_000, service.metadata_hash()));
    let error = LnurlResolver::new(test_options())
        .resolve_payout(&service.address(), 50_000)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            LnurlError::InvoiceAmountMismatch {
                expected_msat: 50_000_000,
                found_msat: Some(49_999_000)
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn invoice_with_a_foreign_description_hash_is_refused() {
    let service = Service::start().await;
    service.answer_with(&invoice(50_000_000, sha256::Hash::hash(b"something else")));
    let error = LnurlResolver::new(test_options())
        .resolve_payout(&service.address(), 50_000)
        .await
        .unwrap_err();
    assert!(
        matches!(error, LnurlError::DescriptionHashMismatch),
        "{error:?}"
    );
}

#[tokio::test]
async fn garbage_invoice_is_refused() {
    let service = Service::start().await;
    service.answer_with("lnbcrt1notaninvoice");
    let error = LnurlResolver::new(test_options())
        .resolve_payout(&service.address(), 50_000)
        .await
        .unwrap_err();
    assert!(
        matches!(error, LnurlError::InvoiceUnparseable(_)),
        "{error:?}"
    );
}

#[tokio::test]
async fn service_error_answer_is_reported() {
    let service = Service::start().await;
    service
        .server
        .route(CALLBACK, Route::json(200, SERVICE_ERROR));
    let error = LnurlResolver::new(test_options())
        .resolve_payout(&service.address(), 50_000)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, LnurlError::Service { reason } if reason == "Unable to create invoice"),
        "{error:?}"
    );
}

#[tokio::test]
async fn redirects_are_refused_and_not_followed() {
    let service = Service::start().await;
    service.server.route(
        "/.well-known/lnurlp/bob",
        Route::json(302, "").header("Location", WELL_KNOWN),
    );
    let address = format!("bob@{}", service.server.authority());
    let error = LnurlResolver::new(test_options())
        .check_reachable(&address)
        .await
        .unwrap_err();
    assert!(
        matches!(error, LnurlError::Redirect { status: 302 }),
        "{error:?}"
    );
    assert_eq!(service.server.requests(), ["/.well-known/lnurlp/bob"]);
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let service = Service::start().await;
    let huge = format!(r#"{{"pr":"{}"}}"#, "q".repeat(70 * 1024));
    for route in [
        Route::json(200, huge.clone()),
        Route::json(200, huge.clone()).without_length(),
    ] {
        service.server.route(CALLBACK, route);
        let error = LnurlResolver::new(test_options())
            .resolve_payout(&service.address(), 50_000)
            .await
            .unwrap_err();
        assert!(
            matches!(error, LnurlError::BodyTooLarge { limit: 65_536 }),
            "{error:?}"
        );
    }
}

#[tokio::test]
async fn slow_service_times_out() {
    let service = Service::start().await;
    let body = PAY_REQUEST.replace("{{CALLBACK}}", &service.server.url(CALLBACK));
    service.server.route(
        WELL_KNOWN,
        Route::json(200, body).delay(Duration::from_secs(30)),
    );
    let options = LnurlOptions {
        request_timeout: Duration::from_millis(300),
        ..test_options()
    };
    let error = LnurlResolver::new(options)
        .check_reachable(&service.address())
        .await
        .unwrap_err();
    assert!(matches!(error, LnurlError::Timeout), "{error:?}");
}

#[tokio::test]
async fn malformed_or_foreign_endpoints_are_refused() {
    let service = Service::start().await;
    service
        .server
        .route(WELL_KNOWN, Route::json(200, "{not json"));
    let resolver = LnurlResolver::new(test_options());
    let error = resolver
        .check_reachable(&service.address())
        .await
        .unwrap_err();
    assert!(matches!(error, LnurlError::Malformed(_)), "{error:?}");

    let withdraw = PAY_REQUEST
        .replace("{{CALLBACK}}", &service.server.url(CALLBACK))
        .replace("payRequest", "withdrawRequest");
    service.server.route(WELL_KNOWN, Route::json(200, withdraw));
    let error = resolver
        .check_reachable(&service.address())
        .await
        .unwrap_err();
    assert!(
        matches!(error, LnurlError::NotPayRequest { .. }),
        "{error:?}"
    );

    service
        .server
        .route(WELL_KNOWN, Route::json(404, SERVICE_ERROR));
    let error = resolver
        .check_reachable(&service.address())
        .await
        .unwrap_err();
    assert!(
        matches!(error, LnurlError::Status { status: 404 }),
        "{error:?}"
    );
}

#[tokio::test]
async fn callback_to_a_private_host_is_refused_even_with_the_test_switch() {
    let service = Service::start().await;
    let body = PAY_REQUEST
        .replace("{{CALLBACK}}", "https://10.0.0.1/cb")
        .replace("{{DOMAIN}}", "example.com");
    service.server.route(WELL_KNOWN, Route::json(200, body));
    let error = LnurlResolver::new(test_options())
        .resolve_payout(&service.address(), 50_000)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            LnurlError::ForbiddenAddress {
                range: ForbiddenRange::Private,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn without_the_test_switch_local_and_private_targets_are_refused_before_connecting() {
    let service = Service::start().await;
    let production = LnurlResolver::new(LnurlOptions::default());

    // The local service itself: `https://127.0.0.1:<port>` is loopback.
    let error = production
        .check_reachable(&service.address())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            LnurlError::ForbiddenAddress {
                range: ForbiddenRange::Loopback,
                ..
            }
        ),
        "{error:?}"
    );
    let error = production
        .check_reachable(&lnurl_bech32(&service.server.url(WELL_KNOWN)))
        .await
        .unwrap_err();
    assert!(
        matches!(error, LnurlError::InsecureScheme { .. }),
        "{error:?}"
    );
    assert!(service.server.requests().is_empty());

    let cases = [
        (
            "https://127.0.0.1/.well-known/lnurlp/a",
            ForbiddenRange::Loopback,
        ),
        (
            "https://10.0.0.1/.well-known/lnurlp/a",
            ForbiddenRange::Private,
        ),
        (
            "https://[::1]/.well-known/lnurlp/a",
            ForbiddenRange::Loopback,
        ),
        (
            "https://169.254.1.1/.well-known/lnurlp/a",
            ForbiddenRange::LinkLocal,
        ),
        (
            "https://localhost/.well-known/lnurlp/a",
            ForbiddenRange::Loopback,
        ),
    ];
    for (url, range) in cases {
        let error = production
            .check_reachable(&lnurl_bech32(url))
            .await
            .unwrap_err();
        assert!(
            matches!(error, LnurlError::ForbiddenAddress { range: found, .. } if found == range),
            "{url}: {error:?}"
        );
    }
    for address in ["a@10.0.0.1", "a@[::1]", "a@169.254.1.1", "a@localhost"] {
        let error = production.check_reachable(address).await.unwrap_err();
        assert!(
            matches!(error, LnurlError::ForbiddenAddress { .. }),
            "{address}: {error:?}"
        );
    }
    let error = production
        .check_reachable(&lnurl_bech32("http://example.com/.well-known/lnurlp/a"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, LnurlError::InsecureScheme { .. }),
        "{error:?}"
    );
}
