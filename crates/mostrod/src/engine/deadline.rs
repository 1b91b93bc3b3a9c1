//! Timer-driven transitions (PROTOCOL.md §5.13): pending expiry, waiting-step timeouts,
//! the escrow deadline guard and payout retries.
//!
//! The engine never reads the clock: the runtime keeps each order's
//! [`next_deadline`] in a queue and feeds [`super::Input::Deadline`] when it passes
//! (and, for `active`, `fiat-sent` and `dispute` trades, whenever the chain height
//! moves near the escrow expiry); the engine decides from the record, the chain
//! height and `now` what, if anything, is due.

use mostro_protocol::order::Kind;
use mostro_protocol::status::Status;
use nostr::types::Timestamp;

use crate::model::{Order, Payout, Side, Transport};

use super::admin::{deadline_warning, refund_seller, Recipient};
use super::cancel::{cancel_order, reset_to_pending};
use super::input::Ctx;
use super::output::{Bucket, Refusal, Transition};
use super::settings::EngineSettings;
use super::{after, dispute, payout};

/// When the order next needs a [`super::Input::Deadline`], if ever. `active` and
/// `fiat-sent` trades are guarded by chain height instead of time.
pub fn next_deadline(order: &Order, settings: &EngineSettings) -> Option<Timestamp> {
    match order.status {
        Status::Pending | Status::WaitingTakerBond | Status::WaitingMakerBond => {
            Some(order.expires_at)
        }
        Status::WaitingBuyerInvoice | Status::WaitingPayment => order
            .taken_at
            .map(|t| after(t, settings.expiration_seconds)),
        Status::SettledHoldInvoice => match order.payout {
            // Due at once: the runtime resolves the destination and fires.
            Payout::NotStarted => Some(order.taken_at.unwrap_or(order.created_at)),
            Payout::Failed {
                retry_at: Some(at),
                awaiting_new_invoice: false,
                ..
            } => Some(at),
            _ => None,
        },
        _ => None,
    }
}

/// Applies whatever is due on `order` at `now`.
pub(crate) fn deadline(
    order: &Order,
    ctx: &Ctx<'_>,
    now: Timestamp,
) -> Result<Transition, Refusal> {
    let settings = ctx.settings;
    match order.status {
        Status::Pending | Status::WaitingTakerBond | Status::WaitingMakerBond => {
            if now < order.expires_at {
                return Err(Refusal::Silent("take window still open"));
            }
            let mut next = order.clone();
            next.status = Status::Expired;
            let mut t = Transition::from(order, next);
            // Maker-bond orders were never published.
            if order.status != Status::WaitingMakerBond {
                t.publish(Bucket::Canceled);
            }
            Ok(t)
        }
        Status::WaitingBuyerInvoice | Status::WaitingPayment => {
            let due = order
                .taken_at
                .is_some_and(|t| after(t, settings.expiration_seconds) <= now);
            if !due {
                return Err(Refusal::Silent("waiting step still within its time"));
            }
            let taker_at_fault = matches!(
                (order.kind, order.status),
                (Kind::Sell, Status::WaitingBuyerInvoice) | (Kind::Buy, Status::WaitingPayment)
            );
            if taker_at_fault {
                Ok(reset_to_pending(order, None))
            } else {
                Ok(cancel_order(order, None, true))
            }
        }
        Status::Active => {
            if escrow_near_expiry(order, ctx) {
                Ok(cancel_order(order, None, true))
            } else {
                Err(Refusal::Silent("escrow far from its expiry"))
            }
        }
        // The buyer says it paid: nobody may be refunded or paid unheard, so a solver
        // decides (§5.13); the initiator is recorded as the buyer.
        Status::FiatSent => {
            if !escrow_within(order, ctx, ctx.settings.escrow_deadline_margin_blocks) {
                return Err(Refusal::Silent("escrow far from its expiry"));
            }
            if !ctx.dispute.disputes.is_empty() {
                return Err(Refusal::Silent("the order already has a dispute"));
            }
            dispute::open(order, Side::Buyer, ctx.fresh_id, None, now)
        }
        Status::Dispute => disputed(order, ctx),
        Status::SettledHoldInvoice => {
            if !payout::due(order, now) {
                return Err(Refusal::Silent("no payout attempt due"));
            }
            let mut t = Transition::from(order, order.clone());
            payout::begin(&mut t, ctx, now, true);
            Ok(t)
        }
        _ => Err(Refusal::Silent("nothing is ever due in this status")),
    }
}

/// The escrow guard of a disputed order (an extension of §5.13).
///
/// A held HTLC that reaches its CLTV expiry makes the seller's node force-close the
/// channel, so a dispute cannot be left open past the deadline. At
/// `escrow_deadline_margin_blocks` before the expiry the node refunds the seller as an
/// `admin-cancel` would: hold invoice canceled, dispute `seller-refunded`, order
/// `canceled-by-admin`, `admin-canceled` to the solver (if any), seller and buyer.
/// Refunding is the choice that moves no funds to anyone who has not already proven a
/// claim on them, and a solver warned in time can still settle first. The assigned
/// solver is warned when it takes the dispute and again once, when the expiry is
/// within twice the margin (recorded in the dispute row).
fn disputed(order: &Order, ctx: &Ctx<'_>) -> Result<Transition, Refusal> {
    let Some(open) = ctx.dispute.open() else {
        return Err(Refusal::Silent("disputed order without an open dispute"));
    };
    let margin = ctx.settings.escrow_deadline_margin_blocks;
    if escrow_within(order, ctx, margin) {
        let solver = open.solver_pubkey.map(|key| Recipient {
            key,
            // The solver's transport is not recorded; v2 is the current one.
            transport: Transport::Nip44,
        });
        return Ok(refund_seller(order, open, solver, None, None));
    }
    if open.solver_warned || !escrow_within(order, ctx, margin.saturating_mul(2)) {
        return Err(Refusal::Silent("no dispute deadline warning due"));
    }
    let Some(warning) = deadline_warning(order, open, ctx) else {
        return Err(Refusal::Silent("no solver to warn of the deadline"));
    };
    let mut warned = open.clone();
    warned.solver_warned = true;
    let mut t = Transition::from(order, order.clone());
    t.dispute_resolution = Some(warned);
    t.outbox.push(warning);
    Ok(t)
}

/// True when the escrow HTLC expires within `margin` blocks of the current chain
/// height.
fn escrow_within(order: &Order, ctx: &Ctx<'_>, margin: u32) -> bool {
    let expiry = order
        .hold_invoice
        .as_ref()
        .and_then(|h| h.htlc_expiry_height);
    match (expiry, ctx.chain_height) {
        (Some(expiry), Some(height)) => height.saturating_add(margin) >= expiry,
        _ => false,
    }
}

/// True when the escrow HTLC expires within `escrow_deadline_margin_blocks`.
fn escrow_near_expiry(order: &Order, ctx: &Ctx<'_>) -> bool {
    escrow_within(order, ctx, ctx.settings.escrow_deadline_margin_blocks)
}
