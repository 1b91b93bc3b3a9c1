//! Public events: the order book (kind 38383) and the daemon's info (38385).

use std::collections::HashSet;

use mostro_protocol::events::{InfoEvent, OrderBucket, OrderEvent, INFO_KIND, ORDER_KIND};
use mostro_protocol::Kind;
use nostr::filter::{Filter, SingleLetterTag};
use nostr::types::Timestamp;

use super::MostroClient;
use crate::error::ClientError;

/// Which orders to list. Kind, currency and status are sent to relays as tag
/// filters; the payment method is matched locally (its tag name `pm` is not
/// a single letter, so relays cannot filter on it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookFilter {
    /// `buy` or `sell` (`#k`).
    pub kind: Option<Kind>,
    /// Fiat code, e.g. `USD` (`#f`, case-sensitive like the daemon).
    pub currency: Option<String>,
    /// Status bucket (`#s`); `None` lists every bucket.
    pub status: Option<OrderBucket>,
    /// Keep orders offering this payment method (case-insensitive substring).
    pub payment_method: Option<String>,
}

impl BookFilter {
    /// Pending orders only, the usual order book.
    pub fn pending() -> Self {
        Self {
            status: Some(OrderBucket::Pending),
            ..Self::default()
        }
    }

    fn relay_filter(&self, daemon: nostr::key::PublicKey) -> Filter {
        let mut filter = Filter::new().kind(ORDER_KIND).author(daemon);
        if let Some(kind) = self.kind {
            filter = filter.custom_tag(SingleLetterTag::LOWERCASE_K, kind.as_str());
        }
        if let Some(currency) = &self.currency {
            filter = filter.custom_tag(SingleLetterTag::LOWERCASE_F, currency.as_str());
        }
        if let Some(status) = self.status {
            filter = filter.custom_tag(SingleLetterTag::LOWERCASE_S, status.as_str());
        }
        filter
    }

    /// Whether a parsed order passes the local checks (payment method, and
    /// the relay-side tags again in case a relay ignored them).
    pub fn matches(&self, order: &OrderEvent) -> bool {
        self.kind.is_none_or(|k| order.kind == k)
            && self.currency.as_ref().is_none_or(|c| &order.fiat_code == c)
            && self.status.is_none_or(|s| order.status == s)
            && self.payment_method.as_ref().is_none_or(|wanted| {
                let wanted = wanted.to_lowercase();
                order
                    .payment_methods
                    .iter()
                    .any(|pm| pm.to_lowercase().contains(&wanted))
            })
    }
}

impl MostroClient {
    /// Fetches the daemon's order book: its kind-38383 events matching
    /// `filter`, newest revision per order, expired revisions dropped,
    /// malformed events skipped. Newest first.
    pub async fn order_book(&self, filter: &BookFilter) -> Result<Vec<OrderEvent>, ClientError> {
        let events = self
            .inner
            .pool
            .fetch(
                vec![filter.relay_filter(self.inner.daemon)],
                self.inner.timeouts.fetch,
            )
            .await?;
        let now = Timestamp::now();
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        // `fetch` returns newest first: the first revision of an order wins.
        for event in events {
            if event.pubkey != self.inner.daemon || event.is_expired_at(now) {
                continue;
            }
            match OrderEvent::parse(&event) {
                Ok(order) => {
                    if seen.insert(order.id.clone()) && filter.matches(&order) {
                        out.push(order);
                    }
                }
                Err(error) => {
                    tracing::debug!(event_id = %event.id, %error, "skipping malformed order event");
                }
            }
        }
        Ok(out)
    }

    /// Fetches (and caches) the daemon's latest kind-38385 info event.
    pub async fn fetch_info(&self) -> Result<InfoEvent, ClientError> {
        let daemon = self.inner.daemon;
        let filter = Filter::new()
            .kind(INFO_KIND)
            .author(daemon)
            .identifier(daemon.to_hex());
        let events = self
            .inner
            .pool
            .fetch(vec![filter], self.inner.timeouts.fetch)
            .await?;
        let event = events
            .into_iter()
            .find(|e| e.pubkey == daemon)
            .ok_or(ClientError::NoDaemonInfo(daemon))?;
        let info = InfoEvent::parse(&event)?;
        self.inner
            .store
            .save_daemon_info(&daemon.to_hex(), &event.as_json())?;
        self.set_cached_info(Some(info.clone()));
        Ok(info)
    }
}
