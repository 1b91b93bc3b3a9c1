//! What the solver is sent: the dispute context (`SolverDisputeInfo`, PROTOCOL.md §3.3)
//! and plain-text `send-dm` notes (per-side tokens, escrow deadline warnings).

use mostro_protocol::action::Action;
use mostro_protocol::message::{Message, MessageKind};
use mostro_protocol::payload::{Payload, SolverDisputeInfo};
use nostr::key::PublicKey;
use nostr::types::Timestamp;
use uuid::Uuid;

use crate::model::{Dispute, Order, Payout, Side, Transport};

use super::input::{Ctx, DisputeTokens};
use super::messages::user_info;
use super::output::Outgoing;

/// Minutes per block used for the approximate time left (bitcoin's target spacing).
const MINUTES_PER_BLOCK: u64 = 10;

fn secs_i64(t: Option<Timestamp>) -> i64 {
    t.map_or(0, |t| i64::try_from(t.as_secs()).unwrap_or(i64::MAX))
}

fn sats_i64(sats: u64) -> i64 {
    i64::try_from(sats).unwrap_or(i64::MAX)
}

/// The dispute context handed to the solver who took `dispute` (fields in spec order).
/// Reputations come from the parties' identity rows; full-privacy parties have none.
pub(crate) fn solver_dispute_info(
    order: &Order,
    dispute: &Dispute,
    ctx: &Ctx<'_>,
    now: Timestamp,
) -> SolverDisputeInfo {
    let buyer = order.buyer();
    let seller = order.seller();
    let (initiator, counterpart) = match dispute.initiator {
        Side::Buyer => (buyer, seller),
        Side::Seller => (seller, buyer),
    };
    let info = |party: Option<&crate::model::Party>| {
        party
            .filter(|p| !p.full_privacy())
            .and_then(|p| ctx.user(&p.identity_pubkey))
            .map(|u| user_info(u, now))
    };
    let hold = order.hold_invoice.as_ref();
    let routing_fee = match order.payout {
        Payout::Succeeded {
            routing_fee_sats, ..
        } => routing_fee_sats,
        _ => 0,
    };
    SolverDisputeInfo {
        id: order.id,
        kind: order.kind.to_string(),
        status: order.status.to_string(),
        hash: hold.map(|h| hex::encode(h.hash)),
        preimage: hold.map(|h| hex::encode(h.preimage)),
        order_previous_status: dispute.order_previous_status.to_string(),
        initiator_pubkey: initiator
            .map(|p| p.trade_pubkey.to_hex())
            .unwrap_or_default(),
        buyer_pubkey: buyer.map(|p| p.trade_pubkey.to_hex()),
        seller_pubkey: seller.map(|p| p.trade_pubkey.to_hex()),
        initiator_full_privacy: initiator.is_some_and(|p| p.full_privacy()),
        counterpart_full_privacy: counterpart.is_some_and(|p| p.full_privacy()),
        initiator_info: info(initiator),
        counterpart_info: info(counterpart),
        premium: order.premium,
        payment_method: order.payment_method.clone(),
        amount: sats_i64(order.amount),
        fiat_amount: order.fiat_amount,
        fee: sats_i64(order.fee),
        routing_fee: sats_i64(routing_fee),
        buyer_invoice: order.buyer_invoice.clone(),
        invoice_held_at: secs_i64(hold.and_then(|h| h.held_at)),
        taken_at: secs_i64(order.taken_at),
        created_at: secs_i64(Some(order.created_at)),
    }
}

/// A message under the `dispute` wrapper to a solver's identity key.
pub(crate) fn to_solver(to: PublicKey, transport: Transport, kind: MessageKind) -> Outgoing {
    Outgoing::Direct {
        to,
        transport,
        message: Message::Dispute(kind.with_version(transport.version())),
    }
}

/// A `send-dm` note (`{"text_message": …}`, `dm` wrapper, `id` = dispute id).
pub(crate) fn note(
    to: PublicKey,
    transport: Transport,
    dispute_id: Uuid,
    text: String,
) -> Outgoing {
    let kind = MessageKind::new(Action::SendDm)
        .with_version(transport.version())
        .with_id(dispute_id)
        .with_payload(Payload::TextMessage(text));
    Outgoing::Direct {
        to,
        transport,
        message: Message::Dm(kind),
    }
}

/// The tokens note: each party's six-digit code, for the solver to quote to that party
/// only (docs/adr/0010-dispute-tokens.md).
pub(crate) fn tokens_text(tokens: &DisputeTokens) -> String {
    format!(
        "dispute {}: buyer token {}, seller token {}. Quote each party its own token \
         so it can check that you are the solver this node assigned.",
        tokens.dispute_id, tokens.buyer, tokens.seller
    )
}

/// Blocks left before the escrow HTLC expires, when both heights are known.
pub(crate) fn blocks_left(order: &Order, chain_height: Option<u32>) -> Option<u32> {
    let expiry = order.hold_invoice.as_ref()?.htlc_expiry_height?;
    Some(expiry.saturating_sub(chain_height?))
}

/// The escrow deadline warning: blocks and approximate time left, and what the node
/// does at the margin.
pub(crate) fn deadline_text(dispute_id: Uuid, blocks: u32, margin: u32) -> String {
    let minutes = u64::from(blocks) * MINUTES_PER_BLOCK;
    let act_in = blocks.saturating_sub(margin);
    format!(
        "dispute {dispute_id}: the escrow HTLC expires in {blocks} blocks (about {} h {} min). \
         If the dispute is still open {act_in} blocks from now, the node cancels the hold \
         invoice and refunds the seller (order canceled-by-admin).",
        minutes / 60,
        minutes % 60
    )
}
