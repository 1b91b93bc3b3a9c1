//! Configuration: defaults, the settings file, environment and flag precedence, and
//! validation messages that name the setting.

// Test helpers outside #[test] functions may unwrap too.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use clap::Parser;
use mostrod::config::{Cli, ConfigError, PreferredTransport, Settings};
use mostrod::engine::EngineSettings;

const TEMPLATE: &str = include_str!("../settings.toml.template");

/// A data directory with LND credentials and a settings file.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(settings: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tls.cert"), "cert").unwrap();
        std::fs::write(dir.path().join("admin.macaroon"), "mac").unwrap();
        let base = format!(
            "[lightning]\nlnd_cert_file = {:?}\nlnd_macaroon_file = {:?}\n",
            dir.path().join("tls.cert"),
            dir.path().join("admin.macaroon"),
        );
        // Merge the fixture's [lightning] lines into the caller's file.
        let text = if settings.contains("[lightning]") {
            settings.replacen("[lightning]\n", &base, 1)
        } else {
            format!("{settings}\n{base}")
        };
        std::fs::write(dir.path().join("settings.toml"), text).unwrap();
        Self { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn cli(&self, extra: &[&str]) -> Cli {
        let dir = self.path().to_string_lossy().into_owned();
        let mut args = vec!["mostrod", "--data-dir", dir.as_str()];
        args.extend_from_slice(extra);
        Cli::try_parse_from(args).unwrap()
    }

    fn load(&self, extra: &[&str], env: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        Settings::load_with_env(&self.cli(extra), env.iter().copied())
    }
}

const RELAY: &str = "[nostr]\nrelays = [\"wss://relay.example\"]\n";

#[test]
fn defaults_are_the_protocol_defaults() {
    let s = Settings::default();
    assert_eq!(s.mostro.fee, 0.0);
    assert_eq!(s.mostro.max_routing_fee, 0.002);
    assert_eq!(s.mostro.max_order_amount, 1_000_000);
    assert_eq!(s.mostro.min_payment_amount, 100);
    assert_eq!(s.mostro.expiration_hours, 24);
    assert_eq!(s.mostro.max_expiration_days, 15);
    assert_eq!(s.mostro.expiration_seconds, 900);
    assert_eq!(s.mostro.user_rates_sent_interval_seconds, 3600);
    assert_eq!(s.mostro.publish_relays_interval, 60);
    assert_eq!(s.mostro.publish_mostro_info_interval, 300);
    assert_eq!(s.mostro.pow, 0);
    assert_eq!(s.mostro.pow_first_contact(), 0);
    assert_eq!(s.mostro.transport, PreferredTransport::Nip44);
    assert_eq!(
        s.mostro.fiat_currencies_accepted,
        ["USD", "EUR", "ARS", "CUP"]
    );
    assert_eq!(s.mostro.max_orders_per_response, 10);
    assert_eq!(s.mostro.dev_fee_percentage, 0.30);
    assert_eq!(s.lightning.hold_invoice_cltv_delta, 144);
    assert_eq!(s.lightning.hold_invoice_expiration_window, 300);
    assert_eq!(s.lightning.invoice_expiration_window, 3600);
    assert_eq!(s.lightning.payment_attempts, 3);
    assert_eq!(s.lightning.payment_retries_interval, 60);
    assert_eq!(s.lightning.max_final_cltv_expiry_delta, 432);
    assert_eq!(s.lightning.escrow_deadline_margin_blocks, 24);
    assert_eq!(
        (
            s.expiration.order_days,
            s.expiration.rating_days,
            s.expiration.dispute_days,
            s.expiration.fee_audit_days,
            s.expiration.dm_days
        ),
        (30, 90, 90, 365, 30)
    );
    assert_eq!(s.to_engine_settings(), EngineSettings::default());
}

#[test]
fn template_documents_exactly_the_defaults() {
    let parsed: Settings = toml::from_str(TEMPLATE).unwrap();
    assert_eq!(parsed, Settings::default());
}

#[test]
fn file_values_are_read() {
    let f = Fixture::new(
        "[mostro]\nfee = 0.006\npow = 4\npow_first_contact = 8\ntransport = \"gift-wrap\"\n\
         fiat_currencies_accepted = []\nname = \"Test node\"\n\
         [nostr]\nrelays = [\"wss://a.example\", \"ws://127.0.0.1:7000\"]\n\
         [lightning]\npayment_attempts = 5\n[expiration]\ndm_days = 7\n",
    );
    let s = f.load(&[], &[]).unwrap();
    assert_eq!(s.mostro.fee, 0.006);
    assert_eq!(s.mostro.pow, 4);
    assert_eq!(s.mostro.pow_first_contact(), 8);
    assert_eq!(s.mostro.transport, PreferredTransport::GiftWrap);
    assert!(s.mostro.fiat_currencies_accepted.is_empty());
    assert_eq!(s.mostro.name.as_deref(), Some("Test node"));
    assert_eq!(s.nostr.relays, ["wss://a.example", "ws://127.0.0.1:7000"]);
    assert_eq!(s.lightning.payment_attempts, 5);
    assert_eq!(s.expiration.dm_days, 7);
    assert_eq!(s.data_dir, f.path());
    assert_eq!(s.database_path(), f.path().join("mostro.db"));
    let engine = s.to_engine_settings();
    assert_eq!(engine.fee, 0.006);
    assert_eq!(engine.payment_attempts, 5);
}

#[test]
fn misspelt_key_in_file_is_refused() {
    let f = Fixture::new(&format!("{RELAY}[mostro]\nfees = 0.1\n"));
    let err = f.load(&[], &[]).unwrap_err();
    assert!(matches!(err, ConfigError::Parse { .. }), "{err:?}");
}

#[test]
fn environment_overrides_file() {
    let f = Fixture::new(&format!(
        "{RELAY}[mostro]\nfee = 0.006\nmax_order_amount = 5000\n"
    ));
    let s = f
        .load(
            &[],
            &[
                ("MOSTROD_MOSTRO_FEE", "0.01"),
                ("MOSTROD_MOSTRO_FIAT_CURRENCIES_ACCEPTED", "USD, VES"),
                (
                    "MOSTROD_NOSTR_RELAYS",
                    "wss://env.example,wss://env2.example",
                ),
                ("MOSTROD_LIGHTNING_PAYMENT_ATTEMPTS", "7"),
                ("MOSTROD_MOSTRO_NAME", "12345"),
                ("UNRELATED", "x"),
            ],
        )
        .unwrap();
    assert_eq!(s.mostro.fee, 0.01);
    assert_eq!(s.mostro.max_order_amount, 5000);
    assert_eq!(s.mostro.fiat_currencies_accepted, ["USD", "VES"]);
    assert_eq!(s.nostr.relays, ["wss://env.example", "wss://env2.example"]);
    assert_eq!(s.lightning.payment_attempts, 7);
    assert_eq!(s.mostro.name.as_deref(), Some("12345"));
}

#[test]
fn flags_override_environment_and_file() {
    let f = Fixture::new("[nostr]\nrelays = [\"wss://file.example\"]\n");
    let cert = f.path().join("other.cert");
    std::fs::write(&cert, "c").unwrap();
    let cert_arg = cert.to_string_lossy().into_owned();
    let s = f
        .load(
            &[
                "--relay",
                "wss://flag1.example",
                "--relay",
                "wss://flag2.example",
                "--lnd-host",
                "https://10.0.0.1:10009",
                "--lnd-cert",
                &cert_arg,
                "--db",
                "/tmp/elsewhere.db",
            ],
            &[
                ("MOSTROD_NOSTR_RELAYS", "wss://env.example"),
                ("MOSTROD_LIGHTNING_LND_GRPC_HOST", "https://env:10009"),
            ],
        )
        .unwrap();
    assert_eq!(
        s.nostr.relays,
        ["wss://flag1.example", "wss://flag2.example"]
    );
    assert_eq!(s.lightning.lnd_grpc_host, "https://10.0.0.1:10009");
    assert_eq!(s.lightning.lnd_cert_file, Some(cert));
    assert_eq!(s.database_path(), PathBuf::from("/tmp/elsewhere.db"));
}

#[test]
fn data_dir_falls_back_to_environment_then_home() {
    let f = Fixture::new(RELAY);
    let dir = f.path().to_string_lossy().into_owned();
    let cli = Cli::try_parse_from(["mostrod"]).unwrap();
    let s = Settings::load_with_env(&cli, [("MOSTROD_DATA_DIR", dir.as_str())]).unwrap();
    assert_eq!(s.data_dir, f.path());

    let home = tempfile::tempdir().unwrap();
    let home_str = home.path().to_string_lossy().into_owned();
    let cfg = f.path().join("settings.toml");
    let cfg_str = cfg.to_string_lossy().into_owned();
    let cli = Cli::try_parse_from(["mostrod", "--config", cfg_str.as_str()]).unwrap();
    let s = Settings::load_with_env(&cli, [("HOME", home_str.as_str())]).unwrap();
    assert_eq!(s.data_dir, home.path().join(".mostrod"));

    let err = Settings::load_with_env(&cli, std::iter::empty::<(&str, &str)>()).unwrap_err();
    assert!(matches!(err, ConfigError::NoDataDir));
}

#[test]
fn explicit_missing_config_file_is_an_error() {
    let f = Fixture::new(RELAY);
    let missing = f.path().join("nope.toml");
    let missing = missing.to_string_lossy().into_owned();
    let err = f.load(&["--config", &missing], &[]).unwrap_err();
    assert!(matches!(err, ConfigError::Read { .. }), "{err:?}");
}

#[test]
fn unknown_or_mistyped_environment_override_is_refused() {
    let f = Fixture::new(RELAY);
    let err = f.load(&[], &[("MOSTROD_MOSTRO_FEES", "0.1")]).unwrap_err();
    assert!(
        matches!(&err, ConfigError::Env { var, .. } if var == "MOSTROD_MOSTRO_FEES"),
        "{err:?}"
    );
    let err = f.load(&[], &[("MOSTROD_MOSTRO_POW", "lots")]).unwrap_err();
    assert!(
        matches!(&err, ConfigError::Env { var, .. } if var == "MOSTROD_MOSTRO_POW"),
        "{err:?}"
    );
}

#[test]
fn each_invalid_setting_names_itself() {
    let f = Fixture::new(RELAY);
    let cases: &[(&str, &str, &str)] = &[
        ("MOSTROD_MOSTRO_FEE", "1.5", "mostro.fee"),
        ("MOSTROD_MOSTRO_FEE", "-0.1", "mostro.fee"),
        (
            "MOSTROD_MOSTRO_MAX_ROUTING_FEE",
            "2",
            "mostro.max_routing_fee",
        ),
        (
            "MOSTROD_MOSTRO_DEV_FEE_PERCENTAGE",
            "0.05",
            "mostro.dev_fee_percentage",
        ),
        (
            "MOSTROD_MOSTRO_DEV_FEE_PERCENTAGE",
            "1.01",
            "mostro.dev_fee_percentage",
        ),
        (
            "MOSTROD_MOSTRO_MIN_PAYMENT_AMOUNT",
            "2000000",
            "mostro.min_payment_amount",
        ),
        (
            "MOSTROD_MOSTRO_EXPIRATION_HOURS",
            "0",
            "mostro.expiration_hours",
        ),
        (
            "MOSTROD_MOSTRO_MAX_EXPIRATION_DAYS",
            "0",
            "mostro.max_expiration_days",
        ),
        (
            "MOSTROD_MOSTRO_EXPIRATION_SECONDS",
            "0",
            "mostro.expiration_seconds",
        ),
        (
            "MOSTROD_MOSTRO_USER_RATES_SENT_INTERVAL_SECONDS",
            "0",
            "mostro.user_rates_sent_interval_seconds",
        ),
        (
            "MOSTROD_MOSTRO_PUBLISH_RELAYS_INTERVAL",
            "0",
            "mostro.publish_relays_interval",
        ),
        (
            "MOSTROD_MOSTRO_PUBLISH_MOSTRO_INFO_INTERVAL",
            "0",
            "mostro.publish_mostro_info_interval",
        ),
        (
            "MOSTROD_MOSTRO_MAX_ORDERS_PER_RESPONSE",
            "0",
            "mostro.max_orders_per_response",
        ),
        (
            "MOSTROD_MOSTRO_FIAT_CURRENCIES_ACCEPTED",
            "usd",
            "mostro.fiat_currencies_accepted",
        ),
        (
            "MOSTROD_LIGHTNING_LND_GRPC_HOST",
            "localhost",
            "lightning.lnd_grpc_host",
        ),
        (
            "MOSTROD_LIGHTNING_LND_CERT_FILE",
            "/nonexistent/tls.cert",
            "lightning.lnd_cert_file",
        ),
        (
            "MOSTROD_LIGHTNING_LND_MACAROON_FILE",
            "/nonexistent/admin.macaroon",
            "lightning.lnd_macaroon_file",
        ),
        (
            "MOSTROD_LIGHTNING_PAYMENT_ATTEMPTS",
            "0",
            "lightning.payment_attempts",
        ),
        (
            "MOSTROD_LIGHTNING_PAYMENT_RETRIES_INTERVAL",
            "0",
            "lightning.payment_retries_interval",
        ),
        (
            "MOSTROD_LIGHTNING_HOLD_INVOICE_CLTV_DELTA",
            "0",
            "lightning.hold_invoice_cltv_delta",
        ),
        (
            "MOSTROD_LIGHTNING_ESCROW_DEADLINE_MARGIN_BLOCKS",
            "144",
            "lightning.escrow_deadline_margin_blocks",
        ),
        (
            "MOSTROD_LIGHTNING_INVOICE_EXPIRATION_WINDOW",
            "0",
            "lightning.invoice_expiration_window",
        ),
        ("MOSTROD_NOSTR_RELAYS", "", "nostr.relays"),
        (
            "MOSTROD_NOSTR_RELAYS",
            "https://relay.example",
            "nostr.relays",
        ),
        (
            "MOSTROD_NOSTR_NSEC_PRIVKEY",
            "not-a-key",
            "nostr.nsec_privkey",
        ),
        (
            "MOSTROD_EXPIRATION_ORDER_DAYS",
            "0",
            "expiration.order_days",
        ),
        ("MOSTROD_EXPIRATION_DM_DAYS", "0", "expiration.dm_days"),
    ];
    for (var, value, setting) in cases {
        let err = f.load(&[], &[(var, value)]).unwrap_err();
        match &err {
            ConfigError::Invalid { setting: named, .. } => {
                assert_eq!(named, setting, "{var}={value}");
            }
            other => panic!("{var}={value}: expected Invalid, got {other:?}"),
        }
        assert!(
            err.to_string()
                .starts_with(&format!("invalid setting {setting} = ")),
            "{err}"
        );
    }
}

#[test]
fn invalid_message_shows_value_and_rule() {
    let f = Fixture::new(RELAY);
    let err = f.load(&[], &[("MOSTROD_MOSTRO_FEE", "1.5")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid setting mostro.fee = 1.5: must be between 0 and 1"
    );
    let secret = "deadbeef-not-a-key";
    let err = f
        .load(&[], &[("MOSTROD_NOSTR_NSEC_PRIVKEY", secret)])
        .unwrap_err();
    assert!(!err.to_string().contains(secret), "secret leaked: {err}");
}

#[test]
fn help_explains_the_flags() {
    use clap::CommandFactory;
    let help = Cli::command().render_long_help().to_string();
    for flag in [
        "--config",
        "--data-dir",
        "--relay",
        "--lnd-host",
        "--lnd-cert",
        "--lnd-macaroon",
        "--db",
        "--log",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
    assert!(help.contains("MOSTROD_<SECTION>_<KEY>"));
}
