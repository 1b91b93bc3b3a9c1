//! The escrow hold invoice: its creation for a plan, and the Lightning events about it
//! (PROTOCOL.md §5.5, §5.13).

use mostro_protocol::action::Action;
use mostro_protocol::payload::Payload;
use mostro_protocol::status::Status;
use nostr::types::Timestamp;
use sha2::{Digest, Sha256};

use crate::model::{HoldInvoice, Order, User};

use super::input::{Ctx, Request};
use super::messages::{small_order, taker_reputation_notice, Direct, Shown};
use super::output::{Bucket, CreatedHoldInvoice, HoldInvoicePlan, Outgoing, Refusal, Transition};

/// The plan for the escrow of `next`: `amount + fee` sats locked by the seller,
/// completed by [`complete_hold_invoice`] once the runtime has created it.
pub(crate) fn plan_hold_invoice(
    previous_status: Status,
    next: Order,
    request: &Request,
    ctx: &Ctx<'_>,
    pre_outbox: Vec<Outgoing>,
    user_updates: Vec<User>,
) -> HoldInvoicePlan {
    HoldInvoicePlan {
        amount_sats: next.seller_total(),
        memo: format!(
            "Mostro order {}: {} sats for {} {}",
            next.id, next.amount, next.fiat_amount, next.fiat_code
        ),
        cltv_delta: ctx.settings.hold_invoice_cltv_delta,
        previous_status,
        order: next,
        request_id: request.request_id,
        trade_index: request.trade_index,
        requester: request.sender,
        pre_outbox,
        user_updates,
    }
}

/// Finishes a step that needed a hold invoice: the order moves to `waiting-payment`,
/// the seller gets `pay-invoice` and the buyer `waiting-seller-to-pay`. The first
/// post-take state is published `in-progress` for both kinds (§11.13 fix).
///
/// Refuses (silently) an invoice whose hash is not the SHA-256 of its preimage.
pub fn complete_hold_invoice(
    plan: HoldInvoicePlan,
    created: CreatedHoldInvoice,
    now: Timestamp,
) -> Result<Transition, Refusal> {
    let digest: [u8; 32] = Sha256::digest(created.preimage).into();
    if digest != created.hash {
        return Err(Refusal::Silent(
            "hold invoice hash does not match its preimage",
        ));
    }
    let mut order = plan.order;
    order.status = Status::WaitingPayment;
    order.taken_at = Some(now);
    order.hold_request_id = plan.request_id;
    order.hold_invoice = Some(HoldInvoice {
        hash: created.hash,
        preimage: created.preimage,
        bolt11: created.bolt11.clone(),
        amount_sats: plan.amount_sats,
        held_at: None,
        htlc_expiry_height: None,
    });
    let mut t = Transition {
        previous_status: Some(plan.previous_status),
        order,
        outbox: plan.pre_outbox,
        effects: Vec::new(),
        user_updates: plan.user_updates,
        new_orders: Vec::new(),
        dispute_resolution: None,
    };
    let order = &t.order;
    if let (Some(seller), Some(buyer)) = (order.seller(), order.buyer()) {
        let index_for = |key| {
            (key == plan.requester)
                .then_some(plan.trade_index)
                .flatten()
        };
        let invoice = small_order(order, Shown::SellerPays, false);
        let pay = Direct::to(seller, order, Action::PayInvoice)
            .request_id(plan.request_id)
            .trade_index(index_for(seller.trade_pubkey))
            .payload(Payload::PaymentRequest(Some(invoice), created.bolt11, None))
            .build();
        let wait = Direct::to(buyer, order, Action::WaitingSellerToPay)
            .request_id(plan.request_id)
            .trade_index(index_for(buyer.trade_pubkey))
            .build();
        t.outbox.extend([pay, wait]);
    }
    if plan.previous_status == Status::Pending {
        t.publish(Bucket::InProgress);
    }
    Ok(t)
}

/// The seller's HTLC was accepted: `active` when the buyer's invoice is known, else
/// (buy order) `waiting-buyer-invoice` with a fresh duty timer.
pub(crate) fn accepted(
    order: &Order,
    htlc_expiry_height: Option<u32>,
    ctx: &Ctx<'_>,
    now: Timestamp,
) -> Result<Transition, Refusal> {
    let Some(hold) = &order.hold_invoice else {
        return Err(Refusal::Silent("no hold invoice on this order"));
    };
    if order.status != Status::WaitingPayment || hold.held_at.is_some() {
        return Err(Refusal::Silent(
            "hold invoice accepted in a state that does not wait for it",
        ));
    }
    let mut next = order.clone();
    if let Some(h) = next.hold_invoice.as_mut() {
        h.held_at = Some(now);
        h.htlc_expiry_height = htlc_expiry_height;
    }
    if next.buyer_invoice.is_some() {
        next.status = Status::Active;
        let mut t = Transition::from(order, next);
        let request_id = t.order.hold_request_id;
        t.outbox
            .extend(escrow_locked_messages(&t.order, request_id));
        return Ok(t);
    }
    next.status = Status::WaitingBuyerInvoice;
    next.taken_at = Some(now);
    let mut t = Transition::from(order, next);
    let order = &t.order;
    if let (Some(buyer), Some(seller)) = (order.buyer(), order.seller()) {
        let request_id = order.hold_request_id;
        let ask = Direct::to(buyer, order, Action::AddInvoice)
            .request_id(request_id)
            .payload(Payload::Order(small_order(
                order,
                Shown::BuyerReceives,
                false,
            )))
            .build();
        let wait = Direct::to(seller, order, Action::WaitingBuyerInvoice)
            .request_id(request_id)
            .build();
        let taker_user = order
            .taker
            .as_ref()
            .and_then(|p| ctx.user(&p.identity_pubkey));
        let notice =
            taker_reputation_notice(&order.maker, order, Action::AddInvoice, taker_user, now);
        t.outbox.extend([ask, wait]);
        t.outbox.extend(notice);
    }
    Ok(t)
}

/// `buyer-took-order` to the seller and `hold-invoice-payment-accepted` to the buyer:
/// status `active`, both trade keys revealed (how each side learns the other's key).
pub(crate) fn escrow_locked_messages(
    order: &Order,
    request_id: Option<u64>,
) -> Vec<super::output::Outgoing> {
    let (Some(seller), Some(buyer)) = (order.seller(), order.buyer()) else {
        return Vec::new();
    };
    vec![
        Direct::to(seller, order, Action::BuyerTookOrder)
            .request_id(request_id)
            .payload(Payload::Order(small_order(order, Shown::SellerPays, true)))
            .build(),
        Direct::to(buyer, order, Action::HoldInvoicePaymentAccepted)
            .request_id(request_id)
            .payload(Payload::Order(small_order(
                order,
                Shown::BuyerReceives,
                true,
            )))
            .build(),
    ]
}

/// LND canceled the escrow (its HTLC vanished): both parties are told; an `active`
/// trade is canceled, a `fiat-sent`/`dispute` one waits for manual resolution.
pub(crate) fn canceled(order: &Order) -> Result<Transition, Refusal> {
    let after = match order.status {
        Status::Active => Status::Canceled,
        Status::FiatSent | Status::Dispute => order.status,
        _ => {
            return Err(Refusal::Silent(
                "hold invoice canceled outside the escrow states",
            ))
        }
    };
    let mut next = order.clone();
    next.status = after;
    let mut t = Transition::from(order, next);
    let order = &t.order;
    let parties: Vec<_> = [order.seller(), order.buyer()]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    for party in &parties {
        t.outbox
            .push(Direct::to(party, order, Action::HoldInvoicePaymentCanceled).build());
    }
    if after == Status::Canceled {
        for party in &parties {
            t.outbox
                .push(Direct::to(party, &t.order, Action::Canceled).build());
        }
        t.publish(Bucket::Canceled);
    }
    Ok(t)
}
