//! The buyer payout: attempts, results and retries (PROTOCOL.md §5.7).
//!
//! Invariant: a payout starts only from `NotStarted` or a due `Failed`, and the record
//! says `InFlight` before the `PayBuyer` effect runs, so at most one payment per order
//! is ever in flight.

use mostro_protocol::action::Action;
use mostro_protocol::payload::{Payload, PaymentFailedInfo};
use mostro_protocol::status::Status;
use nostr::types::Timestamp;

use crate::lightning::max_routing_fee_sat;
use crate::model::{Order, Payout};

use super::after;
use super::input::Ctx;
use super::messages::{small_order, Direct, Shown};
use super::output::{Bucket, Effect, Refusal, Transition};

/// Attempts made so far, if a new attempt may start now.
fn startable(payout: &Payout, now: Timestamp) -> Option<u32> {
    match payout {
        Payout::NotStarted => Some(0),
        Payout::Failed {
            attempts,
            retry_at: Some(at),
            awaiting_new_invoice: false,
        } if *at <= now => Some(*attempts),
        _ => None,
    }
}

/// True when a payout attempt is due on this order at `now`.
pub(crate) fn due(order: &Order, now: Timestamp) -> bool {
    order.status == Status::SettledHoldInvoice && startable(&order.payout, now).is_some()
}

/// Starts the next attempt when one may start. Without a resolved invoice for the
/// current destination the attempt counts as failed if `missing_is_failure`, else the
/// payout stays due (the runtime resolves the destination and fires the deadline).
pub(crate) fn begin(t: &mut Transition, ctx: &Ctx<'_>, now: Timestamp, missing_is_failure: bool) {
    let Some(attempts) = startable(&t.order.payout, now) else {
        return;
    };
    let attempt = attempts.saturating_add(1);
    let resolved = ctx
        .payout
        .filter(|r| t.order.buyer_invoice.as_deref() == Some(r.destination.as_str()));
    match resolved {
        Some(r) => {
            t.order.payout = Payout::InFlight {
                payment_hash: r.payment_hash,
                attempt,
            };
            t.effects.push(Effect::PayBuyer {
                payment_hash: r.payment_hash,
                bolt11: r.bolt11.clone(),
                amount_sats: t.order.buyer_receives(),
                fee_limit_sats: max_routing_fee_sat(t.order.amount, ctx.settings.max_routing_fee),
                attempt,
            });
        }
        None if missing_is_failure => record_failure(t, attempt, ctx, now),
        None => {}
    }
}

/// The payout for `payment_hash` succeeded: `success`, buyer `purchase-completed` and
/// `rate`, published `success`. Anything else is a stale report.
pub(crate) fn succeeded(
    order: &Order,
    payment_hash: [u8; 32],
    routing_fee_sats: u64,
) -> Result<Transition, Refusal> {
    if !in_flight_for(order, payment_hash) {
        return Err(Refusal::Silent("payout result for no payout in flight"));
    }
    let mut next = order.clone();
    next.status = Status::Success;
    next.payout = Payout::Succeeded {
        payment_hash,
        routing_fee_sats,
    };
    let mut t = Transition::from(order, next);
    if let Some(buyer) = t.order.buyer().cloned() {
        t.outbox
            .push(Direct::to(&buyer, &t.order, Action::PurchaseCompleted).build());
        t.outbox
            .push(Direct::to(&buyer, &t.order, Action::Rate).build());
    }
    t.publish(Bucket::Success);
    Ok(t)
}

/// The payout for `payment_hash` failed for good.
pub(crate) fn failed(
    order: &Order,
    payment_hash: [u8; 32],
    ctx: &Ctx<'_>,
    now: Timestamp,
) -> Result<Transition, Refusal> {
    let Payout::InFlight { attempt, .. } = order.payout else {
        return Err(Refusal::Silent("payout failure for no payout in flight"));
    };
    if !in_flight_for(order, payment_hash) {
        return Err(Refusal::Silent("payout failure for another payment"));
    }
    let mut t = Transition::from(order, order.clone());
    record_failure(&mut t, attempt, ctx, now);
    Ok(t)
}

fn in_flight_for(order: &Order, hash: [u8; 32]) -> bool {
    order.status == Status::SettledHoldInvoice
        && matches!(order.payout, Payout::InFlight { payment_hash, .. } if payment_hash == hash)
}

/// Records failed attempt number `attempt`: `payment-failed` after the first, a retry
/// after `payment_retries_interval`, or, once attempts are exhausted, `add-invoice`
/// asking the buyer for a new invoice.
fn record_failure(t: &mut Transition, attempt: u32, ctx: &Ctx<'_>, now: Timestamp) {
    let settings = ctx.settings;
    let exhausted = attempt >= settings.payment_attempts;
    t.order.payout = Payout::Failed {
        attempts: attempt,
        retry_at: (!exhausted).then(|| after(now, u64::from(settings.payment_retries_interval))),
        awaiting_new_invoice: exhausted,
    };
    let Some(buyer) = t.order.buyer().cloned() else {
        return;
    };
    if attempt == 1 {
        let info = PaymentFailedInfo {
            payment_attempts: settings.payment_attempts.saturating_sub(1),
            payment_retries_interval: settings.payment_retries_interval,
        };
        t.outbox.push(
            Direct::to(&buyer, &t.order, Action::PaymentFailed)
                .payload(Payload::PaymentFailed(info))
                .build(),
        );
    }
    if exhausted {
        let view = small_order(&t.order, Shown::BuyerReceives, false);
        t.outbox.push(
            Direct::to(&buyer, &t.order, Action::AddInvoice)
                .payload(Payload::Order(view))
                .build(),
        );
    }
}
