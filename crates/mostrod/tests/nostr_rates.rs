//! The optional kind 30078 exchange-rates event (PROTOCOL.md §7.6): a daemon with the
//! fake Lightning node, a local relay and a local HTTP server serving the recorded
//! Yadio and CoinGecko responses publishes the accepted currencies' rates when
//! `[price] publish_to_nostr` is on, and nothing when it is off. Plus the setting and
//! its legacy alias.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "fixtures/http_server.rs"]
mod http_server;
mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use devrelay::DevRelay;
use http_server::{Route, TestServer};
use mostro_protocol::events::{RatesEvent, RATES_IDENTIFIER};
use mostro_relay::{PoolOptions, RelayPool};
use mostrod::config::{Cli, ConfigError, Settings};
use mostrod::lightning::fake::FakeLightning;
use mostrod::price::{
    CoinGeckoProvider, DynPriceProvider, PriceHttp, PriceService, PriceSettings, YadioProvider,
};
use mostrod::runtime::{Mostro, RuntimeError};
use mostrod::store::Store;
use nostr::key::Keys;
use serde_json::Value;
use support::{eventually, public_event};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use url::Url;

const YADIO_BODY: &str = include_str!("fixtures/price/yadio_exrates_btc.json");
const COINGECKO_BODY: &str = include_str!("fixtures/price/coingecko_simple_price.json");
const YADIO_PATH: &str = "/exrates/BTC";
const COINGECKO_PATH: &str = "/api/v3/simple/price";

/// A local server answering like Yadio and CoinGecko with the recorded bodies.
async fn price_server() -> TestServer {
    let server = TestServer::start().await;
    server.route(YADIO_PATH, Route::json(200, YADIO_BODY));
    server.route(COINGECKO_PATH, Route::json(200, COINGECKO_BODY));
    server
}

/// Both providers on `server`; CoinGecko is asked for the `accepted` currencies, as
/// the daemon's start-up does.
fn price_service(server: &TestServer, accepted: &[String]) -> PriceService {
    let http = PriceHttp::new(Duration::from_secs(5), 64 * 1024).unwrap();
    let yadio = YadioProvider::new(http.clone(), Url::parse(&server.url(YADIO_PATH)).unwrap());
    let gecko = CoinGeckoProvider::new(http, &server.url("/api/v3"), accepted).unwrap();
    let providers: Vec<DynPriceProvider> = vec![Arc::new(yadio), Arc::new(gecko)];
    PriceService::new(providers, PriceSettings::default())
}

/// A daemon running in-process.
struct Daemon {
    keys: Keys,
    shutdown: CancellationToken,
    task: JoinHandle<Result<(), RuntimeError>>,
    relays: RelayPool,
}

impl Daemon {
    async fn start(
        relay: &DevRelay,
        dir: &std::path::Path,
        server: &TestServer,
        publish: bool,
    ) -> Self {
        let mut settings = support::settings(&relay.url(), dir);
        settings.price.publish_to_nostr = publish;
        let price = price_service(server, &settings.mostro.fiat_currencies_accepted);
        let relays = RelayPool::new([relay.url()], PoolOptions::default()).unwrap();
        relays
            .wait_for_connection(Duration::from_secs(10))
            .await
            .unwrap();
        let keys = Keys::generate();
        let mostro = Mostro::builder(settings)
            .store(Store::open(dir.join("mostro.db")).unwrap())
            .lightning(Arc::new(FakeLightning::new()))
            .relays(relays.clone())
            .keys(keys.clone())
            .price(price)
            .build()
            .await
            .unwrap();
        let shutdown = CancellationToken::new();
        let task = {
            let shutdown = shutdown.clone();
            tokio::spawn(async move { mostro.run(shutdown).await })
        };
        Self {
            keys,
            shutdown,
            task,
            relays,
        }
    }

    async fn stop(self) {
        self.shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(30), self.task)
            .await
            .expect("daemon stops in time")
            .expect("daemon task")
            .expect("daemon ran cleanly");
        self.relays.shutdown().await;
    }
}

/// The price of 1 BTC in `code` according to each recorded body (CoinGecko uses
/// lower-case codes under `bitcoin`, Yadio upper-case ones under `BTC`).
fn recorded(code: &str) -> Vec<f64> {
    let yadio: Value = serde_json::from_str(YADIO_BODY).unwrap();
    let gecko: Value = serde_json::from_str(COINGECKO_BODY).unwrap();
    [
        yadio["BTC"][code].as_f64(),
        gecko["bitcoin"][code.to_ascii_lowercase()].as_f64(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enabled_node_publishes_the_served_rates() {
    let relay = DevRelay::start_local().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = price_server().await;
    let daemon = Daemon::start(&relay, dir.path(), &server, true).await;

    let event = eventually(|| public_event(&relay, 30078, RATES_IDENTIFIER)).await;
    assert_eq!(event.pubkey, daemon.keys.public_key());
    event.verify().unwrap();
    let rates = RatesEvent::parse(&event).unwrap();
    assert_eq!(rates.sources, ["coingecko", "yadio"]);
    assert_eq!(rates.published_at, event.created_at);
    // Default update interval 300 s: the event lives twice as long.
    assert_eq!(rates.expiration, Some(event.created_at + 600));

    // Exactly the accepted currencies (USD, EUR, ARS, CUP by default), each the
    // median of what the providers served: both agree within 10 % here.
    let accepted = Settings::default().mostro.fiat_currencies_accepted;
    let expected: BTreeMap<String, f64> = accepted
        .iter()
        .map(|code| {
            let served = recorded(code);
            assert!(!served.is_empty(), "{code} is in the fixtures");
            let mean = served.iter().sum::<f64>() / served.len() as f64;
            (code.clone(), mean)
        })
        .collect();
    assert_eq!(rates.rates, expected);
    assert!(rates.price("VES").is_none(), "VES is not accepted");
    // CUP comes from Yadio alone, USD from both.
    assert_eq!(rates.price("CUP"), Some(recorded("CUP")[0]));
    assert_eq!(recorded("USD").len(), 2);
    assert!(
        event.content.starts_with(r#"{"BTC":{"ARS":"#),
        "{}",
        event.content
    );

    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabled_node_publishes_no_rates() {
    let relay = DevRelay::start_local().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = price_server().await;
    let daemon = Daemon::start(&relay, dir.path(), &server, false).await;
    let node = daemon.keys.public_key().to_hex();

    // The node publishes (its info event) and has refreshed its prices...
    eventually(|| public_event(&relay, 38385, &node)).await;
    eventually(|| {
        let requests = server.requests();
        let both = requests.iter().any(|r| r == YADIO_PATH)
            && requests.iter().any(|r| r.starts_with(COINGECKO_PATH));
        both.then_some(())
    })
    .await;
    // ...yet no rates event appears.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(public_event(&relay, 30078, RATES_IDENTIFIER).is_none());

    daemon.stop().await;
}

/// Loads `settings` (TOML) through the daemon's loader, with LND credentials present.
fn load(settings: &str) -> Result<Settings, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("tls.cert");
    let macaroon = dir.path().join("admin.macaroon");
    std::fs::write(&cert, "cert").unwrap();
    std::fs::write(&macaroon, "mac").unwrap();
    let text = format!(
        "{settings}\n[nostr]\nrelays = [\"wss://relay.example\"]\n\
         [lightning]\nlnd_cert_file = {cert:?}\nlnd_macaroon_file = {macaroon:?}\n"
    );
    std::fs::write(dir.path().join("settings.toml"), text).unwrap();
    let data_dir = dir.path().to_string_lossy().into_owned();
    let cli = Cli::try_parse_from(["mostrod", "--data-dir", data_dir.as_str()]).unwrap();
    Settings::load_with_env(&cli, std::iter::empty::<(String, String)>())
}

#[test]
fn publishing_rates_is_off_by_default() {
    assert!(!Settings::default().price.publish_to_nostr);
    assert!(!load("").unwrap().price.publish_to_nostr);
}

#[test]
fn publish_to_nostr_and_its_legacy_alias_are_read() {
    let on = load("[price]\npublish_to_nostr = true\n").unwrap();
    assert!(on.price.publish_to_nostr);
    let legacy = load("[price]\npublish_exchange_rates_to_nostr = true\n").unwrap();
    assert!(legacy.price.publish_to_nostr);
    let off = load("[price]\npublish_exchange_rates_to_nostr = false\n").unwrap();
    assert!(!off.price.publish_to_nostr);
    assert!(matches!(
        load("[price]\npublish_to_nostr = \"yes\"\n"),
        Err(ConfigError::Parse { .. })
    ));
}
