//! The sections of `settings.toml` and their defaults (PROTOCOL.md §10.1).
//!
//! Every field has the protocol's default, so a file only lists what it changes.
//! Unknown keys are refused, so that a misspelt setting is not silently ignored.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::model::Transport;

/// `[mostro]`: trade limits, fees, timers and what the node advertises.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MostroSettings {
    /// Total fee fraction of a trade, split evenly between maker and taker.
    pub fee: f64,
    /// Routing fee cap of a buyer payout, as a fraction of its amount.
    pub max_routing_fee: f64,
    /// Largest order, in sats.
    pub max_order_amount: u64,
    /// Smallest order (and smallest payout invoice), in sats.
    pub min_payment_amount: u64,
    /// Lifetime of a pending order, in hours.
    pub expiration_hours: u64,
    /// Longest lifetime a maker may ask for, in days.
    pub max_expiration_days: u64,
    /// Time allowed for each waiting step (hold invoice payment, buyer invoice), in
    /// seconds.
    pub expiration_seconds: u64,
    /// How often rating events are published, in seconds.
    pub user_rates_sent_interval_seconds: u64,
    /// How often the relay list (kind 10002) is published, in seconds.
    pub publish_relays_interval: u64,
    /// How often the info event (kind 38385) is published, in seconds.
    pub publish_mostro_info_interval: u64,
    /// How often the set of known trade keys is rebuilt, in seconds.
    pub active_pubkeys_refresh_interval: u64,
    /// NIP-13 proof-of-work bits required on every inbound event.
    pub pow: u8,
    /// Bits required on a first contact (protocol v2); defaults to `pow`.
    pub pow_first_contact: Option<u8>,
    /// The transport advertised as preferred. Both are always accepted, and every
    /// reply uses the transport of its request.
    pub transport: PreferredTransport,
    /// Accepted ISO 4217 currency codes; empty accepts all.
    pub fiat_currencies_accepted: Vec<String>,
    /// Most order ids one `orders` request may carry.
    pub max_orders_per_response: usize,
    /// Share of the node fee paid to development (0.10 to 1.0).
    pub dev_fee_percentage: f64,
    /// Node name (kind 0 metadata).
    pub name: Option<String>,
    /// Node description (kind 0 metadata).
    pub about: Option<String>,
    /// Node picture URL (kind 0 metadata).
    pub picture: Option<String>,
    /// Node website (kind 0 metadata).
    pub website: Option<String>,
    /// Extension: per-currency fiat amount limits, e.g. `USD = { min = 10, max = 5000 }`.
    /// Every listed code must be accepted; currencies without an entry are limited by
    /// the sats limits only.
    pub fiat_limits: BTreeMap<String, FiatLimitSettings>,
}

/// One entry of `mostro.fiat_limits`: the accepted fiat amounts of a currency, in
/// whole units, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiatLimitSettings {
    /// Smallest accepted fiat amount (at least 1).
    pub min: u64,
    /// Largest accepted fiat amount (at least `min`).
    pub max: u64,
}

impl Default for MostroSettings {
    fn default() -> Self {
        Self {
            fee: 0.0,
            max_routing_fee: 0.002,
            max_order_amount: 1_000_000,
            min_payment_amount: 100,
            expiration_hours: 24,
            max_expiration_days: 15,
            expiration_seconds: 900,
            user_rates_sent_interval_seconds: 3600,
            publish_relays_interval: 60,
            publish_mostro_info_interval: 300,
            active_pubkeys_refresh_interval: 60,
            pow: 0,
            pow_first_contact: None,
            transport: PreferredTransport::Nip44,
            fiat_currencies_accepted: ["USD", "EUR", "ARS", "CUP"]
                .into_iter()
                .map(String::from)
                .collect(),
            max_orders_per_response: 10,
            dev_fee_percentage: 0.30,
            name: None,
            about: None,
            picture: None,
            website: None,
            fiat_limits: BTreeMap::new(),
        }
    }
}

impl MostroSettings {
    /// Bits required on a first contact: `pow_first_contact`, else `pow`.
    pub fn pow_first_contact(&self) -> u8 {
        self.pow_first_contact.unwrap_or(self.pow)
    }
}

/// The transport a node advertises as preferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PreferredTransport {
    /// Protocol v2: signed kind 14 with NIP-44 content.
    Nip44,
    /// Protocol v1: NIP-59 gift wrap.
    GiftWrap,
}

impl PreferredTransport {
    /// The transport as the daemon's model names it.
    pub fn transport(self) -> Transport {
        match self {
            PreferredTransport::Nip44 => Transport::Nip44,
            PreferredTransport::GiftWrap => Transport::GiftWrap,
        }
    }
}

/// `[lightning]`: the LND connection and the escrow and payout parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LightningSettings {
    /// LND's gRPC endpoint, e.g. `https://127.0.0.1:10009`.
    pub lnd_grpc_host: String,
    /// LND's TLS certificate (`tls.cert`).
    pub lnd_cert_file: Option<PathBuf>,
    /// An LND macaroon allowed to create, settle and cancel invoices and to pay.
    pub lnd_macaroon_file: Option<PathBuf>,
    /// CLTV delta of the escrow HTLC, in blocks.
    pub hold_invoice_cltv_delta: u32,
    /// Advertised hold-invoice payment window, in seconds.
    pub hold_invoice_expiration_window: u64,
    /// How long a buyer's invoice must stay valid, at least, in seconds.
    pub invoice_expiration_window: u64,
    /// Payout attempts before a new invoice is requested.
    pub payment_attempts: u32,
    /// Seconds between payout attempts.
    pub payment_retries_interval: u32,
    /// Largest `min_final_cltv_expiry_delta` accepted on payout invoices, in blocks.
    pub max_final_cltv_expiry_delta: u32,
    /// Act this many blocks before the escrow HTLC expires.
    pub escrow_deadline_margin_blocks: u32,
}

impl Default for LightningSettings {
    fn default() -> Self {
        Self {
            lnd_grpc_host: "https://127.0.0.1:10009".to_owned(),
            lnd_cert_file: None,
            lnd_macaroon_file: None,
            hold_invoice_cltv_delta: 144,
            hold_invoice_expiration_window: 300,
            invoice_expiration_window: 3600,
            payment_attempts: 3,
            payment_retries_interval: 60,
            max_final_cltv_expiry_delta: 432,
            escrow_deadline_margin_blocks: 24,
        }
    }
}

/// `[nostr]`: the node key and the relays.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NostrSettings {
    /// The node's secret key (`nsec…` or hex). When unset, the key is kept in
    /// `<data_dir>/mostro.key`, generated on first start.
    pub nsec_privkey: Option<String>,
    /// Relay URLs (`ws://` or `wss://`).
    pub relays: Vec<String>,
}

impl fmt::Debug for NostrSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NostrSettings")
            .field(
                "nsec_privkey",
                &self.nsec_privkey.as_ref().map(|_| "<redacted>"),
            )
            .field("relays", &self.relays)
            .finish()
    }
}

/// `[database]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// The SQLite file; defaults to `<data_dir>/mostro.db`.
    pub path: Option<PathBuf>,
}

/// `[expiration]`: NIP-40 lifetimes of published events, in days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExpirationSettings {
    /// Order events (kind 38383).
    pub order_days: u64,
    /// Rating events (kind 38384).
    pub rating_days: u64,
    /// Dispute events (kind 38386).
    pub dispute_days: u64,
    /// Dev-fee audit events (kind 8383).
    pub fee_audit_days: u64,
    /// Direct messages.
    pub dm_days: u64,
}

impl Default for ExpirationSettings {
    fn default() -> Self {
        Self {
            order_days: 30,
            rating_days: 90,
            dispute_days: 90,
            fee_audit_days: 365,
            dm_days: 30,
        }
    }
}

/// `[price]`: the market price feed used by market orders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PriceSettings {
    /// How often prices are refreshed, in seconds (never faster than every 60 s).
    pub update_interval_seconds: u64,
    /// Market pricing is refused when the latest quote is older than this, in seconds.
    pub max_price_staleness_seconds: u64,
    /// The Yadio exchange-rate table (`GET` returns every currency's BTC price).
    pub yadio_url: String,
    /// The CoinGecko API base (`/simple/price` is appended).
    pub coingecko_url: String,
    /// Publish the rates of the accepted currencies as a kind 30078 event after each
    /// refresh (PROTOCOL.md §7.6). The reference daemon's key
    /// `publish_exchange_rates_to_nostr` is accepted as well.
    #[serde(alias = "publish_exchange_rates_to_nostr")]
    pub publish_to_nostr: bool,
}

impl Default for PriceSettings {
    fn default() -> Self {
        Self {
            update_interval_seconds: 300,
            max_price_staleness_seconds: 1800,
            yadio_url: crate::price::YADIO_DEFAULT_URL.to_owned(),
            coingecko_url: crate::price::COINGECKO_DEFAULT_BASE.to_owned(),
            publish_to_nostr: false,
        }
    }
}

impl PriceSettings {
    /// The refresh period actually used: at least 60 s.
    pub fn update_interval(&self) -> u64 {
        self.update_interval_seconds.max(60)
    }
}

/// `[lnurl]`: resolving Lightning addresses and LNURL-pay payout destinations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LnurlSettings {
    /// TEST ONLY: let LNURL requests reach the literal host `127.0.0.1` (over `http`
    /// too). Never enable in production; a warning is logged at start when set.
    pub allow_insecure_localhost: bool,
    /// Limit for DNS resolution and the TCP/TLS connection, in seconds.
    pub connect_timeout_seconds: u64,
    /// Limit for one whole request, body included, in seconds.
    pub request_timeout_seconds: u64,
}

impl Default for LnurlSettings {
    fn default() -> Self {
        let options = crate::lnurl::LnurlOptions::default();
        Self {
            allow_insecure_localhost: options.allow_insecure_localhost,
            connect_timeout_seconds: options.connect_timeout.as_secs(),
            request_timeout_seconds: options.request_timeout.as_secs(),
        }
    }
}

impl LnurlSettings {
    /// The resolver options these settings describe.
    pub fn options(&self) -> crate::lnurl::LnurlOptions {
        crate::lnurl::LnurlOptions {
            allow_insecure_localhost: self.allow_insecure_localhost,
            connect_timeout: std::time::Duration::from_secs(self.connect_timeout_seconds),
            request_timeout: std::time::Duration::from_secs(self.request_timeout_seconds),
            ..crate::lnurl::LnurlOptions::default()
        }
    }
}
