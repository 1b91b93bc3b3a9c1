//! Crash recovery end to end: `mostrod` SIGKILLed at the two dangerous moments of
//! a trade and restarted on the same data directory, on the regtest network.
//!
//! * The escrow is paid while the daemon is down (killed right after it handed
//!   out the hold invoice): on restart the accepted HTLC moves the trade to
//!   `active`, and the trade completes.
//! * The daemon is killed as soon as LND reports the escrow `SETTLED` (on
//!   `release`), whether or not it had started the buyer's payout. The payout
//!   goes to a hold invoice on the buyer's node, so a payout attempt stays in
//!   flight until the test settles it. On restart the buyer must be paid
//!   exactly once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_support;

use std::time::Duration;

use e2e_support::flows::{both_active, pay_escrow, sell_taken, send_fiat, settle_trade};
use e2e_support::lightning::{
    assert_settled_locals, escrow_routing_fee, locals, num, payments_for, settled_htlcs,
    settled_invoice, single_payment, succeeded_htlcs, succeeded_payment, wait_invoice_state,
    HoldInvoice,
};
use e2e_support::{party_fee, setup};
use mostro_client::{Transport, Update};

const SATS: u64 = 40_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escrow_paid_while_the_daemon_is_down_activates_the_trade_on_restart() {
    let mut env = setup().await;
    let mut seller = env.user("seller", Transport::V2).await;
    let mut buyer = env.user("buyer", Transport::V1).await;
    let fee = party_fee(SATS);
    let before = locals(env.net).await;

    let payout = env.buyer_invoice(SATS - fee, "e2e recovery payout").await;
    let taken = sell_taken(&env, &mut seller, &mut buyer, SATS, &payout.payment_request).await;
    let id = taken.id;

    // The daemon dies before it can see the payment.
    env.daemon.kill();
    let pay = env
        .net
        .seller()
        .pay_invoice_background(&taken.hold_bolt11)
        .unwrap();
    env.wait_hold_state(&taken.hold_hash, "ACCEPTED", Duration::from_secs(60))
        .await;

    env.daemon.restart().await;
    both_active(&mut seller, &mut buyer, id).await;
    env.wait_order_status(id, "in-progress").await;

    settle_trade(&mut seller, &mut buyer, id).await;
    let seller_routing = escrow_routing_fee(pay).await;
    let record = single_payment(env.net.mostro(), &payout.payment_hash).await;
    let expected = before.after_trade(SATS, seller_routing, num(&record, "fee_sat"));
    assert_settled_locals(env.net, expected).await;
    env.wait_order_status(id, "success").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daemon_killed_after_settling_pays_the_buyer_exactly_once() {
    let mut env = setup().await;
    let mut seller = env.user("seller", Transport::V1).await;
    let mut buyer = env.user("buyer", Transport::V2).await;
    let fee = party_fee(SATS);
    let before = locals(env.net).await;

    let payout = HoldInvoice::create(env.net.buyer(), SATS - fee).await;
    let taken = sell_taken(&env, &mut seller, &mut buyer, SATS, &payout.bolt11).await;
    let id = taken.id;
    let pay = pay_escrow(&env, &mut seller, &mut buyer, id, &taken.hold_bolt11).await;
    send_fiat(&mut seller, &mut buyer, id).await;

    // Release without waiting for the reply, and kill the daemon the moment the
    // escrow is settled at LND: before or while it pays the buyer.
    let releasing = {
        let client = seller.client.clone();
        tokio::spawn(async move { client.release(id).await })
    };
    env.wait_hold_state(&taken.hold_hash, "SETTLED", Duration::from_secs(90))
        .await;
    env.daemon.kill();
    releasing.abort();
    let seller_routing = escrow_routing_fee(pay).await;
    let attempted_before_restart = !payments_for(env.net.mostro(), &payout.hash)
        .await
        .is_empty();
    eprintln!("payout attempted before the kill: {attempted_before_restart}");

    env.daemon.restart().await;
    // Whether the payout was started before the kill or by recovery, exactly one
    // HTLC reaches the buyer's hold invoice; settle it.
    wait_invoice_state(
        env.net.buyer(),
        &payout.hash,
        "ACCEPTED",
        Duration::from_secs(120),
    )
    .await;
    payout.settle(env.net.buyer()).await;
    buyer
        .expect_exact(id, "purchase-completed", Update::PurchaseCompleted)
        .await;
    env.wait_order_status(id, "success").await;

    // Paid exactly once: one payment record with one successful HTLC at Mostro,
    // one settled HTLC for exactly amount − fee at the buyer.
    let record = succeeded_payment(env.net.mostro(), &payout.hash).await;
    assert_eq!(succeeded_htlcs(&record), 1, "{record:?}");
    let invoice = settled_invoice(env.net.buyer(), &payout.hash, SATS - fee).await;
    assert_eq!(settled_htlcs(&invoice), 1, "{invoice}");

    let expected = before.after_trade(SATS, seller_routing, num(&record, "fee_sat"));
    assert_settled_locals(env.net, expected).await;
}
