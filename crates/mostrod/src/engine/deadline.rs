//! Timer-driven transitions (PROTOCOL.md §5.13): pending expiry, waiting-step timeouts,
//! the escrow deadline guard and payout retries.
//!
//! The engine never reads the clock: the runtime keeps each order's
//! [`next_deadline`] in a queue and feeds [`super::Input::Deadline`] when it passes
//! (and, for `active` trades, whenever the chain height moves); the engine decides from
//! the record and `now` what, if anything, is due.

use mostro_protocol::order::Kind;
use mostro_protocol::status::Status;
use nostr::types::Timestamp;

use crate::model::{Order, Payout};

use super::cancel::{cancel_order, reset_to_pending};
use super::input::Ctx;
use super::output::{Bucket, Refusal, Transition};
use super::settings::EngineSettings;
use super::{after, payout};

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
        // At the escrow deadline a fiat-sent trade goes to dispute; disputes are a later
        // step of the engine, so the guard only reports for now.
        Status::FiatSent => Err(Refusal::Silent("escrow guard for fiat-sent needs disputes")),
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

/// True when the escrow HTLC expires within `escrow_deadline_margin_blocks` of the
/// current chain height.
fn escrow_near_expiry(order: &Order, ctx: &Ctx<'_>) -> bool {
    let expiry = order
        .hold_invoice
        .as_ref()
        .and_then(|h| h.htlc_expiry_height);
    match (expiry, ctx.chain_height) {
        (Some(expiry), Some(height)) => {
            height.saturating_add(ctx.settings.escrow_deadline_margin_blocks) >= expiry
        }
        _ => false,
    }
}
