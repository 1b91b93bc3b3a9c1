//! Kind 38383: the NIP-69 order event (PROTOCOL.md §7.1).
//!
//! <https://github.com/nostr-protocol/nips/blob/master/69.md>

use nostr::event::{Event, Kind as EventKind, Tag};
use nostr::key::Keys;
use nostr::types::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::bucket::OrderBucket;
use super::error::EventError;
use super::expiration::{expiration_of, expiration_tag};
use super::tags::{self, Platform};
use crate::order::Kind;

/// Kind number of the order event.
pub const ORDER_KIND: EventKind = EventKind::Custom(38383);

/// Layer Mostro publishes in the `layer` tag.
pub const LIGHTNING_LAYER: &str = "lightning";

/// `z` value of order events.
pub const ORDER_DOCUMENT: &str = "order";

/// Fiat amount of an order (`fa` tag).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FiatAmount {
    /// A fixed amount: one value.
    Single(f64),
    /// A range order still on the book: two values (`min`, `max`).
    Range {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
}

impl FiatAmount {
    fn values(self) -> Vec<String> {
        match self {
            FiatAmount::Single(v) => vec![v.to_string()],
            FiatAmount::Range { min, max } => vec![min.to_string(), max.to_string()],
        }
    }

    fn is_valid(self) -> bool {
        let ok = |v: f64| v.is_finite() && v >= 0.0;
        match self {
            FiatAmount::Single(v) => ok(v),
            FiatAmount::Range { min, max } => ok(min) && ok(max) && min <= max,
        }
    }
}

/// The maker's reputation summary carried by pending order events.
///
/// Serialised inside the `rating` tag as
/// `["rating",{"days":D,"total_rating":X,"total_reviews":N}]` (keys alphabetical,
/// `total_rating` always a JSON float such as `4.5` or `0.0`).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct OrderRating {
    /// Days since the maker's user row was created.
    #[serde(default)]
    pub days: u64,
    /// The maker's `total_rating`.
    pub total_rating: f64,
    /// The maker's `total_reviews`.
    pub total_reviews: u64,
}

impl OrderRating {
    /// The `rating` tag value.
    pub fn to_tag_value(&self) -> Result<String, EventError> {
        serde_json::to_string(&("rating", self)).map_err(EventError::InvalidContent)
    }

    /// Reads a `rating` tag value: the `["rating",{..}]` form Mostro publishes, or a
    /// bare object (older NIP-69 text). Unknown keys are ignored.
    pub fn from_tag_value(raw: &str) -> Option<Self> {
        if let Ok((label, rating)) = serde_json::from_str::<(String, OrderRating)>(raw) {
            return (label == "rating").then_some(rating);
        }
        serde_json::from_str::<OrderRating>(raw).ok()
    }
}

/// Domain view of a kind-38383 order event.
///
/// Parsing accepts any NIP-69 publisher, so only `id`, `kind`, `fiat_code` and
/// `status` are mandatory; [`OrderEvent::build`] insists on everything Mostro emits.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderEvent {
    /// `d`: order id (a UUID for Mostro; free-form for other platforms).
    pub id: String,
    /// `k`: order kind.
    pub kind: Kind,
    /// `f`: fiat currency code.
    pub fiat_code: String,
    /// `s`: status bucket.
    pub status: OrderBucket,
    /// `amt`: sats (`0` for market/range orders until taken).
    pub amount: Option<u64>,
    /// `fa`: fiat amount.
    pub fiat_amount: Option<FiatAmount>,
    /// `pm`: payment methods, one tag value each.
    pub payment_methods: Vec<String>,
    /// `premium`: percent over/under market (an integer for Mostro).
    pub premium: Option<f64>,
    /// `rating`: maker reputation (Mostro: pending revisions only).
    pub rating: Option<OrderRating>,
    /// `source`: deep link (Mostro: pending revisions only).
    pub source: Option<String>,
    /// `network`: comma-joined on the wire.
    pub networks: Vec<String>,
    /// `layer`: `lightning` for Mostro; others use e.g. `onchain`, `liquid`.
    pub layer: Option<String>,
    /// `expires_at`: end of the take window.
    pub expires_at: Option<Timestamp>,
    /// NIP-40 `expiration`.
    pub expiration: Option<Timestamp>,
    /// `y`: platform and instance name.
    pub platform: Option<Platform>,
    /// `z`: document type (`order`).
    pub document: Option<String>,
}

impl OrderEvent {
    /// The order id as a UUID, when `d` is one (always for Mostro).
    pub fn order_uuid(&self) -> Option<Uuid> {
        Uuid::parse_str(&self.id).ok()
    }

    /// Tags in the daemon's order: `d`, `k`, `f`, `s`, `amt`, `fa`, `pm`, `premium`,
    /// `rating`, `source`, `network`, `layer`, `expires_at`, `expiration`, `y`, `z`.
    /// Unset optional fields are skipped.
    pub fn to_tags(&self) -> Result<Vec<Tag>, EventError> {
        let unix = |t: Timestamp| t.as_secs().to_string();
        let mut out = vec![
            tags::tag("d", [self.id.as_str()]),
            tags::tag("k", [self.kind.as_str()]),
            tags::tag("f", [self.fiat_code.as_str()]),
            tags::tag("s", [self.status.as_str()]),
        ];
        out.extend(self.amount.map(|a| tags::tag("amt", [a.to_string()])));
        out.extend(self.fiat_amount.map(|fa| tags::tag("fa", fa.values())));
        if !self.payment_methods.is_empty() {
            out.push(tags::tag("pm", self.payment_methods.iter().cloned()));
        }
        out.extend(self.premium.map(|p| tags::tag("premium", [p.to_string()])));
        if let Some(rating) = &self.rating {
            out.push(tags::tag("rating", [rating.to_tag_value()?]));
        }
        out.extend(
            self.source
                .as_ref()
                .map(|s| tags::tag("source", [s.as_str()])),
        );
        if !self.networks.is_empty() {
            out.push(tags::tag("network", [self.networks.join(",")]));
        }
        out.extend(
            self.layer
                .as_ref()
                .map(|l| tags::tag("layer", [l.as_str()])),
        );
        out.extend(self.expires_at.map(|t| tags::tag("expires_at", [unix(t)])));
        out.extend(self.expiration.map(expiration_tag));
        out.extend(self.platform.as_ref().map(Platform::to_tag));
        out.extend(self.document.as_ref().map(|z| tags::tag("z", [z.as_str()])));
        Ok(out)
    }

    /// Checks that this is a revision Mostro may publish.
    pub fn validate_for_publish(&self) -> Result<(), EventError> {
        let refuse = |why| Err(EventError::NotPublishable(why));
        let pending = self.status == OrderBucket::Pending;
        if self.id.trim().is_empty() {
            return refuse("empty order id");
        }
        if self.fiat_code.trim().is_empty() {
            return refuse("empty fiat code");
        }
        if self.amount.is_none() {
            return refuse("missing sats amount");
        }
        match self.fiat_amount {
            None => return refuse("missing fiat amount"),
            Some(fa) if !fa.is_valid() => return refuse("invalid fiat amount"),
            Some(FiatAmount::Range { .. }) if !pending => {
                return refuse("fiat range on a non-pending revision")
            }
            Some(_) => {}
        }
        if self.payment_methods.is_empty() {
            return refuse("no payment method");
        }
        match self.premium {
            Some(p) if p.is_finite() && p.fract() == 0.0 => {}
            _ => return refuse("premium must be an integer"),
        }
        if !pending && (self.rating.is_some() || self.source.is_some()) {
            return refuse("rating/source on a non-pending revision");
        }
        if self.rating.is_some_and(|r| !r.total_rating.is_finite()) {
            return refuse("non-finite rating");
        }
        if self.networks.is_empty() || self.networks.iter().any(|n| n.is_empty()) {
            return refuse("missing network");
        }
        if self.layer.is_none() || self.expires_at.is_none() || self.expiration.is_none() {
            return refuse("missing layer, expires_at or expiration");
        }
        if self.platform.is_none() || self.document.as_deref() != Some(ORDER_DOCUMENT) {
            return refuse("missing y tag or z=order");
        }
        Ok(())
    }

    /// Signs the event with the Mostro node key after [`Self::validate_for_publish`].
    pub fn build(&self, keys: &Keys, created_at: Timestamp) -> Result<Event, EventError> {
        self.validate_for_publish()?;
        tags::sign(ORDER_KIND, "", self.to_tags()?, keys, created_at)
    }

    /// Lenient parse of any NIP-69 order event (Mostro, lnp2pbot, RoboSats, ...).
    ///
    /// Required: `d`, `k` (`buy`/`sell`, any case), `f`, `s` (any bucket in
    /// [`OrderBucket`]). Every other tag is optional, unknown tags are ignored, and
    /// for repeated tags the first one wins. Present numeric tags must parse
    /// (`amt` a non-negative integer, `fa`/`premium` finite numbers); a `rating`
    /// in an unknown shape is ignored rather than hiding the order.
    pub fn parse(event: &Event) -> Result<Self, EventError> {
        tags::expect_kind(event, ORDER_KIND)?;
        let t: &[Tag] = &event.tags;
        let id = tags::required(t, "d")?.to_owned();
        let raw_kind = tags::required(t, "k")?;
        let kind = raw_kind
            .to_ascii_lowercase()
            .parse::<Kind>()
            .map_err(|_| EventError::invalid("k", raw_kind))?;
        let fiat_code = tags::required(t, "f")?.to_owned();
        let raw_status = tags::required(t, "s")?;
        let status = OrderBucket::from_wire(raw_status)
            .ok_or_else(|| EventError::invalid("s", raw_status))?;
        let fiat_amount = tags::find(t, "fa").map(parse_fiat_amount).transpose()?;
        let premium = tags::value(t, "premium")
            .map(|raw| tags::parse_finite("premium", raw))
            .transpose()?;
        let expires_at = tags::value(t, "expires_at")
            .map(|raw| tags::parse_timestamp("expires_at", raw))
            .transpose()?;
        Ok(Self {
            id,
            kind,
            fiat_code,
            status,
            amount: tags::optional(t, "amt")?,
            fiat_amount,
            payment_methods: values_of(t, "pm"),
            premium,
            rating: tags::value(t, "rating").and_then(OrderRating::from_tag_value),
            source: tags::value(t, "source").map(str::to_owned),
            networks: values_of(t, "network")
                .iter()
                .flat_map(|v| v.split(','))
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
                .collect(),
            layer: tags::value(t, "layer").map(str::to_owned),
            expires_at,
            expiration: expiration_of(t)?,
            platform: Platform::from_tags(t),
            document: tags::value(t, "z").map(str::to_owned),
        })
    }
}

/// All values (after the name) of the first tag named `name`.
fn values_of(t: &[Tag], name: &str) -> Vec<String> {
    tags::find(t, name)
        .and_then(|tag| tag.as_slice().get(1..))
        .map(<[String]>::to_vec)
        .unwrap_or_default()
}

/// `fa` with one value is a fixed amount; with two or more, the first two are the
/// range bounds.
fn parse_fiat_amount(tag: &Tag) -> Result<FiatAmount, EventError> {
    let num = |raw: &str| {
        let v = tags::parse_finite("fa", raw)?;
        if v < 0.0 {
            Err(EventError::invalid("fa", raw))
        } else {
            Ok(v)
        }
    };
    match tag.as_slice() {
        [_, single] => Ok(FiatAmount::Single(num(single)?)),
        [_, min, max, ..] => Ok(FiatAmount::Range {
            min: num(min)?,
            max: num(max)?,
        }),
        _ => Err(EventError::MissingTag("fa")),
    }
}
