//! Kind 38385: instance info (PROTOCOL.md §7.3, settings from §10.1).

use nostr::event::{Event, Kind, Tag};
use nostr::key::{Keys, PublicKey};
use nostr::types::Timestamp;

use super::bond::{BondAdvert, BOND_TAGS};
use super::error::EventError;
use super::tags::{self, Platform};

/// Kind number of the info event.
pub const INFO_KIND: Kind = Kind::Custom(38385);

/// Protocol version assumed when an info event has no `protocol_version` tag.
pub const DEFAULT_PROTOCOL_VERSION: u8 = 1;

/// Name of our per-currency limit extension tag (see [`FiatLimit`]).
pub const FIAT_LIMIT_TAG: &str = "fiat_limit";

/// Facts about the node's Lightning backend (`lnd_*` tags).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LndInfo {
    /// `lnd_version`.
    pub version: String,
    /// `lnd_node_pubkey`.
    pub node_pubkey: String,
    /// `lnd_commit_hash`.
    pub commit_hash: String,
    /// `lnd_node_alias`.
    pub node_alias: String,
    /// `lnd_chains`, comma-joined on the wire.
    pub chains: Vec<String>,
    /// `lnd_networks`, comma-joined on the wire.
    pub networks: Vec<String>,
    /// `lnd_uris`, comma-joined on the wire.
    pub uris: Vec<String>,
}

/// Extension (not in the reference daemon): per-currency fiat limits.
///
/// Emitted as one tag per currency after every standard tag:
/// `["fiat_limit","<code>","<min>","<max>"]`, amounts in whole fiat units.
/// Clients unaware of it ignore unknown tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiatLimit {
    /// Currency code, e.g. `USD`.
    pub code: String,
    /// Smallest accepted fiat amount.
    pub min: u64,
    /// Largest accepted fiat amount.
    pub max: u64,
}

impl FiatLimit {
    fn to_tag(&self) -> Tag {
        tags::tag(
            FIAT_LIMIT_TAG,
            [
                self.code.clone(),
                self.min.to_string(),
                self.max.to_string(),
            ],
        )
    }

    fn from_tag(tag: &Tag) -> Result<Self, EventError> {
        let v = tag.as_slice();
        let raw = || v.get(1..).map(|r| r.join(",")).unwrap_or_default();
        match v {
            [_, code, min, max] if !code.is_empty() => Ok(Self {
                code: code.clone(),
                min: tags::parse_as(FIAT_LIMIT_TAG, min)?,
                max: tags::parse_as(FIAT_LIMIT_TAG, max)?,
            }),
            _ => Err(EventError::invalid(FIAT_LIMIT_TAG, raw())),
        }
    }
}

/// Domain view of a kind-38385 info event.
///
/// Optional fields are those older daemons may omit; our own publications set all
/// of them ([`InfoEvent::build`] refuses otherwise).
#[derive(Debug, Clone, PartialEq)]
pub struct InfoEvent {
    /// `d`: the Mostro node pubkey.
    pub mostro_pubkey: PublicKey,
    /// `mostro_version`.
    pub mostro_version: String,
    /// `mostro_commit_hash`.
    pub mostro_commit_hash: String,
    /// `max_order_amount` (sats).
    pub max_order_amount: u64,
    /// `min_order_amount` (sats; the `min_payment_amount` setting).
    pub min_order_amount: u64,
    /// `expiration_hours`: pending-order lifetime.
    pub expiration_hours: Option<u64>,
    /// `expiration_seconds`: waiting-state timeout.
    pub expiration_seconds: Option<u64>,
    /// `fiat_currencies_accepted`; empty means every currency.
    pub fiat_currencies_accepted: Vec<String>,
    /// `max_orders_per_response`.
    pub max_orders_per_response: Option<u64>,
    /// `fee`: total fee fraction (Rust `Display`: `0.0` is `"0"`).
    pub fee: f64,
    /// `pow`: base NIP-13 difficulty (absent ⇒ 0).
    pub pow: u8,
    /// `pow_first_contact`; `None` means the node did not say (unknown).
    pub pow_first_contact: Option<u8>,
    /// `protocol_version` (absent ⇒ 1).
    pub protocol_version: u8,
    /// `hold_invoice_expiration_window` (seconds, advertised only).
    pub hold_invoice_expiration_window: Option<u64>,
    /// `hold_invoice_cltv_delta` (blocks).
    pub hold_invoice_cltv_delta: Option<u64>,
    /// `invoice_expiration_window`: we publish the real buyer-invoice window
    /// (PROTOCOL.md §11.14 fix; the reference daemon repeats the hold window).
    pub invoice_expiration_window: Option<u64>,
    /// `lnd_*` tags (empty strings when absent).
    pub lnd: LndInfo,
    /// `y`: platform and instance name.
    pub platform: Option<Platform>,
    /// `bond_enabled` and bond terms.
    pub bond: BondAdvert,
    /// Our per-currency limit extension.
    pub fiat_limits: Vec<FiatLimit>,
    /// Any other tag, kept verbatim in order (emitted last).
    pub extra: Vec<Tag>,
}

/// Standard tag names (other than bond tags), for telling extras apart.
const KNOWN_TAGS: [&str; 27] = [
    "d",
    "mostro_version",
    "mostro_commit_hash",
    "max_order_amount",
    "min_order_amount",
    "expiration_hours",
    "expiration_seconds",
    "fiat_currencies_accepted",
    "max_orders_per_response",
    "fee",
    "pow",
    "pow_first_contact",
    "protocol_version",
    "hold_invoice_expiration_window",
    "hold_invoice_cltv_delta",
    "invoice_expiration_window",
    "lnd_version",
    "lnd_node_pubkey",
    "lnd_commit_hash",
    "lnd_node_alias",
    "lnd_chains",
    "lnd_networks",
    "lnd_uris",
    "y",
    "z",
    FIAT_LIMIT_TAG,
    "expiration",
];

fn is_known(name: &str) -> bool {
    KNOWN_TAGS.contains(&name) || BOND_TAGS.contains(&name)
}

fn split_list(raw: Option<&str>) -> Vec<String> {
    raw.map(|r| {
        r.split(',')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

fn num_tag(name: &str, value: Option<impl ToString>) -> Option<Tag> {
    value.map(|v| tags::tag(name, [v.to_string()]))
}

impl InfoEvent {
    /// Tags in the daemon's order (§7.3): `d`, the settings, `lnd_*`, `y`, `z`=`info`,
    /// then bond tags, then our extensions (`fiat_limit` tags, then `extra`).
    pub fn to_tags(&self) -> Vec<Tag> {
        let s = |name: &str, v: &str| tags::tag(name, [v]);
        let mut out = vec![
            s("d", &self.mostro_pubkey.to_hex()),
            s("mostro_version", &self.mostro_version),
            s("mostro_commit_hash", &self.mostro_commit_hash),
            s("max_order_amount", &self.max_order_amount.to_string()),
            s("min_order_amount", &self.min_order_amount.to_string()),
        ];
        out.extend(num_tag("expiration_hours", self.expiration_hours));
        out.extend(num_tag("expiration_seconds", self.expiration_seconds));
        out.push(s(
            "fiat_currencies_accepted",
            &self.fiat_currencies_accepted.join(","),
        ));
        out.extend(num_tag(
            "max_orders_per_response",
            self.max_orders_per_response,
        ));
        out.push(s("fee", &self.fee.to_string()));
        out.push(s("pow", &self.pow.to_string()));
        out.extend(num_tag("pow_first_contact", self.pow_first_contact));
        out.push(s("protocol_version", &self.protocol_version.to_string()));
        out.extend(num_tag(
            "hold_invoice_expiration_window",
            self.hold_invoice_expiration_window,
        ));
        out.extend(num_tag(
            "hold_invoice_cltv_delta",
            self.hold_invoice_cltv_delta,
        ));
        out.extend(num_tag(
            "invoice_expiration_window",
            self.invoice_expiration_window,
        ));
        let l = &self.lnd;
        out.extend([
            s("lnd_version", &l.version),
            s("lnd_node_pubkey", &l.node_pubkey),
            s("lnd_commit_hash", &l.commit_hash),
            s("lnd_node_alias", &l.node_alias),
            s("lnd_chains", &l.chains.join(",")),
            s("lnd_networks", &l.networks.join(",")),
            s("lnd_uris", &l.uris.join(",")),
        ]);
        out.extend(self.platform.as_ref().map(Platform::to_tag));
        out.push(s("z", "info"));
        out.extend(self.bond.to_tags());
        out.extend(self.fiat_limits.iter().map(FiatLimit::to_tag));
        out.extend(self.extra.iter().cloned());
        out
    }

    /// Signs the event (no NIP-40 expiration). Refuses values our daemon would
    /// never advertise: a missing optional setting, a missing `y`, a non-finite
    /// fee, a fiat limit with `min > max`, or an `extra` tag shadowing a standard one.
    pub fn build(&self, keys: &Keys, created_at: Timestamp) -> Result<Event, EventError> {
        let all_set = self.expiration_hours.is_some()
            && self.expiration_seconds.is_some()
            && self.max_orders_per_response.is_some()
            && self.pow_first_contact.is_some()
            && self.hold_invoice_expiration_window.is_some()
            && self.hold_invoice_cltv_delta.is_some()
            && self.invoice_expiration_window.is_some()
            && self.platform.is_some();
        if !all_set {
            return Err(EventError::NotPublishable(
                "info event with an unset setting",
            ));
        }
        if !self.fee.is_finite() || self.fee < 0.0 || !self.bond.is_finite() {
            return Err(EventError::NotPublishable(
                "info event with an invalid fraction",
            ));
        }
        if self
            .fiat_limits
            .iter()
            .any(|l| l.code.is_empty() || l.min > l.max)
        {
            return Err(EventError::NotPublishable("invalid fiat limit"));
        }
        if self.extra.iter().any(|t| is_known(t.kind())) {
            return Err(EventError::NotPublishable(
                "extra tag shadows a standard tag",
            ));
        }
        tags::sign(INFO_KIND, "", self.to_tags(), keys, created_at)
    }

    /// Lenient parse for clients. Required: `d` (a pubkey), `max_order_amount`,
    /// `min_order_amount`, `fee`. Absent `protocol_version` ⇒ 1, absent `pow` ⇒ 0,
    /// absent `pow_first_contact` ⇒ `None`; absent strings read as empty. Present
    /// values must parse. Unknown tags are kept in `extra`.
    pub fn parse(event: &Event) -> Result<Self, EventError> {
        tags::expect_kind(event, INFO_KIND)?;
        let t: &[Tag] = &event.tags;
        let text = |name: &str| tags::value(t, name).unwrap_or_default().to_owned();
        let fiat_limits = t
            .iter()
            .filter(|tag| tag.kind() == FIAT_LIMIT_TAG)
            .map(FiatLimit::from_tag)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            mostro_pubkey: tags::required_as(t, "d")?,
            mostro_version: text("mostro_version"),
            mostro_commit_hash: text("mostro_commit_hash"),
            max_order_amount: tags::required_as(t, "max_order_amount")?,
            min_order_amount: tags::required_as(t, "min_order_amount")?,
            expiration_hours: tags::optional(t, "expiration_hours")?,
            expiration_seconds: tags::optional(t, "expiration_seconds")?,
            fiat_currencies_accepted: split_list(tags::value(t, "fiat_currencies_accepted")),
            max_orders_per_response: tags::optional(t, "max_orders_per_response")?,
            fee: tags::parse_finite("fee", tags::required(t, "fee")?)?,
            pow: tags::optional(t, "pow")?.unwrap_or(0),
            pow_first_contact: tags::optional(t, "pow_first_contact")?,
            protocol_version: tags::optional(t, "protocol_version")?
                .unwrap_or(DEFAULT_PROTOCOL_VERSION),
            hold_invoice_expiration_window: tags::optional(t, "hold_invoice_expiration_window")?,
            hold_invoice_cltv_delta: tags::optional(t, "hold_invoice_cltv_delta")?,
            invoice_expiration_window: tags::optional(t, "invoice_expiration_window")?,
            lnd: LndInfo {
                version: text("lnd_version"),
                node_pubkey: text("lnd_node_pubkey"),
                commit_hash: text("lnd_commit_hash"),
                node_alias: text("lnd_node_alias"),
                chains: split_list(tags::value(t, "lnd_chains")),
                networks: split_list(tags::value(t, "lnd_networks")),
                uris: split_list(tags::value(t, "lnd_uris")),
            },
            platform: Platform::from_tags(t),
            bond: BondAdvert::from_tags(t)?,
            fiat_limits,
            extra: t
                .iter()
                .filter(|tag| !is_known(tag.kind()))
                .cloned()
                .collect(),
        })
    }
}
