//! Kind 30078: exchange rates (PROTOCOL.md §7.6).
//!
//! A NIP-78 application-data event with `d` = `mostro-rates`, published by a node
//! after each price refresh so that other nodes and clients can use its prices:
//!
//! ```json
//! {"kind":30078,"content":"{\"BTC\":{\"EUR\":45000.0,\"USD\":50000.0}}",
//!  "tags":[["d","mostro-rates"],["published_at","1700000000"],
//!          ["source","coingecko,yadio"],["expiration","1700000600"]]}
//! ```
//!
//! `content` maps each fiat code to the price of one bitcoin in it; `source` lists
//! the providers that contributed, sorted and comma-joined; the NIP-40 expiration is
//! `now + min(2 × update interval, 3600 s)`.

use std::collections::BTreeMap;

use nostr::event::{Event, Kind, Tag};
use nostr::key::Keys;
use nostr::types::Timestamp;
use serde::{Deserialize, Serialize};

use super::error::EventError;
use super::expiration::{expiration_of, expiration_tag};
use super::tags;

/// Kind number of the rates event (NIP-78 application-specific data).
pub const RATES_KIND: Kind = Kind::Custom(30078);

/// The `d` tag that tells Mostro's rates apart from other kind 30078 data.
pub const RATES_IDENTIFIER: &str = "mostro-rates";

/// Longest NIP-40 lifetime of a rates event, in seconds.
pub const MAX_RATES_LIFETIME_SECS: u64 = 3600;

/// The top-level key of the content: prices are of one bitcoin.
const BASE: &str = "BTC";

/// NIP-40 lifetime of a rates event for a node refreshing every
/// `update_interval_secs`: twice the interval, at most [`MAX_RATES_LIFETIME_SECS`].
pub fn rates_lifetime_secs(update_interval_secs: u64) -> u64 {
    update_interval_secs
        .saturating_mul(2)
        .min(MAX_RATES_LIFETIME_SECS)
}

/// Domain view of a kind-30078 rates event.
#[derive(Debug, Clone, PartialEq)]
pub struct RatesEvent {
    /// Fiat code → price of 1 BTC in that currency (serialised in code order).
    pub rates: BTreeMap<String, f64>,
    /// `source`: ids of the providers that contributed (sorted, no duplicates on
    /// our publications).
    pub sources: Vec<String>,
    /// `published_at`: when the node published the rates.
    pub published_at: Timestamp,
    /// NIP-40 expiration. Always set on our publications.
    pub expiration: Option<Timestamp>,
}

/// The content's JSON shape: `{"BTC":{"<code>":<price>,…}}`.
#[derive(Serialize, Deserialize)]
struct Content<R> {
    #[serde(rename = "BTC")]
    btc: R,
}

impl RatesEvent {
    /// A publication of `rates` by providers `sources` (sorted and de-duplicated
    /// here) at `now`, expiring after [`rates_lifetime_secs`] of
    /// `update_interval_secs`.
    pub fn new<I, S>(
        rates: BTreeMap<String, f64>,
        sources: I,
        now: Timestamp,
        update_interval_secs: u64,
    ) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut sources: Vec<String> = sources.into_iter().map(Into::into).collect();
        sources.sort_unstable();
        sources.dedup();
        Self {
            rates,
            sources,
            published_at: now,
            expiration: Some(now + rates_lifetime_secs(update_interval_secs)),
        }
    }

    /// The price of 1 BTC in `code` (exact code, as published), if listed.
    pub fn price(&self, code: &str) -> Option<f64> {
        self.rates.get(code).copied()
    }

    /// Tags in the daemon's order: `d` = `mostro-rates`, `published_at`, `source`
    /// (comma-joined), `expiration`.
    pub fn to_tags(&self) -> Vec<Tag> {
        let mut out = vec![
            tags::tag("d", [RATES_IDENTIFIER]),
            tags::tag("published_at", [self.published_at.as_secs().to_string()]),
            tags::tag("source", [self.sources.join(",")]),
        ];
        out.extend(self.expiration.map(expiration_tag));
        out
    }

    /// The content JSON, `{"BTC":{"EUR":45000.0,"USD":50000.0}}` (floats always
    /// carry a fractional part; codes in order).
    pub fn content(&self) -> Result<String, EventError> {
        serde_json::to_string(&Content { btc: &self.rates }).map_err(EventError::InvalidContent)
    }

    /// Refuses what must never be published: no rate, a price that is not a positive
    /// finite number, an empty code, no source, or a source id that is empty or
    /// contains a comma (it could not be told apart in the `source` tag).
    pub fn validate(&self) -> Result<(), EventError> {
        if self.rates.is_empty() {
            return Err(EventError::NotPublishable("no exchange rate"));
        }
        if self.rates.keys().any(String::is_empty) {
            return Err(EventError::NotPublishable("empty currency code"));
        }
        if !self.rates.values().all(|p| p.is_finite() && *p > 0.0) {
            return Err(EventError::NotPublishable(
                "exchange rate is not a positive finite number",
            ));
        }
        if self.sources.is_empty() {
            return Err(EventError::NotPublishable("no rate source"));
        }
        if self.sources.iter().any(|s| s.is_empty() || s.contains(',')) {
            return Err(EventError::NotPublishable("unusable rate source id"));
        }
        Ok(())
    }

    /// Signs the event with the Mostro node key (after [`RatesEvent::validate`]).
    pub fn build(&self, keys: &Keys, created_at: Timestamp) -> Result<Event, EventError> {
        self.validate()?;
        tags::sign(
            RATES_KIND,
            &self.content()?,
            self.to_tags(),
            keys,
            created_at,
        )
    }

    /// Parses a Mostro rates event.
    ///
    /// The kind must be 30078 and `d` must be `mostro-rates` (other applications
    /// use kind 30078 too); `published_at` and `source` are required, `expiration`
    /// is optional. The content must hold a `BTC` object of positive finite prices
    /// (other top-level keys are ignored). Empty parts of `source` are dropped.
    pub fn parse(event: &Event) -> Result<Self, EventError> {
        tags::expect_kind(event, RATES_KIND)?;
        let t: &[Tag] = &event.tags;
        let d = tags::required(t, "d")?;
        if d != RATES_IDENTIFIER {
            return Err(EventError::invalid("d", d));
        }
        let published_at =
            tags::parse_timestamp("published_at", tags::required(t, "published_at")?)?;
        let sources = tags::required(t, "source")?
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let content: Content<BTreeMap<String, f64>> =
            serde_json::from_str(&event.content).map_err(EventError::InvalidContent)?;
        if let Some((code, price)) = content
            .btc
            .iter()
            .find(|(_, p)| !(p.is_finite() && **p > 0.0))
        {
            return Err(EventError::InvalidContent(serde::de::Error::custom(
                format_args!("{BASE} price of {code} is not positive: {price}"),
            )));
        }
        Ok(Self {
            rates: content.btc,
            sources,
            published_at,
            expiration: expiration_of(t)?,
        })
    }
}
