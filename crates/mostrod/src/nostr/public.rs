//! The node's public events (PROTOCOL.md §7), built from records and settings and
//! signed with the node key.
//!
//! * 38383 orders: `created_at` strictly greater than the order's `last_event_at`
//!   (relays keep the newest revision per `d`; same-second ties would be decided by id);
//!   the caller stores the event's `created_at` back into the record.
//! * 38384 ratings, 38386 disputes (also strictly increasing per dispute).
//! * 38385 info: every enforced setting, `protocol_version` = the preferred transport,
//!   the enforced first-contact PoW, the real `invoice_expiration_window` and one
//!   `fiat_limit` tag per configured currency limit (sorted by code).
//! * 10002 relay list and kind 0 metadata.
//! * 30078 exchange rates (optional; the caller keeps `created_at` strictly increasing).

use ::nostr::event::Event;
use ::nostr::key::{Keys, PublicKey};
use ::nostr::types::{RelayUrl, Timestamp};
use mostro_protocol::events::{
    build_relay_list, next_created_at, BondAdvert, DisputeEvent, EventError, FiatLimit, InfoEvent,
    Initiator, InstanceMetadata, LndInfo, OrderBucket, OrderEventBuilder, OrderRating, Platform,
    RatesEvent, RatingEvent, Reputation,
};

use crate::engine::{Bucket, EngineSettings};
use crate::model::{Dispute, Order, Side, Transport, User};

/// Seconds per day.
const DAY_SECS: u64 = 86_400;

/// A public event could not be built.
#[derive(Debug, thiserror::Error)]
pub enum PublicEventError {
    /// The protocol builder refused the values (e.g. a negative amount).
    #[error("cannot build kind {kind} event")]
    Build {
        /// The event kind.
        kind: u16,
        /// The builder's reason.
        #[source]
        source: EventError,
    },
    /// An order's sats amount does not fit the wire type.
    #[error("order amount out of range")]
    AmountOutOfRange,
}

fn build_err(kind: u16) -> impl FnOnce(EventError) -> PublicEventError {
    move |source| PublicEventError::Build { kind, source }
}

/// Node-wide values the public events carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicSettings {
    /// The configured `[nostr] relays` list (the `source` link of pending orders).
    pub relays: Vec<String>,
    /// `[mostro] name`, the second value of `y` when non-blank.
    pub instance_name: Option<String>,
    /// The LND network(s) (`network` tag); `["unknown"]` when LND gave none.
    pub networks: Vec<String>,
    /// `[expiration] order_days` (NIP-40 of non-pending 38383 revisions).
    pub order_days: u64,
    /// `[expiration] rating_days` (NIP-40 of 38384).
    pub rating_days: u64,
    /// `[expiration] dispute_days` (NIP-40 of 38386).
    pub dispute_days: u64,
}

/// What the info event advertises besides the engine settings.
#[derive(Debug, Clone, PartialEq)]
pub struct InfoSettings {
    /// Daemon version (`mostro_version`).
    pub mostro_version: String,
    /// Git hash of the build (`mostro_commit_hash`).
    pub mostro_commit_hash: String,
    /// Every engine knob that is advertised.
    pub engine: EngineSettings,
    /// `mostro.pow`.
    pub pow: u8,
    /// The first-contact difficulty intake enforces (`max(pow, pow_first_contact)`).
    pub pow_first_contact: u8,
    /// The preferred transport (`protocol_version`); both are accepted.
    pub preferred_transport: Transport,
    /// `lightning.hold_invoice_expiration_window` (seconds, advertised only).
    pub hold_invoice_expiration_window: u64,
    /// `lightning.invoice_expiration_window`: the real buyer-invoice window (§11 fix).
    pub invoice_expiration_window: u64,
}

/// Builds and signs the node's public events.
#[derive(Debug, Clone)]
pub struct PublicEvents {
    keys: Keys,
    settings: PublicSettings,
}

impl PublicEvents {
    /// Signs with the node `keys`.
    pub fn new(keys: Keys, settings: PublicSettings) -> Self {
        Self { keys, settings }
    }

    /// The node public key.
    pub fn public_key(&self) -> PublicKey {
        self.keys.public_key()
    }

    /// The settings in use.
    pub fn settings(&self) -> &PublicSettings {
        &self.settings
    }

    fn networks(&self) -> Vec<String> {
        if self.settings.networks.is_empty() {
            vec!["unknown".to_owned()]
        } else {
            self.settings.networks.clone()
        }
    }

    /// Kind 38383 revision of `order` with `bucket`, dated strictly after the order's
    /// `last_event_at`. `maker` is the maker's user row (reputation mode), used for the
    /// pending `rating` tag; full-privacy makers and makers without a row get zeros.
    ///
    /// The caller must store the returned event's `created_at` as the order's new
    /// `last_event_at` in the same commit as the outbox row.
    pub fn order_event(
        &self,
        order: &Order,
        bucket: Bucket,
        maker: Option<&User>,
        now: Timestamp,
    ) -> Result<Event, PublicEventError> {
        let kind = 38383;
        let amount = i64::try_from(order.amount).map_err(|_| PublicEventError::AmountOutOfRange)?;
        let small = order.to_small_order(amount, false);
        let builder = OrderEventBuilder {
            networks: self.networks(),
            relays: self.settings.relays.clone(),
            mostro_pubkey: self.keys.public_key(),
            instance_name: self.settings.instance_name.clone(),
            order_days: self.settings.order_days,
        };
        let created_at = next_created_at(order.last_event_at, now);
        let rating = maker_rating(order, maker, now);
        builder
            .event_with_bucket(&small, order_bucket(bucket), rating, created_at)
            .and_then(|event| event.build(&self.keys, created_at))
            .map_err(build_err(kind))
    }

    /// Kind 38384 rating of `user` published under `rated_trade_pubkey`.
    pub fn rating_event(
        &self,
        rated_trade_pubkey: PublicKey,
        user: &User,
        now: Timestamp,
    ) -> Result<Event, PublicEventError> {
        let reputation = Reputation {
            total_reviews: user.total_reviews,
            total_rating: user.total_rating,
            last_rating: user.last_rating,
            max_rate: user.max_rating,
            min_rate: user.min_rating,
        };
        RatingEvent::new(
            rated_trade_pubkey,
            reputation,
            whole_days_since(user.created_at, now),
            now,
            self.settings.rating_days,
        )
        .build(&self.keys, now)
        .map_err(build_err(38384))
    }

    /// Kind 38386 revision of `dispute`, dated strictly after its `last_event_at`
    /// (the caller stores the event's `created_at` back into the record).
    pub fn dispute_event(
        &self,
        dispute: &Dispute,
        now: Timestamp,
    ) -> Result<Event, PublicEventError> {
        let created_at = next_created_at(dispute.last_event_at, now);
        let initiator = match dispute.initiator {
            Side::Buyer => Initiator::Buyer,
            Side::Seller => Initiator::Seller,
        };
        DisputeEvent::new(
            dispute.id,
            dispute.status,
            initiator,
            dispute.created_at,
            self.settings.instance_name.as_deref(),
            created_at,
            self.settings.dispute_days,
        )
        .build(&self.keys, created_at)
        .map_err(build_err(38386))
    }

    /// Kind 38385 instance info.
    pub fn info_event(
        &self,
        info: &InfoSettings,
        lnd: &LndInfo,
        now: Timestamp,
    ) -> Result<Event, PublicEventError> {
        let e = &info.engine;
        InfoEvent {
            mostro_pubkey: self.keys.public_key(),
            mostro_version: info.mostro_version.clone(),
            mostro_commit_hash: info.mostro_commit_hash.clone(),
            max_order_amount: e.max_order_amount,
            min_order_amount: e.min_payment_amount,
            expiration_hours: Some(e.expiration_hours),
            expiration_seconds: Some(e.expiration_seconds),
            fiat_currencies_accepted: e.fiat_currencies_accepted.clone(),
            max_orders_per_response: Some(e.max_orders_per_response as u64),
            fee: e.fee,
            pow: info.pow,
            pow_first_contact: Some(info.pow.max(info.pow_first_contact)),
            protocol_version: info.preferred_transport.version(),
            hold_invoice_expiration_window: Some(info.hold_invoice_expiration_window),
            hold_invoice_cltv_delta: Some(u64::from(e.hold_invoice_cltv_delta)),
            invoice_expiration_window: Some(info.invoice_expiration_window),
            lnd: lnd.clone(),
            platform: Some(Platform::mostro(self.settings.instance_name.as_deref())),
            bond: BondAdvert::Disabled,
            fiat_limits: e
                .fiat_limits
                .iter()
                .map(|(code, bounds)| FiatLimit {
                    code: code.clone(),
                    min: bounds.min,
                    max: bounds.max,
                })
                .collect(),
            extra: Vec::new(),
        }
        .build(&self.keys, now)
        .map_err(build_err(38385))
    }

    /// Kind 10002 list of the currently connected relays.
    pub fn relay_list(
        &self,
        connected: &[RelayUrl],
        now: Timestamp,
    ) -> Result<Event, PublicEventError> {
        build_relay_list(connected, &self.keys, now).map_err(build_err(10002))
    }

    /// Kind 30078 exchange rates, dated `created_at`. The caller dates successive
    /// revisions strictly after each other (see [`next_created_at`]).
    pub fn rates_event(
        &self,
        rates: &RatesEvent,
        created_at: Timestamp,
    ) -> Result<Event, PublicEventError> {
        rates
            .build(&self.keys, created_at)
            .map_err(build_err(30078))
    }

    /// Kind 0 metadata, or `None` when no field is set (nothing is published then).
    pub fn metadata(
        &self,
        metadata: &InstanceMetadata,
        now: Timestamp,
    ) -> Result<Option<Event>, PublicEventError> {
        if metadata.is_empty() {
            return Ok(None);
        }
        metadata
            .build(&self.keys, now)
            .map(Some)
            .map_err(build_err(0))
    }
}

/// The protocol bucket of an engine bucket.
pub fn order_bucket(bucket: Bucket) -> OrderBucket {
    match bucket {
        Bucket::Pending => OrderBucket::Pending,
        Bucket::InProgress => OrderBucket::InProgress,
        Bucket::Success => OrderBucket::Success,
        Bucket::Canceled => OrderBucket::Canceled,
    }
}

/// Whole days from `since` to `now` (0 if `since` is in the future).
fn whole_days_since(since: Timestamp, now: Timestamp) -> u64 {
    now.as_secs().saturating_sub(since.as_secs()) / DAY_SECS
}

/// The maker's `rating` tag value: zeros for full privacy or an unknown row.
fn maker_rating(order: &Order, maker: Option<&User>, now: Timestamp) -> OrderRating {
    match maker {
        Some(user)
            if !order.maker.full_privacy()
                && user.identity_pubkey == order.maker.identity_pubkey =>
        {
            OrderRating {
                days: whole_days_since(user.created_at, now),
                total_rating: user.total_rating,
                total_reviews: user.total_reviews,
            }
        }
        _ => OrderRating::default(),
    }
}
