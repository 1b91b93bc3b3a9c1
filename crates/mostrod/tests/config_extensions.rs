//! Settings added for issue 5: `mostro.fiat_limits` (validated, passed to the engine
//! and advertised in the info event), `[price] yadio_url`/`coingecko_url` and
//! `[lnurl]`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use clap::Parser;
use mostro_protocol::events::{FiatLimit, InfoEvent, LndInfo};
use mostrod::config::{Cli, ConfigError, Settings};
use mostrod::engine::FiatBounds;
use mostrod::model::Transport;
use mostrod::nostr::{InfoSettings, PublicEvents, PublicSettings};
use nostr::key::Keys;
use nostr::types::Timestamp;

/// Loads `settings` (TOML) from a data directory that also holds LND credentials.
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

/// The setting named by an `Invalid` error, and its reason.
fn invalid(result: Result<Settings, ConfigError>) -> (&'static str, String) {
    match result {
        Err(ConfigError::Invalid {
            setting, reason, ..
        }) => (setting, reason),
        other => panic!("expected an invalid setting, got {other:?}"),
    }
}

const LIMITS: &str = "[mostro.fiat_limits]\n\
     USD = { min = 10, max = 5000 }\n\
     ARS = { min = 1000, max = 2000000 }\n";

#[test]
fn fiat_limits_are_read_and_reach_the_engine() {
    let settings = load(LIMITS).unwrap();
    let engine = settings.to_engine_settings();
    assert_eq!(
        engine.fiat_limits.get("USD"),
        Some(&FiatBounds { min: 10, max: 5000 })
    );
    assert_eq!(
        engine.fiat_limits.get("ARS"),
        Some(&FiatBounds {
            min: 1000,
            max: 2_000_000
        })
    );
    assert!(engine.fiat_in_limits("USD", 5000));
    assert!(!engine.fiat_in_limits("USD", 5001));
    assert!(engine.fiat_in_limits("EUR", 1));
    // The inline-table spelling is the same setting.
    let inline = load("[mostro]\nfiat_limits = { USD = { min = 10, max = 5000 } }\n").unwrap();
    assert_eq!(inline.mostro.fiat_limits.len(), 1);
}

#[test]
fn no_fiat_limits_by_default() {
    assert!(Settings::default().mostro.fiat_limits.is_empty());
    assert!(load("")
        .unwrap()
        .to_engine_settings()
        .fiat_limits
        .is_empty());
}

#[test]
fn bad_fiat_limits_name_the_setting() {
    let cases = [
        ("lower-case code", "usd = { min = 1, max = 2 }"),
        ("two-letter code", "US = { min = 1, max = 2 }"),
        ("not accepted", "JPY = { min = 1, max = 2 }"),
        ("min above max", "USD = { min = 3, max = 2 }"),
        ("zero min", "USD = { min = 0, max = 2 }"),
    ];
    for (name, entry) in cases {
        let (setting, _) = invalid(load(&format!("[mostro.fiat_limits]\n{entry}\n")));
        assert_eq!(setting, "mostro.fiat_limits", "{name}");
    }
    let (_, reason) = invalid(load("[mostro.fiat_limits]\nJPY = { min = 1, max = 2 }\n"));
    assert!(reason.contains("fiat_currencies_accepted"), "{reason}");
}

#[test]
fn fiat_limits_accept_any_code_when_every_currency_is() {
    let settings = load(
        "[mostro]\nfiat_currencies_accepted = []\n\
         [mostro.fiat_limits]\nJPY = { min = 100, max = 100000 }\n",
    )
    .unwrap();
    assert_eq!(settings.mostro.fiat_limits.len(), 1);
}

#[test]
fn a_misspelt_fiat_limit_field_is_refused() {
    assert!(matches!(
        load("[mostro.fiat_limits]\nUSD = { min = 1, maximum = 2 }\n"),
        Err(ConfigError::Parse { .. })
    ));
}

#[test]
fn fiat_limits_are_advertised_in_the_info_event() {
    let engine = load(LIMITS).unwrap().to_engine_settings();
    let node = Keys::generate();
    let public = PublicEvents::new(
        node,
        PublicSettings {
            relays: vec!["wss://relay.example".to_owned()],
            instance_name: None,
            networks: vec!["regtest".to_owned()],
            order_days: 30,
            rating_days: 90,
            dispute_days: 90,
        },
    );
    let info = InfoSettings {
        mostro_version: "0.1.0".to_owned(),
        mostro_commit_hash: "abc".to_owned(),
        engine,
        pow: 0,
        pow_first_contact: 0,
        preferred_transport: Transport::Nip44,
        hold_invoice_expiration_window: 300,
        invoice_expiration_window: 3_600,
    };
    let event = public
        .info_event(
            &info,
            &LndInfo::default(),
            Timestamp::from_secs(1_700_000_000),
        )
        .unwrap();
    let tags: Vec<Vec<String>> = event
        .tags
        .iter()
        .map(|t| t.as_slice().to_vec())
        .filter(|t| t.first().is_some_and(|name| name == "fiat_limit"))
        .collect();
    assert_eq!(
        tags,
        [
            ["fiat_limit", "ARS", "1000", "2000000"],
            ["fiat_limit", "USD", "10", "5000"],
        ]
    );
    let parsed = InfoEvent::parse(&event).unwrap();
    assert_eq!(
        parsed.fiat_limits,
        [
            FiatLimit {
                code: "ARS".to_owned(),
                min: 1000,
                max: 2_000_000
            },
            FiatLimit {
                code: "USD".to_owned(),
                min: 10,
                max: 5000
            },
        ]
    );
}

#[test]
fn price_sources_default_to_the_public_apis_and_can_be_changed() {
    let defaults = Settings::default().price;
    assert_eq!(defaults.yadio_url, mostrod::price::YADIO_DEFAULT_URL);
    assert_eq!(
        defaults.coingecko_url,
        mostrod::price::COINGECKO_DEFAULT_BASE
    );
    let settings = load(
        "[price]\nyadio_url = \"http://127.0.0.1:8099/exrates/BTC\"\n\
         coingecko_url = \"http://127.0.0.1:8099/api/v3\"\n",
    )
    .unwrap();
    assert_eq!(
        settings.price.yadio_url,
        "http://127.0.0.1:8099/exrates/BTC"
    );
    assert_eq!(settings.price.coingecko_url, "http://127.0.0.1:8099/api/v3");
}

#[test]
fn price_source_urls_are_validated() {
    for (key, value) in [
        ("yadio_url", "ftp://example.com/rates"),
        ("yadio_url", "not a url"),
        ("coingecko_url", "file:///tmp/rates.json"),
    ] {
        let (setting, _) = invalid(load(&format!("[price]\n{key} = {value:?}\n")));
        assert_eq!(setting, format!("price.{key}"), "{value}");
    }
}

#[test]
fn lnurl_settings_build_the_resolver_options() {
    let defaults = Settings::default().lnurl.options();
    assert_eq!(defaults, mostrod::lnurl::LnurlOptions::default());
    assert!(!defaults.allow_insecure_localhost);

    let settings = load(
        "[lnurl]\nallow_insecure_localhost = true\n\
         connect_timeout_seconds = 2\nrequest_timeout_seconds = 4\n",
    )
    .unwrap();
    let options = settings.lnurl.options();
    assert!(options.allow_insecure_localhost);
    assert_eq!(options.connect_timeout, Duration::from_secs(2));
    assert_eq!(options.request_timeout, Duration::from_secs(4));
    assert_eq!(
        options.max_body_bytes,
        mostrod::lnurl::LnurlOptions::default().max_body_bytes
    );

    let (setting, _) = invalid(load("[lnurl]\nrequest_timeout_seconds = 0\n"));
    assert_eq!(setting, "lnurl.request_timeout_seconds");
}

#[test]
fn lnurl_switch_can_be_set_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("tls.cert");
    std::fs::write(&cert, "cert").unwrap();
    let data_dir = dir.path().to_string_lossy().into_owned();
    let cert = cert.to_string_lossy().into_owned();
    let cli = Cli::try_parse_from([
        "mostrod",
        "--data-dir",
        data_dir.as_str(),
        "--relay",
        "ws://127.0.0.1:7777",
        "--lnd-cert",
        cert.as_str(),
        "--lnd-macaroon",
        cert.as_str(),
    ])
    .unwrap();
    let settings = Settings::load_with_env(
        &cli,
        [
            ("MOSTROD_LNURL_ALLOW_INSECURE_LOCALHOST", "true"),
            ("MOSTROD_PRICE_YADIO_URL", "http://127.0.0.1:1/yadio"),
        ],
    )
    .unwrap();
    assert!(settings.lnurl.allow_insecure_localhost);
    assert_eq!(settings.price.yadio_url, "http://127.0.0.1:1/yadio");
}
