//! `add-invoice` from the buyer (PROTOCOL.md §5.5).

use mostro_protocol::action::Action;
use mostro_protocol::cant_do::CantDoReason;
use mostro_protocol::payload::Payload;
use mostro_protocol::status::Status;
use nostr::types::Timestamp;

use crate::model::{Order, Payout};

use super::hold::{escrow_locked_messages, plan_hold_invoice};
use super::input::{Ctx, Request};
use super::messages::{taker_reputation_notice, Direct};
use super::output::{Decision, Refusal, Transition};

/// Handles `add-invoice`: the buyer's payout destination for a trade that waits for it
/// (`waiting-buyer-invoice`), or a replacement after failed payouts
/// (`settled-hold-invoice`, only while no payout is in flight).
pub(crate) fn add_invoice(
    order: &Order,
    request: &Request,
    ctx: &Ctx<'_>,
    now: Timestamp,
) -> Result<Decision, Refusal> {
    let Some(Payload::PaymentRequest(_, destination, _)) = &request.payload else {
        return Err(Refusal::Silent("add-invoice without payment_request"));
    };
    if order.buyer().map(|b| b.trade_pubkey) != Some(request.sender) {
        return Err(Refusal::CantDo(CantDoReason::InvalidPeer));
    }
    let replacing = match order.status {
        Status::WaitingBuyerInvoice => false,
        Status::SettledHoldInvoice => {
            if matches!(
                order.payout,
                Payout::InFlight { .. } | Payout::Succeeded { .. }
            ) {
                return Err(Refusal::CantDo(CantDoReason::NotAllowedByStatus));
            }
            true
        }
        _ => return Err(Refusal::CantDo(CantDoReason::NotAllowedByStatus)),
    };
    ctx.validator
        .validate(destination, Some(order.buyer_receives()), now)
        .map_err(|_| Refusal::CantDo(CantDoReason::InvalidInvoice))?;

    let mut next = order.clone();
    next.buyer_invoice = Some(destination.clone());
    next.buyer_invoice_from_maker = false;

    if replacing {
        // The retry counter restarts; the payout is due at once (next deadline = now).
        next.payout = Payout::NotStarted;
        let mut t = Transition::from(order, next);
        if let Some(buyer) = t.order.buyer().cloned() {
            let msg = Direct::to(&buyer, &t.order, Action::InvoiceUpdated)
                .request_id(request.request_id)
                .build();
            t.outbox.push(msg);
        }
        return Ok(Decision::Commit(t));
    }

    let escrow_held = next
        .hold_invoice
        .as_ref()
        .is_some_and(|h| h.held_at.is_some());
    if escrow_held {
        next.status = Status::Active;
        let mut t = Transition::from(order, next);
        let msgs = escrow_locked_messages(&t.order, request.request_id);
        t.outbox.extend(msgs);
        return Ok(Decision::Commit(t));
    }

    // Escrow not created yet (sell order): the seller (maker) first learns the
    // buyer-taker's reputation, then gets the hold invoice.
    let taker_user = next
        .taker
        .as_ref()
        .and_then(|p| ctx.user(&p.identity_pubkey));
    let notice = taker_reputation_notice(&next.maker, &next, Action::PayInvoice, taker_user, now);
    Ok(Decision::NeedsHoldInvoice(plan_hold_invoice(
        order.status,
        next,
        request,
        ctx,
        notice.into_iter().collect(),
        Vec::new(),
    )))
}
