//! A whole trade through the daemon: real relay, fake Lightning, SQLite file; a v2
//! seller and a v1 buyer served by the same node.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use devrelay::DevRelay;
use mostro_protocol::envelope::Transport;
use mostro_protocol::order::Kind as OrderKind;
use mostro_protocol::{Action, Message, Payload, SmallOrder, Status};
use mostrod::lightning::fake::FakeLightning;
use mostrod::lightning::InvoiceState;
use nostr::key::Keys;
use support::{
    body, eventually, fake_hold_hash, order_id, public_event, regtest_invoice, tag_value,
};
use support::{TestDaemon, TestUser};

/// A fixed-price sell order of `sats` for 100 USD.
pub fn sell_order(sats: i64) -> SmallOrder {
    SmallOrder {
        id: None,
        kind: Some(OrderKind::Sell),
        status: Some(Status::Pending),
        amount: sats,
        fiat_code: "USD".to_owned(),
        min_amount: None,
        max_amount: None,
        fiat_amount: 100,
        payment_method: "bank transfer".to_owned(),
        premium: 0,
        buyer_trade_pubkey: None,
        seller_trade_pubkey: None,
        buyer_invoice: None,
        created_at: Some(0),
        expires_at: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_trade_across_both_transports() {
    let relay = DevRelay::start_local().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ln = FakeLightning::new();
    let daemon = TestDaemon::start(&relay.url(), dir.path(), ln.clone(), Keys::generate()).await;
    let mut seller = TestUser::new(&relay.url(), daemon.pubkey(), Transport::V2).await;
    let mut buyer = TestUser::new(&relay.url(), daemon.pubkey(), Transport::V1).await;

    // new-order → confirmation and a pending 38383.
    let request = body(seller.transport, Action::NewOrder)
        .with_request_id(7)
        .with_trade_index(1)
        .with_payload(Payload::Order(sell_order(10_000)));
    seller.send(Message::new_order(request)).await;
    let created = seller.expect(Action::NewOrder).await;
    assert_eq!(created.request_id(), Some(7));
    assert_eq!(created.inner().version, 2);
    let id = match created.payload() {
        Some(Payload::Order(o)) => o.id.expect("order id"),
        other => panic!("unexpected payload {other:?}"),
    };
    let book = eventually(|| public_event(&relay, 38383, &id.to_string())).await;
    assert_eq!(tag_value(&book, "s").as_deref(), Some("pending"));

    // take-sell without an invoice: the buyer is asked for one.
    let take = body(buyer.transport, Action::TakeSell)
        .with_id(id)
        .with_trade_index(1);
    buyer.send(Message::new_order(take)).await;
    let ask = buyer.expect(Action::AddInvoice).await;
    assert_eq!(ask.inner().version, 1, "v1 user answered in v1");
    match ask.payload() {
        Some(Payload::Order(o)) => {
            assert_eq!(o.status, Some(Status::WaitingBuyerInvoice));
            assert_eq!(o.amount, 10_000);
        }
        other => panic!("unexpected payload {other:?}"),
    }
    seller.expect(Action::WaitingBuyerInvoice).await;

    // add-invoice → the seller gets the escrow invoice made by the fake node.
    let payout = regtest_invoice(Some(10_000));
    let add = body(buyer.transport, Action::AddInvoice)
        .with_id(id)
        .with_payload(Payload::PaymentRequest(None, payout.clone(), None));
    buyer.send(Message::new_order(add)).await;
    // The maker first gets the taker's reputation (a `peer` payload), then the invoice.
    let hold = loop {
        let pay = seller.expect(Action::PayInvoice).await;
        match pay.payload() {
            Some(Payload::PaymentRequest(Some(o), bolt11, _)) => {
                assert_eq!(o.amount, 10_000);
                break bolt11.clone();
            }
            Some(Payload::Peer(_)) => continue,
            other => panic!("unexpected payload {other:?}"),
        }
    };
    let hold_hash = fake_hold_hash(&hold);
    assert_eq!(ln.invoice_state(hold_hash), Some(InvoiceState::Open));
    buyer.expect(Action::WaitingSellerToPay).await;

    // The seller pays: both learn the other's trade key.
    ln.accept_payment(hold_hash).unwrap();
    let took = seller.expect(Action::BuyerTookOrder).await;
    let accepted = buyer.expect(Action::HoldInvoicePaymentAccepted).await;
    for (message, other) in [(&took, &buyer), (&accepted, &seller)] {
        let Some(Payload::Order(o)) = message.payload() else {
            panic!("order payload expected");
        };
        let keys = [o.buyer_trade_pubkey.clone(), o.seller_trade_pubkey.clone()];
        assert!(keys.contains(&Some(other.trade.public_key().to_hex())));
        assert_eq!(o.status, Some(Status::Active));
    }

    // fiat-sent → fiat-sent-ok to both.
    buyer
        .send(Message::new_order(
            body(buyer.transport, Action::FiatSent).with_id(id),
        ))
        .await;
    buyer.expect(Action::FiatSentOk).await;
    seller.expect(Action::FiatSentOk).await;

    // release → settled escrow, paid buyer.
    seller
        .send(Message::new_order(
            body(seller.transport, Action::Release).with_id(id),
        ))
        .await;
    seller.expect(Action::HoldInvoicePaymentSettled).await;
    buyer.expect(Action::Released).await;
    assert_eq!(ln.invoice_state(hold_hash), Some(InvoiceState::Settled));
    buyer.expect(Action::PurchaseCompleted).await;
    let paid = ln.pay_requests();
    assert_eq!(paid.len(), 1, "the buyer is paid exactly once");
    assert_eq!(paid[0].payment_request, payout);
    let done = eventually(|| {
        public_event(&relay, 38383, &id.to_string())
            .filter(|e| tag_value(e, "s").as_deref() == Some("success"))
    })
    .await;
    assert_eq!(tag_value(&done, "d"), Some(id.to_string()));
    seller.expect(Action::Rate).await;
    buyer.expect(Action::Rate).await;

    // rate-user → rate-received and a 38384 for the rated trade key.
    let rate = body(buyer.transport, Action::RateUser)
        .with_id(id)
        .with_payload(Payload::RatingUser(5));
    buyer.send(Message::new_rate(rate)).await;
    let received = buyer.expect(Action::RateReceived).await;
    assert_eq!(received.payload(), Some(&Payload::RatingUser(5)));
    let rated = seller.trade.public_key().to_hex();
    eventually(|| public_event(&relay, 38384, &rated)).await;
    assert_eq!(order_id(&received), id);

    daemon.stop().await;
}
