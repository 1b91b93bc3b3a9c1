//! Short protocol exchanges shared by the robustness tests.

use mostro_protocol::order::Kind as OrderKind;
use mostro_protocol::{Action, Message, Payload, SmallOrder, Status};
use nostr::event::Event;
use uuid::Uuid;

use super::{body, TestUser};

/// A fixed-price order of `sats` for 50 USD.
pub fn fixed_order(kind: OrderKind, sats: i64) -> SmallOrder {
    SmallOrder {
        id: None,
        kind: Some(kind),
        status: Some(Status::Pending),
        amount: sats,
        fiat_code: "USD".to_owned(),
        min_amount: None,
        max_amount: None,
        fiat_amount: 50,
        payment_method: "cash".to_owned(),
        premium: 0,
        buyer_trade_pubkey: None,
        seller_trade_pubkey: None,
        buyer_invoice: None,
        created_at: Some(0),
        expires_at: None,
    }
}

/// Sends a `new-order` for `order` (trade index 1) and waits for the confirmation.
pub async fn create_order(maker: &mut TestUser, order: SmallOrder) -> Uuid {
    let request = body(maker.transport, Action::NewOrder)
        .with_trade_index(1)
        .with_payload(Payload::Order(order));
    maker.send(Message::new_order(request)).await;
    let reply = maker.expect(Action::NewOrder).await;
    match reply.payload() {
        Some(Payload::Order(o)) => o.id.expect("order id"),
        other => panic!("unexpected payload {other:?}"),
    }
}

/// Sends `take-buy` for order `id` (trade index 1) without waiting; returns the event.
pub async fn send_take_buy(taker: &TestUser, id: Uuid) -> Event {
    let take = body(taker.transport, Action::TakeBuy)
        .with_id(id)
        .with_trade_index(1);
    taker.send(Message::new_order(take)).await
}

/// The escrow invoice of a `pay-invoice` reply.
pub fn pay_invoice_bolt11(message: &Message) -> String {
    match message.payload() {
        Some(Payload::PaymentRequest(_, bolt11, _)) => bolt11.clone(),
        other => panic!("unexpected pay-invoice payload {other:?}"),
    }
}
