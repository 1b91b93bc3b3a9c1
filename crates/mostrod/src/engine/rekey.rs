//! `trade-pubkey` (PROTOCOL.md §5.11): a maker moves a not-yet-taken order to a new
//! trade key.

use mostro_protocol::action::Action;
use mostro_protocol::cant_do::CantDoReason;
use mostro_protocol::status::Status;

use crate::model::Order;

use super::input::Request;
use super::messages::Direct;
use super::output::{Refusal, Transition};

/// Handles `trade-pubkey`, sent from the new key with the maker's identity.
pub(crate) fn trade_pubkey(order: &Order, request: &Request) -> Result<Transition, Refusal> {
    if !matches!(order.status, Status::Pending | Status::WaitingTakerBond) {
        return Err(Refusal::CantDo(CantDoReason::InvalidOrderStatus));
    }
    if request.identity != order.maker.identity_pubkey || request.full_privacy() {
        return Err(Refusal::Silent("trade-pubkey from a non-maker identity"));
    }
    let mut next = order.clone();
    next.maker.trade_pubkey = request.sender;
    next.maker.transport = request.transport;
    let mut t = Transition::from(order, next);
    let ack = Direct::to(&t.order.maker, &t.order, Action::TradePubkey)
        .request_id(request.request_id)
        .build();
    t.outbox.push(ack);
    Ok(t)
}
