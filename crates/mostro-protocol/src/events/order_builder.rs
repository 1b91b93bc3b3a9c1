//! Turning a daemon order ([`SmallOrder`]) into the kind-38383 revision to publish.

use nostr::key::PublicKey;
use nostr::types::Timestamp;

use super::bucket::OrderBucket;
use super::error::EventError;
use super::expiration::days_from;
use super::order::{FiatAmount, OrderEvent, OrderRating, LIGHTNING_LAYER, ORDER_DOCUMENT};
use super::tags::Platform;
use crate::order::SmallOrder;

/// Node-wide context needed to publish order events.
#[derive(Debug, Clone)]
pub struct OrderEventBuilder {
    /// LND network(s), e.g. `["mainnet"]`; `["unknown"]` without LND status.
    pub networks: Vec<String>,
    /// The configured `[nostr] relays` list (used in `source`).
    pub relays: Vec<String>,
    /// The Mostro node pubkey (used in `source`).
    pub mostro_pubkey: PublicKey,
    /// `[mostro] name`, if set (second `y` value when non-blank).
    pub instance_name: Option<String>,
    /// `[expiration] order_days`: NIP-40 retention of non-pending revisions.
    pub order_days: u64,
}

/// `mostro:<order id>?relays=<r1>,<r2>&mostro=<pubkey hex>`.
pub fn source_link(order_id: &str, relays: &[String], mostro: &PublicKey) -> String {
    format!(
        "mostro:{order_id}?relays={}&mostro={}",
        relays.join(","),
        mostro.to_hex()
    )
}

/// Splits the order's comma-separated `payment_method` on `,`, dropping empty
/// parts and trimming nothing (the reference daemon's exact rule).
pub fn split_payment_methods(payment_method: &str) -> Vec<String> {
    payment_method
        .split(',')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

fn non_negative(value: i64, what: &'static str) -> Result<u64, EventError> {
    u64::try_from(value).map_err(|_| EventError::NotPublishable(what))
}

impl OrderEventBuilder {
    /// The revision for `order` in its current status, or `None` when that status is
    /// not published (see [`OrderBucket::for_status`]).
    pub fn event_for(
        &self,
        order: &SmallOrder,
        maker_rating: OrderRating,
        now: Timestamp,
    ) -> Result<Option<OrderEvent>, EventError> {
        let status = order
            .status
            .ok_or(EventError::NotPublishable("order without status"))?;
        let kind = order
            .kind
            .ok_or(EventError::NotPublishable("order without kind"))?;
        OrderBucket::for_status(status, kind)
            .map(|bucket| self.event_with_bucket(order, bucket, maker_rating, now))
            .transpose()
    }

    /// The revision for `order` published with `bucket` (e.g. as chosen by
    /// [`OrderBucket::on_transition`]).
    ///
    /// Pending revisions carry the maker's `rating` (zeros for full-privacy makers),
    /// the `source` link, the fiat range of a range order, and expire (NIP-40) at
    /// the order's `expires_at` when it is positive. Other revisions carry the
    /// agreed fiat amount and expire `order_days` after `now`.
    pub fn event_with_bucket(
        &self,
        order: &SmallOrder,
        bucket: OrderBucket,
        maker_rating: OrderRating,
        now: Timestamp,
    ) -> Result<OrderEvent, EventError> {
        let id = order
            .id
            .ok_or(EventError::NotPublishable("order without id"))?
            .to_string();
        let kind = order
            .kind
            .ok_or(EventError::NotPublishable("order without kind"))?;
        let pending = bucket == OrderBucket::Pending;
        let expires_at = order
            .expires_at
            .map(|t| non_negative(t, "negative expires_at"))
            .transpose()?
            .map(Timestamp::from_secs);
        let expiration = match expires_at {
            Some(at) if pending && at.as_secs() > 0 => at,
            _ => days_from(now, self.order_days),
        };
        // Fiat amounts are whole units (i64); the f64 is exact below 2^53.
        #[allow(clippy::cast_precision_loss)]
        let fiat_amount = match (order.min_amount, order.max_amount) {
            (Some(min), Some(max)) if pending => FiatAmount::Range {
                min: min as f64,
                max: max as f64,
            },
            _ => FiatAmount::Single(order.fiat_amount as f64),
        };
        #[allow(clippy::cast_precision_loss)]
        let premium = order.premium as f64;
        let event = OrderEvent {
            source: pending.then(|| source_link(&id, &self.relays, &self.mostro_pubkey)),
            id,
            kind,
            fiat_code: order.fiat_code.clone(),
            status: bucket,
            amount: Some(non_negative(order.amount, "negative sats amount")?),
            fiat_amount: Some(fiat_amount),
            payment_methods: split_payment_methods(&order.payment_method),
            premium: Some(premium),
            rating: pending.then_some(maker_rating),
            networks: self.networks.clone(),
            layer: Some(LIGHTNING_LAYER.to_owned()),
            expires_at,
            expiration: Some(expiration),
            platform: Some(Platform::mostro(self.instance_name.as_deref())),
            document: Some(ORDER_DOCUMENT.to_owned()),
        };
        event.validate_for_publish()?;
        Ok(event)
    }
}
