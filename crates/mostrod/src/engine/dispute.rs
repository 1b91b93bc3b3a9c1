//! Disputes opened by a party (PROTOCOL.md §5.10 `dispute`) or by the escrow deadline
//! guard (§5.13), and closed when the parties settle it themselves (§5.7 `release`,
//! §5.9 cooperative cancel).

use mostro_protocol::action::Action;
use mostro_protocol::cant_do::CantDoReason;
use mostro_protocol::payload::Payload;
use mostro_protocol::status::{DisputeStatus, Status};
use nostr::types::Timestamp;
use uuid::Uuid;

use crate::model::{Dispute, Order, Side};

use super::input::{Ctx, Request};
use super::messages::Direct;
use super::output::{Refusal, Transition};

/// `dispute` from the buyer or the seller of an `active`/`fiat-sent` trade. An order
/// that already has a dispute row (in any status) is ignored silently; that check
/// comes first.
pub(crate) fn dispute(
    order: &Order,
    request: &Request,
    ctx: &Ctx<'_>,
    now: Timestamp,
) -> Result<Transition, Refusal> {
    if !ctx.dispute.disputes.is_empty() {
        return Err(Refusal::Silent("the order already has a dispute"));
    }
    let side = match (order.buyer(), order.seller()) {
        (Some(b), _) if b.trade_pubkey == request.sender => Side::Buyer,
        (_, Some(s)) if s.trade_pubkey == request.sender => Side::Seller,
        _ => return Err(Refusal::CantDo(CantDoReason::InvalidPubkey)),
    };
    if !matches!(order.status, Status::Active | Status::FiatSent) {
        return Err(Refusal::CantDo(CantDoReason::NotAllowedByStatus));
    }
    open(order, side, ctx.fresh_id, request.request_id, now)
}

/// Opens dispute `id` on `order` with `initiator`: order `dispute` (not republished),
/// the initiator told `dispute-initiated-by-you`, the counterpart
/// `dispute-initiated-by-peer` (both echo `request_id`), 38386 `initiated`.
pub(crate) fn open(
    order: &Order,
    initiator: Side,
    id: Uuid,
    request_id: Option<u64>,
    now: Timestamp,
) -> Result<Transition, Refusal> {
    let (Some(buyer), Some(seller)) = (order.buyer().cloned(), order.seller().cloned()) else {
        return Err(Refusal::Silent("dispute on an order without both parties"));
    };
    let (by_you, by_peer) = match initiator {
        Side::Buyer => (buyer, seller),
        Side::Seller => (seller, buyer),
    };
    let mut next = order.clone();
    next.status = Status::Dispute;
    let mut t = Transition::from(order, next);
    let payload = || Payload::Dispute(id, None);
    t.outbox.push(
        Direct::to(&by_you, &t.order, Action::DisputeInitiatedByYou)
            .request_id(request_id)
            .payload(payload())
            .build(),
    );
    t.outbox.push(
        Direct::to(&by_peer, &t.order, Action::DisputeInitiatedByPeer)
            .request_id(request_id)
            .payload(payload())
            .build(),
    );
    t.publish_dispute(Dispute {
        id,
        order_id: order.id,
        status: DisputeStatus::Initiated,
        order_previous_status: order.status,
        initiator,
        solver_pubkey: None,
        created_at: now,
        taken_at: None,
        last_event_at: None,
        solver_warned: false,
    });
    Ok(t)
}

/// Closes the open dispute of a disputed `order` with `status` (the parties resolved
/// it themselves): the row is updated and a 38386 revision queued. Nothing happens
/// when the order is not in dispute.
pub(crate) fn close_by_parties(
    t: &mut Transition,
    order: &Order,
    ctx: &Ctx<'_>,
    status: DisputeStatus,
) {
    if order.status != Status::Dispute {
        return;
    }
    if let Some(open) = ctx.dispute.open() {
        let mut closed = open.clone();
        closed.status = status;
        t.publish_dispute(closed);
    }
}
