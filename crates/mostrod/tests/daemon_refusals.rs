//! Refusals, forgeries and restarts against a running daemon.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use devrelay::DevRelay;
use mostro_protocol::envelope::Transport;
use mostro_protocol::order::Kind as OrderKind;
use mostro_protocol::{Action, CantDoReason, Message, Payload, SmallOrder, Status};
use mostrod::lightning::fake::FakeLightning;
use nostr::key::Keys;
use support::{body, TestDaemon, TestUser};
use uuid::Uuid;

fn sell_order() -> SmallOrder {
    SmallOrder {
        id: None,
        kind: Some(OrderKind::Sell),
        status: Some(Status::Pending),
        amount: 5_000,
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

async fn create_order(maker: &mut TestUser) -> Uuid {
    let request = body(maker.transport, Action::NewOrder)
        .with_trade_index(1)
        .with_payload(Payload::Order(sell_order()));
    maker.send(Message::new_order(request)).await;
    let reply = maker.expect(Action::NewOrder).await;
    match reply.payload() {
        Some(Payload::Order(o)) => o.id.expect("order id"),
        other => panic!("unexpected payload {other:?}"),
    }
}

fn cant_do_reason(message: &Message) -> Option<CantDoReason> {
    match message.payload() {
        Some(Payload::CantDo(reason)) => *reason,
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_and_forged_events() {
    let relay = DevRelay::start_local().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let daemon = TestDaemon::start(
        &relay.url(),
        dir.path(),
        FakeLightning::new(),
        Keys::generate(),
    )
    .await;
    let mut maker = TestUser::new(&relay.url(), daemon.pubkey(), Transport::V2).await;
    let mut first = TestUser::new(&relay.url(), daemon.pubkey(), Transport::V1).await;
    let mut second = TestUser::new(&relay.url(), daemon.pubkey(), Transport::V2).await;
    let id = create_order(&mut maker).await;

    // A stranger cannot cancel someone else's pending order.
    let cancel = body(second.transport, Action::Cancel)
        .with_id(id)
        .with_request_id(3);
    second.send(Message::new_order(cancel)).await;
    let refused = second.expect(Action::CantDo).await;
    assert_eq!(cant_do_reason(&refused), Some(CantDoReason::IsNotYourOrder));
    assert_eq!(refused.request_id(), Some(3));
    assert_eq!(refused.id(), Some(id));

    // The first taker wins; the second gets cant-do.
    let take = body(first.transport, Action::TakeSell)
        .with_id(id)
        .with_trade_index(1);
    first.send(Message::new_order(take)).await;
    first.expect(Action::AddInvoice).await;
    let late = body(second.transport, Action::TakeSell)
        .with_id(id)
        .with_trade_index(1);
    second.send(Message::new_order(late)).await;
    let refused = second.expect(Action::CantDo).await;
    assert!(refused.id() == Some(id));
    let status = daemon
        .mostro
        .store()
        .orders()
        .get(id)
        .await
        .unwrap()
        .unwrap()
        .status;
    assert_eq!(status, Status::WaitingBuyerInvoice);

    // A forged event (signature of another event) and garbage content: no reply,
    // no state change.
    let real = second.build(&Message::new_order(
        body(second.transport, Action::Cancel).with_id(id),
    ));
    let mut forged_json: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(&real).unwrap()).unwrap();
    let other = second.build(&Message::new_order(
        body(second.transport, Action::FiatSent).with_id(id),
    ));
    forged_json["sig"] = serde_json::Value::String(other.sig.to_string());
    let forged: nostr::event::Event = serde_json::from_value(forged_json).unwrap();
    // The relay may refuse it already; either way the daemon must not act on it.
    let _ = second.publish(&forged).await;
    // Malformed: an order action without the order id fails structural verification.
    let garbage = second.build(&Message::new_order(
        body(second.transport, Action::Cancel).with_request_id(9),
    ));
    assert!(second.publish(&garbage).await);
    let replies = second.drain(Duration::from_secs(2)).await;
    assert!(
        replies.is_empty(),
        "forged or malformed events must get no reply: {replies:?}"
    );
    let status = daemon
        .mostro
        .store()
        .orders()
        .get(id)
        .await
        .unwrap()
        .unwrap()
        .status;
    assert_eq!(status, Status::WaitingBuyerInvoice);

    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_keeps_deadlines_and_never_answers_twice() {
    let relay = DevRelay::start_local().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let keys = Keys::generate();
    let daemon =
        TestDaemon::start(&relay.url(), dir.path(), FakeLightning::new(), keys.clone()).await;
    let mut maker = TestUser::new(&relay.url(), daemon.pubkey(), Transport::V2).await;
    let id = create_order(&mut maker).await;
    let deadline = daemon
        .mostro
        .deadline_of(id)
        .expect("pending order has a deadline");
    let expires_at = daemon
        .mostro
        .store()
        .orders()
        .get(id)
        .await
        .unwrap()
        .unwrap()
        .expires_at;
    assert_eq!(deadline, expires_at);
    daemon.stop().await;

    let daemon = TestDaemon::start(&relay.url(), dir.path(), FakeLightning::new(), keys).await;
    assert_eq!(
        daemon.mostro.deadline_of(id),
        Some(expires_at),
        "deadline restored"
    );
    // The new-order request is still on the relay; it must not be handled again.
    let replies = maker.drain(Duration::from_secs(3)).await;
    assert!(
        replies.iter().all(|m| m.action() != Action::NewOrder),
        "a processed request was answered twice: {replies:?}"
    );
    daemon.stop().await;
}
