//! Order operations: create, take, add-invoice, fiat-sent, release, cancel,
//! dispute and rate (PROTOCOL.md §5.2–§5.10).

use mostro_protocol::{Action, Kind, MessageKind, Payload, SmallOrder, Wrapper};
use nostr::key::Keys;
use uuid::Uuid;

use super::new_order::{invalid, NewOrder};
use super::request::{Reply, Request};
use super::{unix_now, MostroClient, Privacy};
use crate::error::ClientError;
use crate::local_order::LocalOrder;
use crate::update::Update;

/// The daemon rebuilds its set of known trade keys about every minute
/// (`active_pubkeys_refresh_interval`); until then a new key is still "first contact".
const KNOWN_KEY_REFRESH_SECS: u64 = 60;

/// The result of an order operation: the updated local order and the reply.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderReply {
    /// The order after applying the reply.
    pub order: LocalOrder,
    /// What Mostro answered.
    pub update: Update,
}

impl MostroClient {
    /// `trade_index` to send on create/take: the index in reputation mode,
    /// nothing in full privacy (§8.3).
    fn index_field(&self, index: u32) -> Option<i64> {
        match self.inner.privacy {
            Privacy::Reputation => Some(i64::from(index)),
            Privacy::FullPrivacy => None,
        }
    }

    fn finish(
        &self,
        mut order: LocalOrder,
        reply: &Reply,
        keys: &Keys,
    ) -> Result<OrderReply, ClientError> {
        let update = Update::from_message(&reply.message, &keys.public_key());
        order.apply(&update, unix_now());
        self.inner.store.save_order(&order)?;
        Ok(OrderReply { order, update })
    }

    /// Publishes a new order from a fresh trade key (`new-order`, §5.2).
    pub async fn create_order(&self, new: &NewOrder) -> Result<OrderReply, ClientError> {
        let small = new.to_small_order()?;
        let index = self.inner.store.allocate_trade_index()?;
        let keys = self.trade_keys(index)?;
        let body = MessageKind::new(Action::NewOrder)
            .with_trade_index(self.index_field(index))
            .with_payload(Payload::Order(small));
        let reply = self
            .request(Request {
                keys: &keys,
                wrapper: Wrapper::Order,
                body,
                first_contact: true,
                unsolicited: &[],
            })
            .await?;
        let payload_id = match reply.message.payload() {
            Some(Payload::Order(o)) | Some(Payload::PaymentRequest(Some(o), _, _)) => o.id,
            _ => None,
        };
        let id = reply
            .message
            .id()
            .or(payload_id)
            .ok_or(ClientError::UnexpectedReply {
                request: Action::NewOrder,
                action: reply.message.action(),
            })?;
        let order = LocalOrder::new(id, index, new.kind, true, unix_now());
        self.finish(order, &reply, &keys)
    }

    /// Takes a sell order as buyer (`take-sell`, §5.3), optionally giving the
    /// payout invoice (or Lightning address) and, for range orders, the fiat amount.
    pub async fn take_sell(
        &self,
        order_id: Uuid,
        invoice: Option<String>,
        amount: Option<i64>,
    ) -> Result<OrderReply, ClientError> {
        let payload = match (invoice, amount) {
            (Some(invoice), amount) => Some(Payload::PaymentRequest(None, invoice, amount)),
            (None, Some(amount)) => Some(Payload::Amount(amount)),
            (None, None) => None,
        };
        self.take(order_id, Kind::Sell, payload).await
    }

    /// Takes a buy order as seller (`take-buy`, §5.4), with the fiat amount
    /// for range orders.
    pub async fn take_buy(
        &self,
        order_id: Uuid,
        amount: Option<i64>,
    ) -> Result<OrderReply, ClientError> {
        self.take(order_id, Kind::Buy, amount.map(Payload::Amount))
            .await
    }

    async fn take(
        &self,
        order_id: Uuid,
        kind: Kind,
        payload: Option<Payload>,
    ) -> Result<OrderReply, ClientError> {
        if let Some(Payload::Amount(a) | Payload::PaymentRequest(_, _, Some(a))) = payload {
            if a <= 0 {
                return Err(invalid("the amount must be positive"));
            }
        }
        let index = self.inner.store.allocate_trade_index()?;
        let keys = self.trade_keys(index)?;
        let action = match kind {
            Kind::Sell => Action::TakeSell,
            Kind::Buy => Action::TakeBuy,
        };
        let body = MessageKind::new(action)
            .with_id(order_id)
            .with_trade_index(self.index_field(index))
            .with_payload(payload);
        let order = LocalOrder::new(order_id, index, kind, false, unix_now());
        let result = self
            .request(Request {
                keys: &keys,
                wrapper: Wrapper::Order,
                body,
                first_contact: true,
                unsolicited: &[],
            })
            .await;
        match result {
            Ok(reply) => self.finish(order, &reply, &keys),
            Err(error @ ClientError::Timeout { .. }) => {
                // Keep the key watched: a late reply may still arrive.
                self.inner.store.save_order(&order)?;
                Err(error)
            }
            Err(error) => Err(error),
        }
    }

    /// Sends an action about an existing local order from its trade key.
    async fn order_action(
        &self,
        order: LocalOrder,
        action: Action,
        payload: Option<Payload>,
    ) -> Result<OrderReply, ClientError> {
        let keys = self.trade_keys(order.trade_index)?;
        let first_contact = unix_now().saturating_sub(order.created_at) < KNOWN_KEY_REFRESH_SECS;
        let body = MessageKind::new(action)
            .with_id(order.id)
            .with_payload(payload);
        let reply = self
            .request(Request {
                keys: &keys,
                wrapper: Wrapper::Order,
                body,
                first_contact,
                unsolicited: &[],
            })
            .await?;
        self.finish(order, &reply, &keys)
    }

    /// Sends the buyer's payout invoice, Lightning address or LNURL (`add-invoice`, §5.5).
    pub async fn add_invoice(
        &self,
        order_id: Uuid,
        invoice: String,
        amount: Option<i64>,
    ) -> Result<OrderReply, ClientError> {
        if invoice.trim().is_empty() {
            return Err(invalid("the invoice is empty"));
        }
        let order = self.local_order(order_id)?;
        let payload = Payload::PaymentRequest(None, invoice, amount);
        self.order_action(order, Action::AddInvoice, Some(payload))
            .await
    }

    /// Reserves the next trade index for a range order's child and returns
    /// the `next_trade` payload announcing it (§5.7.1).
    fn reserve_next_trade(&self, order: &mut LocalOrder) -> Result<Payload, ClientError> {
        let index = match order.next_trade_index {
            Some(index) => index,
            None => self.inner.store.allocate_trade_index()?,
        };
        order.next_trade_index = Some(index);
        self.inner.store.save_order(order)?;
        let keys = self.trade_keys(index)?;
        Ok(Payload::NextTrade(keys.public_key().to_hex(), index))
    }

    fn is_range(order: &LocalOrder) -> bool {
        order.order.as_ref().is_some_and(SmallOrder::is_range)
    }

    /// Buyer: fiat was sent (`fiat-sent`, §5.6). On a range buy order we made,
    /// a next trade key is reserved and announced for the child order.
    pub async fn fiat_sent(&self, order_id: Uuid) -> Result<OrderReply, ClientError> {
        let mut order = self.local_order(order_id)?;
        let payload = if order.is_maker && order.kind == Kind::Buy && Self::is_range(&order) {
            Some(self.reserve_next_trade(&mut order)?)
        } else {
            None
        };
        self.order_action(order, Action::FiatSent, payload).await
    }

    /// Seller: release the escrow (`release`, §5.7). On a range sell order we
    /// made, a next trade key is reserved and announced for the child order.
    pub async fn release(&self, order_id: Uuid) -> Result<OrderReply, ClientError> {
        let mut order = self.local_order(order_id)?;
        let payload = if order.is_maker && order.kind == Kind::Sell && Self::is_range(&order) {
            Some(self.reserve_next_trade(&mut order)?)
        } else {
            None
        };
        self.order_action(order, Action::Release, payload).await
    }

    /// Cancels (maker, pending), backs out of a take, or starts/accepts a
    /// cooperative cancel of an active trade — all the same `cancel` (§5.9).
    pub async fn cancel(&self, order_id: Uuid) -> Result<OrderReply, ClientError> {
        let order = self.local_order(order_id)?;
        self.order_action(order, Action::Cancel, None).await
    }

    /// Opens a dispute (`dispute`, §5.10).
    pub async fn dispute(&self, order_id: Uuid) -> Result<OrderReply, ClientError> {
        let order = self.local_order(order_id)?;
        self.order_action(order, Action::Dispute, None).await
    }

    /// Rates the counterparty 1–5 (`rate-user`, §5.8).
    pub async fn rate(&self, order_id: Uuid, rating: u8) -> Result<OrderReply, ClientError> {
        if !(1..=5).contains(&rating) {
            return Err(invalid("ratings go from 1 to 5"));
        }
        let order = self.local_order(order_id)?;
        self.order_action(order, Action::RateUser, Some(Payload::RatingUser(rating)))
            .await
    }
}
