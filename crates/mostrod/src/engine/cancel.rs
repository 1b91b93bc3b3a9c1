//! `cancel` in every status (PROTOCOL.md §5.9), and the reset of a taken order back to
//! the book that a taker cancel and a taker-fault timeout share.

use mostro_protocol::action::Action;
use mostro_protocol::cant_do::CantDoReason;
use mostro_protocol::payload::Payload;
use mostro_protocol::status::{DisputeStatus, Status};

use crate::model::{Order, Payout, Pricing};

use super::dispute;
use super::input::{Ctx, Request};
use super::messages::{maker_view, Direct};
use super::output::{Bucket, Effect, Refusal, Transition};

/// Handles `cancel` from `request.sender`.
pub(crate) fn cancel(
    order: &Order,
    request: &Request,
    ctx: &Ctx<'_>,
) -> Result<Transition, Refusal> {
    let sender = request.sender;
    let is_maker = sender == order.maker.trade_pubkey;
    let is_taker = order
        .taker
        .as_ref()
        .is_some_and(|p| p.trade_pubkey == sender);
    match order.status {
        Status::Canceled | Status::CooperativelyCanceled | Status::CanceledByAdmin => {
            Err(Refusal::CantDo(CantDoReason::OrderAlreadyCanceled))
        }
        Status::Pending | Status::WaitingTakerBond => {
            if !is_maker {
                return Err(Refusal::CantDo(CantDoReason::IsNotYourOrder));
            }
            Ok(cancel_order(order, request.request_id, false))
        }
        Status::WaitingPayment | Status::WaitingBuyerInvoice => {
            if is_maker {
                Ok(cancel_order(order, request.request_id, true))
            } else if is_taker {
                Ok(reset_to_pending(order, request.request_id))
            } else {
                Err(Refusal::CantDo(CantDoReason::InvalidPubkey))
            }
        }
        Status::Active | Status::FiatSent | Status::Dispute => {
            if !(is_maker || is_taker) {
                return Err(Refusal::CantDo(CantDoReason::InvalidPubkey));
            }
            cooperative(order, request, ctx)
        }
        _ => Err(Refusal::CantDo(CantDoReason::NotAllowedByStatus)),
    }
}

/// `canceled` for the whole order: escrow canceled if any, everybody involved told,
/// published `canceled`. The sender's copy (the maker's) echoes `request_id`.
pub(crate) fn cancel_order(order: &Order, request_id: Option<u64>, tell_taker: bool) -> Transition {
    let mut next = order.clone();
    next.status = Status::Canceled;
    let mut t = Transition::from(order, next);
    if let Some(hold) = &order.hold_invoice {
        t.effects
            .push(Effect::CancelHoldInvoice { hash: hold.hash });
    }
    let maker = t.order.maker.clone();
    t.outbox.push(
        Direct::to(&maker, &t.order, Action::Canceled)
            .request_id(request_id)
            .build(),
    );
    if tell_taker {
        if let Some(taker) = t.order.taker.clone() {
            t.outbox
                .push(Direct::to(&taker, &t.order, Action::Canceled).build());
        }
    }
    t.publish(Bucket::Canceled);
    t
}

/// Puts a taken order back in the book: escrow canceled, taker and trade data cleared
/// (market orders lose their quote; a range its slice), a taker-supplied invoice
/// dropped but a maker-supplied one kept (§11.33 fix). The taker gets `canceled`, the
/// maker `new-order` with the refreshed order; published `pending`.
pub(crate) fn reset_to_pending(order: &Order, request_id: Option<u64>) -> Transition {
    let mut next = order.clone();
    next.status = Status::Pending;
    next.taker = None;
    next.hold_invoice = None;
    next.hold_request_id = None;
    next.taken_at = None;
    next.payout = Payout::NotStarted;
    next.cancel_initiator = None;
    next.next_trade = None;
    next.dev_fee = 0;
    if next.pricing == Pricing::Market {
        next.amount = 0;
        next.fee = 0;
    }
    if next.is_range() {
        next.fiat_amount = 0;
    }
    if !next.buyer_invoice_from_maker {
        next.buyer_invoice = None;
    }
    let mut t = Transition::from(order, next);
    if let Some(hold) = &order.hold_invoice {
        t.effects
            .push(Effect::CancelHoldInvoice { hash: hold.hash });
    }
    if let Some(taker) = &order.taker {
        t.outbox.push(
            Direct::to(taker, &t.order, Action::Canceled)
                .request_id(request_id)
                .build(),
        );
    }
    let maker = t.order.maker.clone();
    let view = maker_view(&t.order);
    t.outbox.push(
        Direct::to(&maker, &t.order, Action::NewOrder)
            .request_id(request_id)
            .payload(Payload::Order(view))
            .build(),
    );
    t.publish(Bucket::Pending);
    t
}

/// Cooperative cancel of a running trade: the first request records the initiator, the
/// other party's confirms it and refunds the seller.
fn cooperative(order: &Order, request: &Request, ctx: &Ctx<'_>) -> Result<Transition, Refusal> {
    let sender = request.sender;
    let counterpart = [order.seller(), order.buyer()]
        .into_iter()
        .flatten()
        .find(|p| p.trade_pubkey != sender)
        .cloned();
    let Some(counterpart) = counterpart else {
        return Err(Refusal::CantDo(CantDoReason::InvalidPubkey));
    };
    let sender_party = [order.seller(), order.buyer()]
        .into_iter()
        .flatten()
        .find(|p| p.trade_pubkey == sender)
        .cloned();
    let Some(sender_party) = sender_party else {
        return Err(Refusal::CantDo(CantDoReason::InvalidPubkey));
    };
    match order.cancel_initiator {
        None => {
            let mut next = order.clone();
            next.cancel_initiator = Some(sender);
            let mut t = Transition::from(order, next);
            t.outbox.push(
                Direct::to(
                    &sender_party,
                    &t.order,
                    Action::CooperativeCancelInitiatedByYou,
                )
                .request_id(request.request_id)
                .build(),
            );
            t.outbox.push(
                Direct::to(
                    &counterpart,
                    &t.order,
                    Action::CooperativeCancelInitiatedByPeer,
                )
                .build(),
            );
            Ok(t)
        }
        Some(initiator) if initiator == sender => Err(Refusal::CantDo(CantDoReason::InvalidPubkey)),
        Some(_) => {
            let mut next = order.clone();
            next.status = Status::CooperativelyCanceled;
            let mut t = Transition::from(order, next);
            // An open dispute ends with the seller refunded (§5.10).
            dispute::close_by_parties(&mut t, order, ctx, DisputeStatus::SellerRefunded);
            if let Some(hold) = &order.hold_invoice {
                t.effects
                    .push(Effect::CancelHoldInvoice { hash: hold.hash });
            }
            t.outbox.push(
                Direct::to(&sender_party, &t.order, Action::CooperativeCancelAccepted)
                    .request_id(request.request_id)
                    .build(),
            );
            t.outbox.push(
                Direct::to(&counterpart, &t.order, Action::CooperativeCancelAccepted).build(),
            );
            t.publish(Bucket::Canceled);
            Ok(t)
        }
    }
}
