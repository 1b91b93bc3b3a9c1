//! A slow or hanging Lightning call for one order never delays another order, and a
//! call that exceeds its timeout leaves its order unchanged.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use devrelay::DevRelay;
use mostro_protocol::envelope::Transport;
use mostro_protocol::order::Kind as OrderKind;
use mostro_protocol::{Action, Status};
use mostrod::lightning::fake::FakeLightning;
use mostrod::runtime::Timeouts;
use nostr::key::Keys;
use support::flows::{create_order, fixed_order, pay_invoice_bolt11, send_take_buy};
use support::gated::GatedLightning;
use support::{eventually, fake_hold_hash, order_id, TestDaemon, TestUser};

const SLOW_SATS: i64 = 7_001;
const FAST_SATS: i64 = 7_002;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_hold_invoice_for_one_order_never_delays_another() {
    let relay = DevRelay::start_local().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ln = GatedLightning::new(FakeLightning::new());
    let gate = ln.gate(SLOW_SATS as u64);
    let daemon = TestDaemon::start_with(
        &relay.url(),
        dir.path(),
        Arc::new(ln.clone()),
        Keys::generate(),
        Timeouts::default(),
    )
    .await;
    let node = daemon.pubkey();
    let mut maker_a = TestUser::new(&relay.url(), node, Transport::V2).await;
    let mut taker_a = TestUser::new(&relay.url(), node, Transport::V2).await;
    let slow = create_order(&mut maker_a, fixed_order(OrderKind::Buy, SLOW_SATS)).await;

    // Order A's take reaches the node and waits there.
    send_take_buy(&taker_a, slow).await;
    eventually(|| ln.entered().contains(&(SLOW_SATS as u64)).then_some(())).await;

    // Meanwhile order B is created, taken and answered.
    let mut maker_b = TestUser::new(&relay.url(), node, Transport::V1).await;
    let mut taker_b = TestUser::new(&relay.url(), node, Transport::V2).await;
    let fast = create_order(&mut maker_b, fixed_order(OrderKind::Buy, FAST_SATS)).await;
    send_take_buy(&taker_b, fast).await;
    let pay_b = taker_b.expect(Action::PayInvoice).await;
    assert_eq!(order_id(&pay_b), fast);

    // A is still blocked: no answer, no state change.
    assert!(
        taker_a.drain(Duration::from_millis(300)).await.is_empty(),
        "order A answered before its hold invoice existed"
    );
    let a = daemon
        .mostro
        .store()
        .orders()
        .get(slow)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.status, Status::Pending);
    assert_eq!(ln.entered(), vec![SLOW_SATS as u64, FAST_SATS as u64]);

    // Released, A completes.
    gate.open();
    let pay_a = taker_a.expect(Action::PayInvoice).await;
    assert_eq!(order_id(&pay_a), slow);
    let a = daemon
        .mostro
        .store()
        .orders()
        .get(slow)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.status, Status::WaitingPayment);
    assert_ne!(
        fake_hold_hash(&pay_invoice_bolt11(&pay_a)),
        fake_hold_hash(&pay_invoice_bolt11(&pay_b))
    );
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lightning_call_past_its_timeout_leaves_the_order_unchanged() {
    let relay = DevRelay::start_local().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ln = GatedLightning::new(FakeLightning::new());
    ln.hang_on(SLOW_SATS as u64);
    let timeouts = Timeouts {
        lightning_call: Duration::from_millis(500),
        ..Timeouts::default()
    };
    let daemon = TestDaemon::start_with(
        &relay.url(),
        dir.path(),
        Arc::new(ln.clone()),
        Keys::generate(),
        timeouts,
    )
    .await;
    let node = daemon.pubkey();
    let mut maker = TestUser::new(&relay.url(), node, Transport::V2).await;
    let mut taker = TestUser::new(&relay.url(), node, Transport::V2).await;
    let hanging = create_order(&mut maker, fixed_order(OrderKind::Buy, SLOW_SATS)).await;
    let take = send_take_buy(&taker, hanging).await;
    eventually(|| ln.entered().contains(&(SLOW_SATS as u64)).then_some(())).await;

    // The daemon keeps serving other orders while the node hangs.
    let mut other_maker = TestUser::new(&relay.url(), node, Transport::V2).await;
    let mut other_taker = TestUser::new(&relay.url(), node, Transport::V1).await;
    let fine = create_order(&mut other_maker, fixed_order(OrderKind::Buy, FAST_SATS)).await;
    send_take_buy(&other_taker, fine).await;
    assert_eq!(
        order_id(&other_taker.expect(Action::PayInvoice).await),
        fine
    );

    // The timed-out take changed nothing, answered nothing, and was not marked as
    // processed (a later delivery may still be handled).
    assert!(taker.drain(Duration::from_secs(1)).await.is_empty());
    let order = daemon
        .mostro
        .store()
        .orders()
        .get(hanging)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(order.status, Status::Pending);
    assert!(order.taker.is_none());
    assert!(!daemon
        .mostro
        .store()
        .processed_events()
        .contains(take.id)
        .await
        .unwrap());

    // The order's writer was released by the timeout: a new take of the same order,
    // once the node answers again, goes through.
    ln.gate(SLOW_SATS as u64).open();
    let retry = send_take_buy(&taker, hanging).await;
    assert_ne!(retry.id, take.id);
    assert_eq!(order_id(&taker.expect(Action::PayInvoice).await), hanging);
    let order = daemon
        .mostro
        .store()
        .orders()
        .get(hanging)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(order.status, Status::WaitingPayment);
    daemon.stop().await;
}
