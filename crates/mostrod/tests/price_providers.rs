//! Price providers and the price service against a local HTTP server serving recorded
//! provider responses.

// Test helpers outside `#[test]` functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

#[path = "fixtures/http_server.rs"]
mod http_server;

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use http_server::{Route, TestServer};
use mostrod::price::{
    CoinGeckoProvider, DynPriceProvider, PriceError, PriceHttp, PriceProvider, PriceService,
    PriceSettings, RateTable, YadioProvider,
};
use nostr::types::Timestamp;
use url::Url;

const YADIO_BODY: &str = include_str!("fixtures/price/yadio_exrates_btc.json");
const COINGECKO_BODY: &str = include_str!("fixtures/price/coingecko_simple_price.json");

fn http() -> PriceHttp {
    PriceHttp::new(Duration::from_secs(5), 64 * 1024).unwrap()
}

async fn yadio_serving(route: Route) -> (TestServer, YadioProvider) {
    let server = TestServer::start().await;
    server.route("/exrates/BTC", route);
    let url = Url::parse(&server.url("/exrates/BTC")).unwrap();
    (server, YadioProvider::new(http(), url))
}

#[tokio::test]
async fn yadio_reads_the_recorded_table() {
    let (server, yadio) = yadio_serving(Route::json(200, YADIO_BODY)).await;
    let table = yadio.fetch().await.unwrap();
    assert_eq!(yadio.id(), "yadio");
    assert_eq!(table.len(), 7);
    assert_eq!(table.get("USD"), Some(67543.21));
    assert_eq!(table.get("VES"), Some(2461234.56));
    assert_eq!(table.get("CUP"), Some(16210370.4));
    assert_eq!(server.requests(), ["/exrates/BTC"]);
}

#[tokio::test]
async fn coingecko_asks_for_the_configured_currencies() {
    let server = TestServer::start().await;
    server.route("/api/v3/simple/price", Route::json(200, COINGECKO_BODY));
    let currencies = ["USD", "EUR", "ARS"].map(String::from);
    let gecko = CoinGeckoProvider::new(http(), &server.url("/api/v3/"), &currencies).unwrap();
    let table = gecko.fetch().await.unwrap();
    assert_eq!(gecko.id(), "coingecko");
    assert_eq!(
        server.requests(),
        ["/api/v3/simple/price?ids=bitcoin&vs_currencies=usd%2Ceur%2Cars"]
    );
    assert_eq!(table.get("USD"), Some(67480.0));
    assert_eq!(table.get("EUR"), Some(62190.12));
    assert_eq!(table.get("ARS"), Some(60123456.0));
    assert_eq!(table.len(), 3);
}

#[tokio::test]
async fn http_500_is_a_status_error() {
    let (_server, yadio) = yadio_serving(Route::json(500, r#"{"error":"boom"}"#)).await;
    let error = yadio.fetch().await.unwrap_err();
    assert!(
        matches!(
            error,
            PriceError::Status {
                provider: "yadio",
                status: 500
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let (server, yadio) =
        yadio_serving(Route::json(302, "").header("Location", "/elsewhere")).await;
    server.route("/elsewhere", Route::json(200, YADIO_BODY));
    let error = yadio.fetch().await.unwrap_err();
    assert!(
        matches!(error, PriceError::Status { status: 302, .. }),
        "{error:?}"
    );
    assert_eq!(server.requests(), ["/exrates/BTC"]);
}

#[tokio::test]
async fn malformed_json_is_refused() {
    for body in [
        r#"{"BTC":{"USD":675"#,
        r#"{"rates":{"USD":1.0}}"#,
        "<html>oops</html>",
    ] {
        let (_server, yadio) = yadio_serving(Route::json(200, body)).await;
        let error = yadio.fetch().await.unwrap_err();
        assert!(
            matches!(
                error,
                PriceError::Malformed {
                    provider: "yadio",
                    ..
                }
            ),
            "{body}: {error:?}"
        );
    }
}

#[tokio::test]
async fn a_table_without_usable_rates_is_refused() {
    let body = r#"{"BTC":{"USD":"n/a","EUR":0,"ARS":-5},"base":"BTC"}"#;
    let (_server, yadio) = yadio_serving(Route::json(200, body)).await;
    let error = yadio.fetch().await.unwrap_err();
    assert!(
        matches!(error, PriceError::NoRates { provider: "yadio" }),
        "{error:?}"
    );
}

#[tokio::test]
async fn slow_provider_times_out() {
    let server = TestServer::start().await;
    server.route(
        "/exrates/BTC",
        Route::json(200, YADIO_BODY).delay(Duration::from_secs(30)),
    );
    let http = PriceHttp::new(Duration::from_millis(300), 64 * 1024).unwrap();
    let yadio = YadioProvider::new(http, Url::parse(&server.url("/exrates/BTC")).unwrap());
    let error = yadio.fetch().await.unwrap_err();
    assert!(
        matches!(error, PriceError::Timeout { provider: "yadio" }),
        "{error:?}"
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_or_without_length() {
    let huge = format!(
        r#"{{"BTC":{{"USD":1.0}},"pad":"{}"}}"#,
        "x".repeat(100 * 1024)
    );
    for route in [
        Route::json(200, huge.clone()),
        Route::json(200, huge.clone()).without_length(),
    ] {
        let (_server, yadio) = yadio_serving(route).await;
        let error = yadio.fetch().await.unwrap_err();
        assert!(
            matches!(
                error,
                PriceError::BodyTooLarge {
                    provider: "yadio",
                    limit: 65536
                }
            ),
            "{error:?}"
        );
    }
}

#[tokio::test]
async fn unreachable_provider_is_a_transport_error() {
    // Bind and drop a listener to get a port nobody listens on.
    let port = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = Url::parse(&format!("http://127.0.0.1:{port}/exrates/BTC")).unwrap();
    let error = YadioProvider::new(http(), url).fetch().await.unwrap_err();
    assert!(
        matches!(
            error,
            PriceError::Transport {
                provider: "yadio",
                ..
            }
        ),
        "{error:?}"
    );
}

/// A provider returning a fixed table, or failing.
#[derive(Debug)]
struct Fixed {
    id: &'static str,
    rates: Option<Vec<(&'static str, f64)>>,
}

impl PriceProvider for Fixed {
    fn id(&self) -> &'static str {
        self.id
    }

    fn fetch(&self) -> BoxFuture<'_, Result<RateTable, PriceError>> {
        Box::pin(async move {
            match &self.rates {
                Some(rates) => Ok(rates.iter().copied().collect()),
                None => Err(PriceError::NoRates { provider: self.id }),
            }
        })
    }
}

fn fixed(id: &'static str, rates: &[(&'static str, f64)]) -> DynPriceProvider {
    Arc::new(Fixed {
        id,
        rates: Some(rates.to_vec()),
    })
}

fn down(id: &'static str) -> DynPriceProvider {
    Arc::new(Fixed { id, rates: None })
}

#[tokio::test]
async fn service_takes_the_median_of_real_providers() {
    let yadio_server = TestServer::start().await;
    yadio_server.route("/exrates/BTC", Route::json(200, YADIO_BODY));
    let gecko_server = TestServer::start().await;
    gecko_server.route("/simple/price", Route::json(200, COINGECKO_BODY));
    let yadio = YadioProvider::new(
        http(),
        Url::parse(&yadio_server.url("/exrates/BTC")).unwrap(),
    );
    let gecko =
        CoinGeckoProvider::new(http(), &gecko_server.url(""), &["usd".into(), "eur".into()])
            .unwrap();
    let service = PriceService::new(
        vec![Arc::new(yadio), Arc::new(gecko)],
        PriceSettings::default(),
    );
    let mut updates = service.subscribe();

    let now = Timestamp::from_secs(1_700_000_000);
    let report = service.refresh_once(now).await;
    assert!(report.failures.is_empty());
    assert_eq!(report.updated, 7);

    let usd = service.quote("usd", now).unwrap();
    assert_eq!(usd.price, (67543.21 + 67480.0) / 2.0);
    assert_eq!(usd.fetched_at, now);
    assert_eq!(service.quote("VES", now).unwrap().price, 2461234.56);

    assert!(updates.has_changed().unwrap());
    let snapshot = updates.borrow_and_update().clone().unwrap();
    assert_eq!(snapshot.sources, ["coingecko", "yadio"]);
    assert_eq!(snapshot.prices.get("USD"), Some(&usd.price));
    assert_eq!(snapshot.fetched_at, now);
}

#[tokio::test]
async fn quotes_go_stale_after_the_limit() {
    let service = PriceService::new(
        vec![fixed("yadio", &[("USD", 60_000.0)])],
        PriceSettings::new(300, 1800),
    );
    let t0 = Timestamp::from_secs(1_000_000);
    assert!(matches!(
        service.quote("USD", t0),
        Err(PriceError::Unknown { currency }) if currency == "USD"
    ));
    service.refresh_once(t0).await;
    assert_eq!(
        service
            .quote("USD", Timestamp::from_secs(1_001_800))
            .unwrap()
            .price,
        60_000.0
    );
    let error = service
        .quote("USD", Timestamp::from_secs(1_001_801))
        .unwrap_err();
    assert!(
        matches!(
            error,
            PriceError::Stale {
                age_secs: 1801,
                max_age_secs: 1800,
                ..
            }
        ),
        "{error:?}"
    );
    // The engine gets the latest quote whatever its age and applies its own rule.
    assert_eq!(service.latest("USD").map(|q| q.fetched_at), Some(t0));
    assert!(matches!(
        service.quote("EUR", t0),
        Err(PriceError::Unknown { .. })
    ));
}

#[tokio::test]
async fn one_lying_provider_is_ignored() {
    let service = PriceService::new(
        vec![
            fixed("yadio", &[("USD", 60_000.0)]),
            fixed("coingecko", &[("USD", 60_600.0)]),
            fixed("liar", &[("USD", 6_000.0)]),
        ],
        PriceSettings::default(),
    );
    let now = Timestamp::from_secs(5_000);
    service.refresh_once(now).await;
    assert_eq!(service.quote("USD", now).unwrap().price, 60_300.0);
}

#[tokio::test]
async fn failed_refresh_keeps_the_previous_price_ageing() {
    let service = PriceService::new(
        vec![fixed("yadio", &[("USD", 60_000.0)]), down("coingecko")],
        PriceSettings::default(),
    );
    let report = service.refresh_once(Timestamp::from_secs(10_000)).await;
    assert_eq!(report.updated, 1);
    assert_eq!(report.failures.len(), 1);
    assert_eq!(report.failures[0].0, "coingecko");

    let all_down = PriceService::new(
        vec![down("yadio"), down("coingecko")],
        PriceSettings::default(),
    );
    let report = all_down.refresh_once(Timestamp::from_secs(10_000)).await;
    assert_eq!((report.updated, report.failures.len()), (0, 2));
    assert!(matches!(
        all_down.quote("USD", Timestamp::from_secs(10_000)),
        Err(PriceError::Unknown { .. })
    ));
    assert!(all_down.subscribe().borrow().is_none());
}

#[tokio::test]
async fn run_refreshes_at_once_and_stops_on_shutdown() {
    let service = PriceService::new(
        vec![fixed("yadio", &[("EUR", 55_000.0)])],
        PriceSettings::default(),
    );
    let mut updates = service.subscribe();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let runner = service.clone();
    let task = tokio::spawn(async move {
        runner
            .run(async {
                let _ = stopped.await;
            })
            .await
    });
    updates.changed().await.unwrap();
    assert_eq!(service.latest("EUR").map(|q| q.price), Some(55_000.0));
    stop.send(()).unwrap();
    task.await.unwrap();
}
