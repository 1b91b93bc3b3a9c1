//! The fiat leg and the release: `fiat-sent`, `release` and range child orders
//! (PROTOCOL.md §5.6, §5.7, §5.7.1).

use mostro_protocol::action::Action;
use mostro_protocol::cant_do::CantDoReason;
use mostro_protocol::order::Kind;
use mostro_protocol::payload::Payload;
use mostro_protocol::status::{DisputeStatus, Status};
use nostr::key::PublicKey;
use nostr::types::Timestamp;

use crate::model::{Order, Party, Payout, Pricing};

use super::input::{Ctx, Request};
use super::messages::{maker_view, peer_key, Direct};
use super::output::{Bucket, Effect, Outgoing, Refusal, Transition};
use super::{after, dispute, payout};

/// The optional `next_trade` payload of `fiat-sent` / `release`. Any other payload is
/// dropped silently, as is an unparsable key.
fn next_trade(request: &Request) -> Result<Option<(PublicKey, u32)>, Refusal> {
    match &request.payload {
        None => Ok(None),
        Some(Payload::NextTrade(hex, index)) => PublicKey::from_hex(hex)
            .map(|key| Some((key, *index)))
            .map_err(|_| Refusal::Silent("next_trade with an invalid key")),
        Some(_) => Err(Refusal::Silent("unexpected payload")),
    }
}

/// `fiat-sent` from the buyer of an `active` trade: both sides get `fiat-sent-ok`
/// with the other's trade key.
pub(crate) fn fiat_sent(order: &Order, request: &Request) -> Result<Transition, Refusal> {
    if order.status != Status::Active {
        return Err(Refusal::CantDo(CantDoReason::InvalidOrderStatus));
    }
    let (Some(buyer), Some(seller)) = (order.buyer().cloned(), order.seller().cloned()) else {
        return Err(Refusal::CantDo(CantDoReason::InvalidPubkey));
    };
    if request.sender != buyer.trade_pubkey {
        return Err(Refusal::CantDo(CantDoReason::InvalidPubkey));
    }
    let announced = next_trade(request)?;
    let mut next = order.clone();
    next.status = Status::FiatSent;
    // Used later only on a buy range, whose maker is the buyer sending this.
    if order.is_range() && order.kind == Kind::Buy && announced.is_some() {
        next.next_trade = announced;
    }
    let mut t = Transition::from(order, next);
    let to_seller = Direct::to(&seller, &t.order, Action::FiatSentOk)
        .payload(peer_key(&buyer.trade_pubkey))
        .build();
    let to_buyer = Direct::to(&buyer, &t.order, Action::FiatSentOk)
        .request_id(request.request_id)
        .payload(peer_key(&seller.trade_pubkey))
        .build();
    t.outbox.extend([to_seller, to_buyer]);
    Ok(t)
}

/// `release` from the seller of a `fiat-sent` (or disputed) trade: settle the escrow,
/// tell both sides, spawn the range child, and pay the buyer.
pub(crate) fn release(
    order: &Order,
    request: &Request,
    ctx: &Ctx<'_>,
    now: Timestamp,
) -> Result<Transition, Refusal> {
    let (Some(buyer), Some(seller)) = (order.buyer().cloned(), order.seller().cloned()) else {
        return Err(Refusal::CantDo(CantDoReason::InvalidPeer));
    };
    if request.sender != seller.trade_pubkey {
        return Err(Refusal::CantDo(CantDoReason::InvalidPeer));
    }
    if !matches!(order.status, Status::FiatSent | Status::Dispute) {
        return Err(Refusal::CantDo(CantDoReason::NotAllowedByStatus));
    }
    let announced = next_trade(request)?;
    let Some(hold) = order.hold_invoice.clone() else {
        return Err(Refusal::Silent("release of an order without escrow"));
    };

    let mut next = order.clone();
    next.status = Status::SettledHoldInvoice;
    next.payout = Payout::NotStarted;
    if order.is_range() && order.kind == Kind::Sell && announced.is_some() {
        next.next_trade = announced;
    }
    let mut t = Transition::from(order, next);
    // A dispute the seller gives up on is closed as `settled` (§5.10).
    dispute::close_by_parties(&mut t, order, ctx, DisputeStatus::Settled);
    t.effects.push(Effect::SettleHoldInvoice {
        hash: hold.hash,
        preimage: hold.preimage,
    });
    t.outbox
        .push(Direct::to(&buyer, &t.order, Action::Released).build());
    if let Some(child) = child_order(&t.order, ctx, now) {
        t.outbox.extend(child_messages(&child, request.request_id));
        t.new_orders.push(child);
    }
    t.outbox.push(
        Direct::to(&seller, &t.order, Action::HoldInvoicePaymentSettled)
            .request_id(request.request_id)
            .build(),
    );
    t.outbox
        .push(Direct::to(&seller, &t.order, Action::Rate).build());
    payout::begin(&mut t, ctx, now, false);
    Ok(t)
}

/// The remainder of a range order after a released slice (§5.7.1), owned by the
/// maker's announced next trade key, with fresh timers (§11.32 fix).
pub(crate) fn child_order(parent: &Order, ctx: &Ctx<'_>, now: Timestamp) -> Option<Order> {
    let (min, max) = (parent.min_amount?, parent.max_amount?);
    let (next_key, next_index) = parent.next_trade?;
    let new_max = max.checked_sub(parent.fiat_amount)?;
    let (fiat_amount, min_amount, max_amount) = if new_max > min {
        (0, Some(min), Some(new_max))
    } else if new_max == min {
        (new_max, None, None)
    } else {
        return None;
    };
    let identity = if parent.maker.full_privacy() {
        next_key
    } else {
        parent.maker.identity_pubkey
    };
    Some(Order {
        id: ctx.fresh_id,
        kind: parent.kind,
        status: Status::Pending,
        pricing: Pricing::Market,
        amount: 0,
        fee: 0,
        dev_fee: 0,
        premium: parent.premium,
        fiat_code: parent.fiat_code.clone(),
        fiat_amount,
        min_amount,
        max_amount,
        payment_method: parent.payment_method.clone(),
        maker: Party {
            trade_pubkey: next_key,
            identity_pubkey: identity,
            trade_index: i64::from(next_index),
            transport: parent.maker.transport,
        },
        taker: None,
        buyer_invoice: None,
        buyer_invoice_from_maker: false,
        hold_invoice: None,
        payout: Payout::NotStarted,
        hold_request_id: None,
        cancel_initiator: None,
        buyer_rated: false,
        seller_rated: false,
        next_trade: None,
        range_parent_id: Some(parent.id),
        created_at: now,
        expires_at: after(now, ctx.settings.expiration_hours.saturating_mul(3600)),
        taken_at: None,
        last_event_at: None,
    })
}

/// `new-order` to the maker's next trade key (echoing the release's `request_id`,
/// `trade_index` = the announced index) and the child's publication.
fn child_messages(child: &Order, request_id: Option<u64>) -> Vec<Outgoing> {
    vec![
        Direct::to(&child.maker, child, Action::NewOrder)
            .request_id(request_id)
            .trade_index(Some(child.maker.trade_index))
            .payload(Payload::Order(maker_view(child)))
            .build(),
        Outgoing::OrderEvent {
            order_id: child.id,
            bucket: Bucket::Pending,
        },
    ]
}
