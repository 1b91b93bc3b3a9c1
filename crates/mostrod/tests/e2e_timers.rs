//! The trade lifecycle's timers end to end on the regtest network (PROTOCOL.md
//! §5.13), with the daemon's timers configured short: a pending order expires, a
//! taker or a seller who does not act in time, and the escrow deadline guard of
//! an `active` trade (blocks mined towards the escrow HTLC's expiry).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_support;

use std::str::FromStr;
use std::time::Duration;

use e2e_support::flows::{both_canceled, pay_escrow, sell_taken, take_sell_asking_invoice};
use e2e_support::lightning::{
    assert_settled_locals, decode, escrow_refused, locals, lookup_invoice, num,
};
use e2e_support::users::{fixed_order, User};
use e2e_support::{hold_bolt11, is_pay_hold, party_fee, setup_tuned, Tuning};
use lightning_invoice::Bolt11Invoice;
use mostro_client::{ClientError, Transport, Update};
use mostro_protocol::{Action, CantDoReason, Kind, Status};
use tokio::time::Instant;

/// How long the escrow hold invoice may take to be canceled at Mostro's node.
const HOLD_CANCEL_TIMEOUT: Duration = Duration::from_secs(30);

const SATS: u64 = 30_000;

/// The waiting-step timeout of these tests, in seconds.
const WAIT_STEP_SECS: u64 = 10;

/// Time given to the daemon to say something it must not say.
const QUIET: Duration = Duration::from_secs(4);

fn short_waiting_steps() -> Tuning {
    Tuning::default().mostro(format!("expiration_seconds = {WAIT_STEP_SECS}"))
}

fn unix_now() -> i64 {
    i64::try_from(nostr::types::Timestamp::now().as_secs()).unwrap()
}

fn is_new_order_pending(u: &Update) -> bool {
    matches!(u, Update::NewOrder { order } if order.status == Some(Status::Pending))
}

/// The maker's `new-order` that puts `id` back in the book after the waiting step
/// that began at `step_began` timed out (the replayed creation reply, which looks
/// the same, arrives long before).
async fn republished(maker: &mut User, id: uuid::Uuid, step_began: Instant) -> Update {
    loop {
        let event = maker
            .expect(id, "new-order (republished)", is_new_order_pending)
            .await;
        if step_began.elapsed() + Duration::from_secs(1) >= Duration::from_secs(WAIT_STEP_SECS) {
            return event.update;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_order_expires_silently_and_can_no_longer_be_taken() {
    let env = setup_tuned(&Tuning::default()).await;
    let mut seller = env.user("seller", Transport::V2).await;
    let buyer = env.user("buyer", Transport::V1).await;

    let expires_at = unix_now() + 8;
    let mut new = fixed_order(Kind::Sell, SATS);
    new.expires_at = Some(expires_at);
    let posted = env.post_order(&seller, &new).await;
    let id = posted.id;
    match &posted.update {
        Update::NewOrder { order } => {
            assert_eq!(order.expires_at, Some(expires_at), "requested expiry kept");
        }
        other => panic!("unexpected reply to new-order: {other:?}"),
    }
    assert_eq!(
        e2e_support::tag_value(&posted.pending, "expires_at"),
        Some(expires_at.to_string())
    );

    let canceled = env.wait_order_status(id, "canceled").await;
    assert!(
        i64::try_from(canceled.created_at.as_secs()).unwrap() >= expires_at,
        "expired no earlier than its expires_at"
    );
    // §5.13: no DM to the maker (the creation reply may be replayed).
    let told = seller.updates_within(id, QUIET).await;
    assert!(
        told.iter().all(is_new_order_pending),
        "the maker was told {told:?}"
    );

    match buyer.client.take_sell(id, None, None).await {
        Err(ClientError::CantDo {
            action: Action::TakeSell,
            reason: Some(CantDoReason::InvalidOrderStatus),
        }) => {}
        other => panic!("expected cant-do invalid_order_status, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taker_who_never_sends_an_invoice_returns_the_order_to_the_book() {
    let env = setup_tuned(&short_waiting_steps()).await;
    let mut seller = env.user("seller", Transport::V2).await;
    let mut buyer = env.user("buyer", Transport::V2).await;
    let before = locals(env.net).await;

    let id = env.post_fixed(&seller, Kind::Sell, SATS).await;

    let order = take_sell_asking_invoice(&buyer, id).await;
    let step_began = Instant::now();
    assert_eq!(order.status, Some(Status::WaitingBuyerInvoice));
    assert_eq!(u64::try_from(order.amount).unwrap(), SATS - party_fee(SATS));
    seller
        .expect_exact(id, "waiting-buyer-invoice", Update::WaitingBuyerInvoice)
        .await;
    env.wait_order_status(id, "in-progress").await;

    // The buyer stays silent: after `expiration_seconds` the order is back.
    let republished = republished(&mut seller, id, step_began).await;
    buyer.expect_exact(id, "canceled", Update::Canceled).await;
    env.wait_order_status(id, "pending").await;
    assert_eq!(
        seller.client.local_order(id).unwrap().status,
        Some(Status::Pending)
    );
    if let Update::NewOrder { order } = &republished {
        assert_eq!(u64::try_from(order.amount).unwrap(), SATS, "same order");
    }
    // No escrow was ever created for it; nobody's balance moved.
    assert_eq!(locals(env.net).await, before);

    // It can be taken again, by someone else.
    let mut other = env.user("second buyer", Transport::V1).await;
    let payout = env
        .buyer_invoice(SATS - party_fee(SATS), "e2e second taker")
        .await;
    let again = other
        .client
        .take_sell(id, Some(payout.payment_request), None)
        .await
        .expect("second take-sell");
    assert_eq!(again.update, Update::WaitingSellerToPay);
    let ask = seller.expect(id, "pay-invoice", is_pay_hold).await;
    let (hold_sats, hold_hash) = decode(&hold_bolt11(&ask.update));
    assert_eq!(hold_sats, SATS + party_fee(SATS));
    // The second taker does not pay either: tidy up through the same timer.
    other.expect_exact(id, "canceled", Update::Canceled).await;
    env.wait_hold_state(&hold_hash, "CANCELED", HOLD_CANCEL_TIMEOUT)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seller_who_never_pays_the_escrow_is_canceled() {
    let env = setup_tuned(&short_waiting_steps()).await;
    let mut seller = env.user("seller", Transport::V1).await;
    let mut buyer = env.user("buyer", Transport::V2).await;
    let before = locals(env.net).await;

    let payout = env
        .buyer_invoice(SATS - party_fee(SATS), "e2e unpaid escrow")
        .await;
    let taken = sell_taken(&env, &mut seller, &mut buyer, SATS, &payout.payment_request).await;
    let id = taken.id;
    env.expect_hold_state(&taken.hold_hash, "OPEN").await;

    // The maker (seller) is at fault: both are told `canceled`, and the order is
    // not returned to the book.
    both_canceled(&mut seller, &mut buyer, id).await;
    env.wait_order_status(id, "canceled").await;
    env.wait_hold_state(&taken.hold_hash, "CANCELED", HOLD_CANCEL_TIMEOUT)
        .await;
    assert_eq!(
        seller.client.local_order(id).unwrap().status,
        Some(Status::Canceled)
    );
    let told = seller.updates_within(id, QUIET).await;
    assert!(
        !told.iter().any(is_new_order_pending),
        "a canceled sell order must not be republished: {told:?}"
    );
    assert_eq!(locals(env.net).await, before);
    env.expect_payout_state(&payout.payment_hash, "OPEN").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seller_taker_who_never_pays_returns_a_buy_order_to_the_book() {
    let env = setup_tuned(&short_waiting_steps()).await;
    let mut seller = env.user("seller", Transport::V2).await;
    let mut buyer = env.user("buyer", Transport::V2).await;

    let id = env.post_fixed(&buyer, Kind::Buy, SATS).await;
    let taken = seller.client.take_buy(id, None).await.expect("take-buy");
    let step_began = Instant::now();
    let hold_hash = decode(&hold_bolt11(&taken.update)).1;
    buyer
        .expect_exact(id, "waiting-seller-to-pay", Update::WaitingSellerToPay)
        .await;
    env.wait_order_status(id, "in-progress").await;

    // The taker (seller) is at fault: the buy order goes back to the book.
    seller.expect_exact(id, "canceled", Update::Canceled).await;
    republished(&mut buyer, id, step_began).await;
    env.wait_order_status(id, "pending").await;
    env.wait_hold_state(&hold_hash, "CANCELED", HOLD_CANCEL_TIMEOUT)
        .await;
}

/// Blocks of the escrow HTLC's CLTV in the escrow guard test.
const GUARD_CLTV: u32 = 40;
/// The guard's margin in that test; LND itself cancels a held HTLC 12 blocks
/// before its expiry, so the daemon's margin must be larger to act first.
const GUARD_MARGIN: u32 = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escrow_guard_cancels_an_active_trade_near_the_htlc_expiry() {
    let tuning = Tuning::default()
        .lightning(format!("hold_invoice_cltv_delta = {GUARD_CLTV}"))
        .lightning(format!("escrow_deadline_margin_blocks = {GUARD_MARGIN}"));
    let env = setup_tuned(&tuning).await;
    // Mines blocks: nobody else may use the network meanwhile.
    let _exclusive = env.net.exclusive().await;
    let mut seller = env.user("seller", Transport::V2).await;
    let mut buyer = env.user("buyer", Transport::V1).await;
    let before = locals(env.net).await;

    let payout = env
        .buyer_invoice(SATS - party_fee(SATS), "e2e escrow guard")
        .await;
    let taken = sell_taken(&env, &mut seller, &mut buyer, SATS, &payout.payment_request).await;
    let id = taken.id;
    let hold = Bolt11Invoice::from_str(&taken.hold_bolt11).unwrap();
    assert_eq!(
        hold.min_final_cltv_expiry_delta(),
        u64::from(GUARD_CLTV),
        "the escrow carries the configured CLTV delta"
    );
    let pay = pay_escrow(&env, &mut seller, &mut buyer, id, &taken.hold_bolt11).await;

    let record = lookup_invoice(env.net.mostro(), &taken.hold_hash).await;
    assert_eq!(record["state"], "ACCEPTED");
    let expiry = record["htlcs"]
        .as_array()
        .and_then(|h| h.first())
        .map(|h| num(h, "expiry_height"))
        .expect("the held HTLC");
    let height = env.net.chain_height().await.unwrap();
    assert!(
        expiry >= height + u64::from(GUARD_CLTV),
        "HTLC expiry {expiry} at height {height}"
    );

    // Inside the daemon's margin, still outside LND's own auto-cancel window.
    let target = expiry - u64::from(GUARD_MARGIN) + 2;
    env.net.mine(target - height).await.unwrap();

    both_canceled(&mut seller, &mut buyer, id).await;
    env.wait_order_status(id, "canceled").await;
    escrow_refused(pay).await;
    env.expect_hold_state(&taken.hold_hash, "CANCELED").await;
    assert!(
        env.net.chain_height().await.unwrap() < expiry,
        "the HTLC never reached its expiry"
    );
    // The seller's funds are unlocked to the sat; the buyer was not paid.
    assert_settled_locals(env.net, before).await;
    env.expect_payout_state(&payout.payment_hash, "OPEN").await;
}
