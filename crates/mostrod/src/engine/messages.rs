//! Builders of the direct messages the engine sends (PROTOCOL.md §5).

use mostro_protocol::action::Action;
use mostro_protocol::message::{Message, MessageKind};
use mostro_protocol::order::SmallOrder;
use mostro_protocol::payload::{Payload, Peer, UserInfo};
use nostr::key::PublicKey;
use nostr::types::Timestamp;

use crate::model::{Order, Party, Transport, User};

use super::output::Outgoing;

/// Which amount an order payload shows (it differs per recipient).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shown {
    /// The order's `amount` as stored (pending orders, `orders` replies).
    Raw,
    /// What the seller pays: `amount + fee`.
    SellerPays,
    /// What the buyer receives: `amount − fee`.
    BuyerReceives,
}

/// The wire view of `order` for a recipient.
pub(crate) fn small_order(order: &Order, shown: Shown, reveal_trade_keys: bool) -> SmallOrder {
    let sats = match shown {
        Shown::Raw => order.amount,
        Shown::SellerPays => order.seller_total(),
        Shown::BuyerReceives => order.buyer_receives(),
    };
    order.to_small_order(i64::try_from(sats).unwrap_or(i64::MAX), reveal_trade_keys)
}

/// The `new-order` view handed to a maker: raw amount, plus the maker's own payout
/// destination when it supplied one.
pub(crate) fn maker_view(order: &Order) -> SmallOrder {
    let mut small = small_order(order, Shown::Raw, false);
    if order.buyer_invoice_from_maker {
        small.buyer_invoice = order.buyer_invoice.clone();
    }
    small
}

/// One direct message under the `order` wrapper.
#[derive(Debug, Clone)]
pub(crate) struct Direct {
    to: PublicKey,
    transport: Transport,
    kind: MessageKind,
}

impl Direct {
    /// A message with `action` about `order` to `party`'s trade key.
    pub(crate) fn to(party: &Party, order: &Order, action: Action) -> Self {
        Self::to_key(party.trade_pubkey, party.transport, order, action)
    }

    /// A message with `action` about `order` to an explicit key and transport.
    pub(crate) fn to_key(
        to: PublicKey,
        transport: Transport,
        order: &Order,
        action: Action,
    ) -> Self {
        Self {
            to,
            transport,
            kind: MessageKind::new(action)
                .with_version(transport.version())
                .with_id(order.id),
        }
    }

    /// Echoes a `request_id`.
    pub(crate) fn request_id(mut self, request_id: Option<u64>) -> Self {
        self.kind.request_id = request_id;
        self
    }

    /// Sets `trade_index`.
    pub(crate) fn trade_index(mut self, trade_index: Option<i64>) -> Self {
        self.kind.trade_index = trade_index;
        self
    }

    /// Sets the payload.
    pub(crate) fn payload(mut self, payload: Payload) -> Self {
        self.kind.payload = Some(payload);
        self
    }

    /// The outbox entry.
    pub(crate) fn build(self) -> Outgoing {
        Outgoing::Direct {
            to: self.to,
            transport: self.transport,
            message: Message::Order(self.kind),
        }
    }
}

/// A user's reputation summary as sent in `peer` payloads.
pub(crate) fn user_info(user: &User, now: Timestamp) -> UserInfo {
    UserInfo {
        rating: user.total_rating,
        reviews: i64::try_from(user.total_reviews).unwrap_or(i64::MAX),
        operating_days: now.as_secs().saturating_sub(user.created_at.as_secs()) / 86_400,
    }
}

/// The taker-reputation notice (PROTOCOL.md §5.4, §11.20): `action` with a `peer`
/// payload whose key is empty. `None` when the taker has no reputation row.
pub(crate) fn taker_reputation_notice(
    maker: &Party,
    order: &Order,
    action: Action,
    taker_user: Option<&User>,
    now: Timestamp,
) -> Option<Outgoing> {
    let user = taker_user?;
    let peer = Peer {
        pubkey: String::new(),
        reputation: Some(user_info(user, now)),
    };
    Some(
        Direct::to(maker, order, action)
            .payload(Payload::Peer(peer))
            .build(),
    )
}

/// `peer` payload naming a trade key, without reputation.
pub(crate) fn peer_key(key: &PublicKey) -> Payload {
    Payload::Peer(Peer::new(key.to_hex()))
}
