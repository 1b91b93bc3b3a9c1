//! The trade engine: the order state machine, sans-IO.
//!
//! Every step is a pure function of the order record, one [`Input`], the facts the
//! runtime gathered ([`Ctx`]) and `now`. It returns a [`Refusal`] or a [`Decision`]:
//! either a [`Transition`] to commit (next record, outbox, Lightning effects, user
//! rows, new orders) or a [`HoldInvoicePlan`] when a hold invoice must exist first,
//! finished by [`complete_hold_invoice`]. The engine performs no I/O, reads no clock
//! and draws no randomness: new ids and preimages come in through the inputs.
//!
//! Status changes follow the single table in [`transitions`]; the store checks every
//! write against [`transitions::check_transition`].
//!
//! Session actions that need no order lock are separate functions: [`new_order`],
//! [`session::orders`], [`session::last_trade_index`], [`session::restore_session`],
//! and [`add_solver`].

mod add_solver;
mod admin;
mod cancel;
mod deadline;
mod dispute;
pub mod fees;
mod hold;
mod input;
mod invoice;
mod messages;
mod new_order;
mod output;
mod payout;
mod rate;
mod rekey;
pub mod session;
mod settings;
mod solver_messages;
mod take;
mod trade;
mod trade_index;
pub mod transitions;

use mostro_protocol::action::Action;
use mostro_protocol::cant_do::CantDoReason;
use nostr::types::Timestamp;

use crate::model::Order;

pub use add_solver::add_solver;
pub use deadline::next_deadline;
pub use hold::complete_hold_invoice;
pub use input::{
    Bolt11Validator, Ctx, DisputeFacts, DisputeTokens, Input, InvoiceRefused, PayoutValidator,
    PriceQuote, Request, ResolvedPayout,
};
pub use new_order::new_order;
pub use output::{
    Bucket, CreatedHoldInvoice, Decision, Effect, HoldInvoicePlan, Outgoing, Refusal, Transition,
};
pub use settings::{EngineSettings, FiatBounds};

/// `now + secs`, saturating.
pub(crate) fn after(now: Timestamp, secs: u64) -> Timestamp {
    Timestamp::from_secs(now.as_secs().saturating_add(secs))
}

/// Applies one input to `order`.
pub fn handle(
    order: &Order,
    input: Input,
    ctx: &Ctx<'_>,
    now: Timestamp,
) -> Result<Decision, Refusal> {
    let commit = |t: Transition| Decision::Commit(t);
    match input {
        Input::Request(request) => handle_request(order, &request, ctx, now),
        Input::HoldInvoiceAccepted { htlc_expiry_height } => {
            hold::accepted(order, htlc_expiry_height, ctx, now).map(commit)
        }
        Input::HoldInvoiceCanceled => hold::canceled(order).map(commit),
        Input::PayoutSucceeded {
            payment_hash,
            routing_fee_sats,
        } => payout::succeeded(order, payment_hash, routing_fee_sats).map(commit),
        Input::PayoutFailed { payment_hash } => {
            payout::failed(order, payment_hash, ctx, now).map(commit)
        }
        Input::Deadline => deadline::deadline(order, ctx, now).map(commit),
    }
}

fn handle_request(
    order: &Order,
    request: &Request,
    ctx: &Ctx<'_>,
    now: Timestamp,
) -> Result<Decision, Refusal> {
    // The only order-scoped action whose `id` is not the order's: the runtime routed
    // it here by its dispute id.
    if request.action == Action::AdminTakeDispute {
        return admin::take_dispute(order, request, ctx, now).map(Decision::Commit);
    }
    if request.order_id != Some(order.id) {
        return Err(Refusal::CantDo(CantDoReason::NotFound));
    }
    let commit = |t: Transition| Decision::Commit(t);
    match request.action {
        Action::TakeSell | Action::TakeBuy => take::take(order, request, ctx, now),
        Action::AddInvoice => invoice::add_invoice(order, request, ctx, now),
        Action::FiatSent => trade::fiat_sent(order, request).map(commit),
        Action::Release => trade::release(order, request, ctx, now).map(commit),
        Action::Cancel => cancel::cancel(order, request, ctx).map(commit),
        Action::RateUser => rate::rate_user(order, request, ctx, now).map(commit),
        Action::TradePubkey => rekey::trade_pubkey(order, request).map(commit),
        Action::PayInvoice => Err(Refusal::CantDo(CantDoReason::InvalidAction)),
        Action::Dispute => dispute::dispute(order, request, ctx, now).map(commit),
        Action::AdminSettle => {
            admin::resolve(order, request, ctx, now, admin::Resolution::Settle).map(commit)
        }
        Action::AdminCancel => {
            admin::resolve(order, request, ctx, now, admin::Resolution::Cancel).map(commit)
        }
        // Handled before the id check above.
        Action::AdminTakeDispute => Err(Refusal::Silent("admin-take-dispute misrouted")),
        // Concerns no order: answered by [`add_solver`] without an order lock.
        Action::AdminAddSolver => Err(Refusal::Silent("admin-add-solver routed to an order")),
        // Bonds and Cashu escrow are optional modes this node does not run.
        Action::PayBondInvoice
        | Action::AddBondInvoice
        | Action::AddCashuEscrow
        | Action::CashuPmSignature => Err(Refusal::Silent("unsupported: bonds and cashu are off")),
        // Session actions are answered without an order (see the module docs).
        Action::NewOrder | Action::Orders | Action::RestoreSession | Action::LastTradeIndex => {
            Err(Refusal::Silent("session action routed to an order"))
        }
        // Replies Mostro sends and actions it ignores.
        Action::FiatSentOk
        | Action::Released
        | Action::Canceled
        | Action::CooperativeCancelInitiatedByYou
        | Action::CooperativeCancelInitiatedByPeer
        | Action::DisputeInitiatedByYou
        | Action::DisputeInitiatedByPeer
        | Action::CooperativeCancelAccepted
        | Action::BuyerInvoiceAccepted
        | Action::BondInvoiceAccepted
        | Action::PurchaseCompleted
        | Action::BondPayoutCompleted
        | Action::BondSlashed
        | Action::HoldInvoicePaymentAccepted
        | Action::HoldInvoicePaymentSettled
        | Action::HoldInvoicePaymentCanceled
        | Action::WaitingSellerToPay
        | Action::WaitingBuyerInvoice
        | Action::BuyerTookOrder
        | Action::Rate
        | Action::RateReceived
        | Action::CantDo
        | Action::AdminCanceled
        | Action::AdminSettled
        | Action::AdminTookDispute
        | Action::PaymentFailed
        | Action::InvoiceUpdated
        | Action::SendDm
        | Action::CashuEscrowLocked => Err(Refusal::Silent("not a request Mostro handles")),
    }
}
