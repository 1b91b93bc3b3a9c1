//! Solver actions on a dispute (PROTOCOL.md §5.10): `admin-take-dispute`,
//! `admin-settle` and `admin-cancel`, and the forced refund of a dispute still open at
//! the escrow deadline (§5.13 extension, see [`super::deadline`]).
//!
//! Solvers are identified by their **identity** key. The node key may take and resolve
//! any dispute; a registered solver needs `read-write` rights to settle or cancel.

use mostro_protocol::action::Action;
use mostro_protocol::cant_do::CantDoReason;
use mostro_protocol::message::MessageKind;
use mostro_protocol::payload::{Payload, Peer};
use mostro_protocol::status::{DisputeStatus, Status};
use nostr::key::PublicKey;
use nostr::types::Timestamp;

use crate::model::{Dispute, Order, Payout, SolverRole, Transport};

use super::input::{Ctx, Request};
use super::messages::Direct;
use super::output::{Bucket, Effect, Outgoing, Refusal, Transition};
use super::payout;
use super::solver_messages::{
    blocks_left, deadline_text, note, solver_dispute_info, to_solver, tokens_text,
};

/// True when `identity` may take `dispute` now.
fn may_take(dispute: &Dispute, identity: &PublicKey, ctx: &Ctx<'_>) -> bool {
    let facts = &ctx.dispute;
    if facts.is_node(identity) {
        return matches!(
            dispute.status,
            DisputeStatus::Initiated | DisputeStatus::InProgress
        );
    }
    let Some(solver) = facts.solver(identity) else {
        return false;
    };
    match dispute.status {
        DisputeStatus::Initiated => true,
        DisputeStatus::InProgress => {
            let assigned = dispute.solver_pubkey;
            let assigned_read_only = assigned
                .and_then(|k| facts.solver(&k))
                .is_some_and(|s| s.role == SolverRole::Read);
            assigned == Some(*identity)
                || (solver.role == SolverRole::ReadWrite && assigned_read_only)
        }
        _ => false,
    }
}

/// `admin-take-dispute`: the message `id` is the dispute id (the runtime routed it to
/// the dispute's order). The solver gets the dispute context, both parties
/// `admin-took-dispute` with the solver's key, 38386 `in-progress`; then the solver
/// gets the per-side tokens and the escrow deadline as `send-dm` notes.
pub(crate) fn take_dispute(
    order: &Order,
    request: &Request,
    ctx: &Ctx<'_>,
    now: Timestamp,
) -> Result<Transition, Refusal> {
    let Some(dispute) = ctx
        .dispute
        .disputes
        .iter()
        .find(|d| Some(d.id) == request.order_id && d.order_id == order.id)
    else {
        return Err(Refusal::Silent("unknown dispute id"));
    };
    let solver = request.identity;
    if !may_take(dispute, &solver, ctx) {
        return Err(Refusal::CantDo(CantDoReason::InvalidPubkey));
    }
    let margin = ctx.settings.escrow_deadline_margin_blocks;
    let blocks = blocks_left(order, ctx.chain_height);
    let mut taken = dispute.clone();
    taken.status = DisputeStatus::InProgress;
    taken.solver_pubkey = Some(solver);
    taken.taken_at = Some(now);
    // The take-time warning already covers the "twice the margin" one.
    taken.solver_warned = blocks.is_some_and(|b| b <= margin.saturating_mul(2));

    let mut t = Transition::from(order, order.clone());
    let info = solver_dispute_info(order, &taken, ctx, now);
    let to_solver_kind = MessageKind::new(Action::AdminTookDispute)
        .with_id(taken.id)
        .with_request_id(request.request_id)
        .with_payload(Payload::Dispute(taken.id, Some(info)));
    t.outbox
        .push(to_solver(solver, request.transport, to_solver_kind));
    for party in [order.buyer(), order.seller()].into_iter().flatten() {
        t.outbox.push(
            Direct::to(party, order, Action::AdminTookDispute)
                .request_id(request.request_id)
                .payload(Payload::Peer(Peer::new(solver.to_hex())))
                .build(),
        );
    }
    let dispute_id = taken.id;
    t.publish_dispute(taken);
    if let Some(tokens) = ctx.dispute.tokens.filter(|k| k.dispute_id == dispute_id) {
        t.outbox.push(note(
            solver,
            request.transport,
            dispute_id,
            tokens_text(tokens),
        ));
    }
    if let Some(blocks) = blocks {
        let text = deadline_text(dispute_id, blocks, margin);
        t.outbox
            .push(note(solver, request.transport, dispute_id, text));
    }
    Ok(t)
}

/// Which resolution a solver asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resolution {
    /// `admin-settle`: the buyer is paid.
    Settle,
    /// `admin-cancel`: the seller is refunded.
    Cancel,
}

/// `admin-settle` / `admin-cancel` from the solver holding the order's dispute.
pub(crate) fn resolve(
    order: &Order,
    request: &Request,
    ctx: &Ctx<'_>,
    now: Timestamp,
    resolution: Resolution,
) -> Result<Transition, Refusal> {
    authorize(request, ctx)?;
    if order.status == Status::CooperativelyCanceled {
        let mut t = Transition::from(order, order.clone());
        t.outbox.push(
            Direct::to_key(
                request.identity,
                request.transport,
                order,
                Action::CooperativeCancelAccepted,
            )
            .request_id(request.request_id)
            .build(),
        );
        return Ok(t);
    }
    if order.status != Status::Dispute {
        return Err(Refusal::CantDo(match resolution {
            Resolution::Settle => CantDoReason::InvalidOrderStatus,
            Resolution::Cancel => CantDoReason::NotAllowedByStatus,
        }));
    }
    match &request.payload {
        None => {}
        // Bonds are off on this node: no side has a bond to slash.
        Some(Payload::BondResolution(b)) if b.slash_buyer || b.slash_seller => {
            return Err(Refusal::CantDo(CantDoReason::InvalidPayload));
        }
        Some(Payload::BondResolution(_)) => {}
        Some(_) => return Err(Refusal::Silent("unexpected payload")),
    }
    let Some(open) = ctx.dispute.open() else {
        return Err(Refusal::Silent("disputed order without an open dispute"));
    };
    let solver = Recipient {
        key: request.sender,
        transport: request.transport,
    };
    match resolution {
        Resolution::Settle => settle(order, open, request, solver, ctx, now),
        Resolution::Cancel => Ok(refund_seller(
            order,
            open,
            Some(solver),
            request.request_id,
            request.trade_index,
        )),
    }
}

/// Checks that the request's identity holds the order's dispute with write rights.
fn authorize(request: &Request, ctx: &Ctx<'_>) -> Result<(), Refusal> {
    let facts = &ctx.dispute;
    let identity = request.identity;
    let assigned = facts.latest().and_then(|d| d.solver_pubkey);
    match assigned {
        Some(key) if key == identity => {
            if facts.is_node(&identity) {
                return Ok(());
            }
            match facts.solver(&identity).map(|s| s.role) {
                Some(SolverRole::ReadWrite) => Ok(()),
                // Read-only, or no longer registered.
                Some(SolverRole::Read) | None => Err(Refusal::CantDo(CantDoReason::NotAuthorized)),
            }
        }
        Some(key) if facts.is_node(&key) => Err(Refusal::CantDo(CantDoReason::DisputeTakenByAdmin)),
        _ => Err(Refusal::CantDo(CantDoReason::IsNotYourDispute)),
    }
}

/// A solver's key and transport for its copy of a resolution message.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Recipient {
    /// The key the solver wrote from.
    pub(crate) key: PublicKey,
    /// Its transport.
    pub(crate) transport: Transport,
}

/// `admin-settle`: escrow settled, `settled-hold-invoice`, dispute `settled`,
/// `admin-settled` to solver (echoing `request_id`), seller and buyer (all echo
/// `trade_index`), then the buyer payout of §5.7.
fn settle(
    order: &Order,
    open: &Dispute,
    request: &Request,
    solver: Recipient,
    ctx: &Ctx<'_>,
    now: Timestamp,
) -> Result<Transition, Refusal> {
    let Some(hold) = order.hold_invoice.clone() else {
        return Err(Refusal::Silent("disputed order without escrow"));
    };
    let mut next = order.clone();
    next.status = Status::SettledHoldInvoice;
    next.payout = Payout::NotStarted;
    let mut t = Transition::from(order, next);
    t.effects.push(Effect::SettleHoldInvoice {
        hash: hold.hash,
        preimage: hold.preimage,
    });
    let mut settled = open.clone();
    settled.status = DisputeStatus::Settled;
    t.publish_dispute(settled);
    t.outbox.push(
        Direct::to_key(solver.key, solver.transport, &t.order, Action::AdminSettled)
            .request_id(request.request_id)
            .trade_index(request.trade_index)
            .build(),
    );
    let parties: Vec<_> = [t.order.seller(), t.order.buyer()]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    for party in &parties {
        t.outbox.push(
            Direct::to(party, &t.order, Action::AdminSettled)
                .trade_index(request.trade_index)
                .build(),
        );
    }
    payout::begin(&mut t, ctx, now, false);
    Ok(t)
}

/// Refunds the seller of a disputed order: escrow canceled, dispute
/// `seller-refunded`, order `canceled-by-admin` (published `canceled`), one identical
/// `admin-canceled` to the solver (if any), the seller and the buyer.
pub(crate) fn refund_seller(
    order: &Order,
    open: &Dispute,
    solver: Option<Recipient>,
    request_id: Option<u64>,
    trade_index: Option<i64>,
) -> Transition {
    let mut next = order.clone();
    next.status = Status::CanceledByAdmin;
    let mut t = Transition::from(order, next);
    if let Some(hold) = &order.hold_invoice {
        t.effects
            .push(Effect::CancelHoldInvoice { hash: hold.hash });
    }
    let mut refunded = open.clone();
    refunded.status = DisputeStatus::SellerRefunded;
    t.publish_dispute(refunded);
    let mut recipients: Vec<(PublicKey, Transport)> = Vec::new();
    recipients.extend(solver.map(|s| (s.key, s.transport)));
    for party in [t.order.seller(), t.order.buyer()].into_iter().flatten() {
        recipients.push((party.trade_pubkey, party.transport));
    }
    for (key, transport) in recipients {
        t.outbox.push(
            Direct::to_key(key, transport, &t.order, Action::AdminCanceled)
                .request_id(request_id)
                .trade_index(trade_index)
                .build(),
        );
    }
    t.publish(Bucket::Canceled);
    t
}

/// The solver's escrow-deadline warning as a `send-dm` note, if it can be written.
pub(crate) fn deadline_warning(order: &Order, open: &Dispute, ctx: &Ctx<'_>) -> Option<Outgoing> {
    let solver = open.solver_pubkey?;
    let blocks = blocks_left(order, ctx.chain_height)?;
    let text = deadline_text(open.id, blocks, ctx.settings.escrow_deadline_margin_blocks);
    // The solver's transport is not recorded; v2 is the current one.
    Some(note(solver, Transport::Nip44, open.id, text))
}
