//! Disputes through the daemon: real relay, fake Lightning, SQLite file. Parties open
//! disputes, solvers take, settle and cancel them, and the 38386 events follow.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use devrelay::DevRelay;
use mostro_protocol::envelope::Transport;
use mostro_protocol::order::Kind as OrderKind;
use mostro_protocol::{Action, CantDoReason, Message, Payload};
use mostrod::lightning::fake::FakeLightning;
use mostrod::lightning::{InvoiceState, PaymentHash};
use mostrod::model::{Solver, SolverRole};
use nostr::key::Keys;
use nostr::types::Timestamp;
use support::flows::{create_order, fixed_order, pay_invoice_bolt11};
use support::{body, eventually, fake_hold_hash, public_event, regtest_invoice, tag_value};
use support::{TestDaemon, TestUser};
use uuid::Uuid;

/// A seller (maker) and a buyer (taker) with an `active` sell order of 10 000 sats.
struct Trade {
    seller: TestUser,
    buyer: TestUser,
    id: Uuid,
    hold: PaymentHash,
    payout: String,
}

async fn active_trade(relay: &str, daemon: &TestDaemon, ln: &FakeLightning) -> Trade {
    let mut seller = TestUser::new(relay, daemon.pubkey(), Transport::V2).await;
    let mut buyer = TestUser::new(relay, daemon.pubkey(), Transport::V2).await;
    let id = create_order(&mut seller, fixed_order(OrderKind::Sell, 10_000)).await;
    let payout = regtest_invoice(Some(10_000));
    let take = body(buyer.transport, Action::TakeSell)
        .with_id(id)
        .with_trade_index(1)
        .with_payload(Payload::PaymentRequest(None, payout.clone(), None));
    buyer.send(Message::new_order(take)).await;
    let hold = loop {
        let pay = seller.expect(Action::PayInvoice).await;
        if let Some(Payload::PaymentRequest(Some(_), _, _)) = pay.payload() {
            break fake_hold_hash(&pay_invoice_bolt11(&pay));
        }
    };
    ln.accept_payment(hold).unwrap();
    seller.expect(Action::BuyerTookOrder).await;
    buyer.expect(Action::HoldInvoicePaymentAccepted).await;
    Trade {
        seller,
        buyer,
        id,
        hold,
        payout,
    }
}

/// A solver writing from its identity key, registered with `role`.
async fn solver(relay: &str, daemon: &TestDaemon, role: SolverRole) -> TestUser {
    let mut user = TestUser::new(relay, daemon.pubkey(), Transport::V2).await;
    user.identity = user.trade.clone();
    let row = Solver {
        pubkey: user.identity.public_key(),
        role,
        last_trade_index: 0,
        created_at: Timestamp::now(),
    };
    daemon
        .mostro
        .store()
        .solvers()
        .add_solver(row)
        .await
        .unwrap();
    user
}

async fn open_dispute(user: &mut TestUser, id: Uuid) -> Uuid {
    user.send(Message::new_order(
        body(user.transport, Action::Dispute).with_id(id),
    ))
    .await;
    match user.expect(Action::DisputeInitiatedByYou).await.payload() {
        Some(Payload::Dispute(dispute_id, None)) => *dispute_id,
        other => panic!("unexpected payload {other:?}"),
    }
}

async fn take(solver: &mut TestUser, dispute_id: Uuid) {
    solver
        .send(Message::new_dispute(
            body(solver.transport, Action::AdminTakeDispute).with_id(dispute_id),
        ))
        .await;
    solver.expect(Action::AdminTookDispute).await;
}

async fn refused(user: &mut TestUser, action: Action, id: Uuid) -> Option<CantDoReason> {
    user.send(Message::new_order(body(user.transport, action).with_id(id)))
        .await;
    match user.expect(Action::CantDo).await.payload() {
        Some(Payload::CantDo(reason)) => *reason,
        other => panic!("unexpected payload {other:?}"),
    }
}

async fn dispute_status(relay: &DevRelay, dispute_id: Uuid, s: &str) {
    let event = eventually(|| {
        public_event(relay, 38386, &dispute_id.to_string())
            .filter(|e| tag_value(e, "s").as_deref() == Some(s))
    })
    .await;
    assert_eq!(tag_value(&event, "z").as_deref(), Some("dispute"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fiat_sent_dispute_is_settled_by_its_solver() {
    let relay = DevRelay::start_local().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ln = FakeLightning::new();
    let daemon = TestDaemon::start(&relay.url(), dir.path(), ln.clone(), Keys::generate()).await;
    let mut t = active_trade(&relay.url(), &daemon, &ln).await;
    t.buyer
        .send(Message::new_order(
            body(t.buyer.transport, Action::FiatSent).with_id(t.id),
        ))
        .await;
    t.buyer.expect(Action::FiatSentOk).await;

    // A stranger may not open it; the buyer may.
    let mut stranger = TestUser::new(&relay.url(), daemon.pubkey(), Transport::V2).await;
    assert_eq!(
        refused(&mut stranger, Action::Dispute, t.id).await,
        Some(CantDoReason::InvalidPubkey)
    );
    let dispute_id = open_dispute(&mut t.buyer, t.id).await;
    t.seller.expect(Action::DisputeInitiatedByPeer).await;
    dispute_status(&relay, dispute_id, "initiated").await;

    // A read-only solver takes it but may not settle; another solver is refused.
    let mut reader = solver(&relay.url(), &daemon, SolverRole::Read).await;
    let mut writer = solver(&relay.url(), &daemon, SolverRole::ReadWrite).await;
    take(&mut reader, dispute_id).await;
    t.buyer.expect(Action::AdminTookDispute).await;
    dispute_status(&relay, dispute_id, "in-progress").await;
    assert_eq!(
        refused(&mut reader, Action::AdminSettle, t.id).await,
        Some(CantDoReason::NotAuthorized)
    );
    assert_eq!(
        refused(&mut writer, Action::AdminSettle, t.id).await,
        Some(CantDoReason::IsNotYourDispute)
    );

    // A read-write solver takes over and settles: the buyer is paid once.
    take(&mut writer, dispute_id).await;
    writer
        .send(Message::new_order(
            body(writer.transport, Action::AdminSettle).with_id(t.id),
        ))
        .await;
    writer.expect(Action::AdminSettled).await;
    t.seller.expect(Action::AdminSettled).await;
    t.buyer.expect(Action::AdminSettled).await;
    t.buyer.expect(Action::PurchaseCompleted).await;
    assert_eq!(ln.invoice_state(t.hold), Some(InvoiceState::Settled));
    let paid = ln.pay_requests();
    assert_eq!(paid.len(), 1, "the buyer is paid exactly once");
    assert_eq!(paid[0].payment_request, t.payout);
    dispute_status(&relay, dispute_id, "settled").await;
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_active_dispute_is_canceled_by_its_solver() {
    let relay = DevRelay::start_local().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ln = FakeLightning::new();
    let daemon = TestDaemon::start(&relay.url(), dir.path(), ln.clone(), Keys::generate()).await;
    let mut t = active_trade(&relay.url(), &daemon, &ln).await;
    let dispute_id = open_dispute(&mut t.seller, t.id).await;
    t.buyer.expect(Action::DisputeInitiatedByPeer).await;
    let mut writer = solver(&relay.url(), &daemon, SolverRole::ReadWrite).await;
    take(&mut writer, dispute_id).await;
    writer
        .send(Message::new_order(
            body(writer.transport, Action::AdminCancel).with_id(t.id),
        ))
        .await;
    writer.expect(Action::AdminCanceled).await;
    t.seller.expect(Action::AdminCanceled).await;
    t.buyer.expect(Action::AdminCanceled).await;
    eventually(|| (ln.invoice_state(t.hold) == Some(InvoiceState::Canceled)).then_some(())).await;
    assert!(ln.pay_requests().is_empty());
    dispute_status(&relay, dispute_id, "seller-refunded").await;
    let book = eventually(|| {
        public_event(&relay, 38383, &t.id.to_string())
            .filter(|e| tag_value(e, "s").as_deref() == Some("canceled"))
    })
    .await;
    assert_eq!(tag_value(&book, "d"), Some(t.id.to_string()));
    daemon.stop().await;
}
