//! End to end on the regtest network: `mostrod` as its own process against real
//! LND nodes and a local relay, driven by `mostro-client` users. Balances are
//! asserted to the sat as deltas of the nodes' local channel balances.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_support;

use e2e_support::flows::{
    expect_add_invoice, pay_escrow, reply_or_expect, sell_taken, settle_trade,
};
use e2e_support::lightning::{
    assert_settled_locals, decode, escrow_refused, escrow_routing_fee, locals, num,
    succeeded_payment, Locals,
};
use e2e_support::{is_active, party_fee, setup, Env, RATING_KIND};
use mostro_client::{ClientError, ErrorKind, Transport, Update};
use mostro_protocol::events::RatingEvent;
use mostro_protocol::{Action, CantDoReason, Kind};
use testnet::PaymentHandle;

const SATS: u64 = 50_000;

/// Mostro's single, successful payout for `hash`, and its routing fee.
async fn single_payout_fee(env: &Env, hash: &str) -> u64 {
    let record = succeeded_payment(env.net.mostro(), hash).await;
    num(&record, "fee_sat")
}

/// Asserts the balances after a trade of `SATS` from `before` settled, once
/// the seller's escrow payment `pay` and the payout to `payout_hash` are done.
async fn assert_traded(env: &Env, before: Locals, pay: PaymentHandle, payout_hash: &str) {
    let seller_routing = escrow_routing_fee(pay).await;
    let payout_routing = single_payout_fee(env, payout_hash).await;
    let expected = before.after_trade(SATS, seller_routing, payout_routing);
    assert_settled_locals(env.net, expected).await;
}

/// Waits for the kind-38384 event rating the party behind `trade_pubkey`.
async fn rating_of(env: &Env, trade_pubkey: nostr::key::PublicKey) -> RatingEvent {
    let event = env
        .relay
        .wait_latest(
            RATING_KIND,
            env.daemon.pubkey(),
            &trade_pubkey.to_hex(),
            e2e_support::users::UPDATE_TIMEOUT,
            |_| true,
        )
        .await;
    RatingEvent::parse(&event).expect("well-formed rating event")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sell_trade_v2_pays_everyone_to_the_sat_and_publishes_ratings() {
    let env = setup().await;
    let mut seller = env.user("seller", Transport::V2).await;
    let mut buyer = env.user("buyer", Transport::V2).await;
    let fee = party_fee(SATS);
    assert!(fee > 0, "the e2e daemon charges a fee");
    let before = locals(env.net).await;

    let payout = env.buyer_invoice(SATS - fee, "e2e sell payout").await;
    let taken = sell_taken(&env, &mut seller, &mut buyer, SATS, &payout.payment_request).await;
    let id = taken.id;
    let pay = pay_escrow(&env, &mut seller, &mut buyer, id, &taken.hold_bolt11).await;
    env.wait_order_status(id, "in-progress").await;

    settle_trade(&mut seller, &mut buyer, id).await;
    assert_traded(&env, before, pay, &payout.payment_hash).await;
    env.expect_payout_state(&payout.payment_hash, "SETTLED")
        .await;

    let rated = seller.client.rate(id, 5).await.expect("seller rates");
    assert!(
        matches!(rated.update, Update::RateReceived { .. }),
        "{:?}",
        rated.update
    );
    let rated = buyer.client.rate(id, 4).await.expect("buyer rates");
    assert!(
        matches!(rated.update, Update::RateReceived { .. }),
        "{:?}",
        rated.update
    );
    let buyer_rating = rating_of(&env, buyer.trade_pubkey(id)).await;
    assert_eq!(buyer_rating.reputation.total_reviews, 1);
    assert_eq!(buyer_rating.reputation.last_rating, 5);
    let seller_rating = rating_of(&env, seller.trade_pubkey(id)).await;
    assert_eq!(seller_rating.reputation.total_reviews, 1);
    assert_eq!(seller_rating.reputation.last_rating, 4);

    env.wait_order_status(id, "success").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buy_trade_v1_pays_everyone_to_the_sat() {
    let env = setup().await;
    let mut seller = env.user("seller", Transport::V1).await;
    let mut buyer = env.user("buyer", Transport::V1).await;
    let fee = party_fee(SATS);
    let before = locals(env.net).await;

    let id = env.post_fixed(&buyer, Kind::Buy, SATS).await;

    let taken = seller.client.take_buy(id, None).await.expect("take-buy");
    let hold = match &taken.update {
        Update::PayHoldInvoice { bolt11, .. } => bolt11.clone(),
        other => panic!("unexpected reply to take-buy: {other:?}"),
    };
    assert_eq!(decode(&hold).0, SATS + fee, "escrow = amount + fee");
    let pay = env.net.seller().pay_invoice_background(&hold).unwrap();

    let wanted = expect_add_invoice(&mut buyer, id).await.amount;
    assert_eq!(
        u64::try_from(wanted).unwrap(),
        SATS - fee,
        "payout = amount - fee"
    );
    let payout = env.buyer_invoice(SATS - fee, "e2e buy payout").await;
    let added = buyer
        .client
        .add_invoice(id, payout.payment_request.clone(), None)
        .await
        .expect("add-invoice");
    reply_or_expect(&mut buyer, id, added, "active", is_active).await;
    seller.expect(id, "active", is_active).await;

    settle_trade(&mut seller, &mut buyer, id).await;
    assert_traded(&env, before, pay, &payout.payment_hash).await;
    env.wait_order_status(id, "success").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cooperative_cancel_of_an_active_trade_unlocks_the_seller() {
    let env = setup().await;
    let mut seller = env.user("seller", Transport::V2).await;
    let mut buyer = env.user("buyer", Transport::V1).await;
    let before = locals(env.net).await;

    let payout = env
        .buyer_invoice(SATS - party_fee(SATS), "e2e cancel payout")
        .await;
    let taken = sell_taken(&env, &mut seller, &mut buyer, SATS, &payout.payment_request).await;
    let id = taken.id;
    let pay = pay_escrow(&env, &mut seller, &mut buyer, id, &taken.hold_bolt11).await;
    env.expect_hold_state(&taken.hold_hash, "ACCEPTED").await;

    let asked = seller.client.cancel(id).await.expect("seller cancels");
    assert_eq!(asked.update, Update::CooperativeCancelInitiatedByYou);
    buyer
        .expect_exact(
            id,
            "cooperative-cancel-initiated-by-peer",
            Update::CooperativeCancelInitiatedByPeer,
        )
        .await;
    let accepted = buyer.client.cancel(id).await.expect("buyer accepts");
    reply_or_expect(
        &mut buyer,
        id,
        accepted,
        "cooperative-cancel-accepted",
        |u| *u == Update::CooperativeCancelAccepted,
    )
    .await;
    seller
        .expect_exact(
            id,
            "cooperative-cancel-accepted",
            Update::CooperativeCancelAccepted,
        )
        .await;

    escrow_refused(pay).await;
    env.expect_hold_state(&taken.hold_hash, "CANCELED").await;
    assert_settled_locals(env.net, before).await;
    // The buyer was not paid.
    env.expect_payout_state(&payout.payment_hash, "OPEN").await;
    env.wait_order_status(id, "canceled").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maker_cancels_a_pending_order() {
    let env = setup().await;
    let seller = env.user("seller", Transport::V2).await;
    let id = env.post_fixed(&seller, Kind::Sell, SATS).await;

    let canceled = seller.client.cancel(id).await.expect("cancel");
    assert_eq!(canceled.update, Update::Canceled);
    assert_eq!(
        seller.client.local_order(id).unwrap().status,
        Some(mostro_protocol::Status::Canceled)
    );
    env.wait_order_status(id, "canceled").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taking_a_taken_order_is_refused_with_cant_do() {
    let env = setup().await;
    let seller = env.user("seller", Transport::V2).await;
    let first = env.user("first taker", Transport::V2).await;
    let second = env.user("second taker", Transport::V1).await;
    let id = env.post_fixed(&seller, Kind::Sell, SATS).await;

    let took = first
        .client
        .take_sell(id, None, None)
        .await
        .expect("first take");
    assert!(
        matches!(took.update, Update::AddInvoice { .. }),
        "{:?}",
        took.update
    );
    let refused = second.client.take_sell(id, None, None).await;
    match refused {
        Err(error @ ClientError::CantDo { .. }) => {
            assert_eq!(error.kind(), ErrorKind::CantDo);
            assert!(matches!(
                error,
                ClientError::CantDo {
                    action: Action::TakeSell,
                    reason: Some(CantDoReason::InvalidOrderStatus),
                }
            ));
        }
        other => panic!("expected cant-do, got {other:?}"),
    }
    // The first taker still holds the order.
    env.wait_order_status(id, "in-progress").await;
}
