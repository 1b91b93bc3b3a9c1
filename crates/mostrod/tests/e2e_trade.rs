//! End to end on the regtest network: `mostrod` as its own process against real
//! LND nodes and a local relay, driven by `mostro-client` users. Balances are
//! asserted to the sat as deltas of the nodes' local channel balances.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_support;

use e2e_support::flows::{both_active, reply_or_expect, sell_taken, settle_trade};
use e2e_support::lightning::{decode, locals, num, payments_for, settled_locals, Locals};
use e2e_support::users::fixed_order;
use e2e_support::{is_active, party_fee, setup, Env, RATING_KIND};
use mostro_client::{ClientError, ErrorKind, Transport, Update};
use mostro_protocol::events::RatingEvent;
use mostro_protocol::{Action, CantDoReason, Kind};
use testnet::PaymentOutcome;
use uuid::Uuid;

const SATS: u64 = 50_000;

/// The routing fee of a successful payment, or a failure naming the reason.
fn routing_fee(outcome: &PaymentOutcome) -> u64 {
    match outcome {
        PaymentOutcome::Succeeded { fee_sat, .. } => *fee_sat,
        PaymentOutcome::Failed { reason } => panic!("escrow payment failed: {reason}"),
    }
}

/// Mostro's single, successful payout for `hash`, and its routing fee.
async fn single_payout_fee(env: &Env, hash: &str) -> u64 {
    let records = payments_for(env.net.mostro(), hash).await;
    assert_eq!(records.len(), 1, "one payout for {hash}: {records:?}");
    assert_eq!(records[0]["status"], "SUCCEEDED");
    num(&records[0], "fee_sat")
}

/// Expected balances after a trade of `SATS` settled.
fn after_trade(before: Locals, seller_routing: u64, payout_routing: u64) -> Locals {
    let fee = party_fee(SATS);
    Locals {
        seller: before.seller - (SATS + fee) - seller_routing,
        mostro: before.mostro + 2 * fee - payout_routing,
        buyer: before.buyer + SATS - fee,
    }
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

    let payout = env
        .net
        .buyer()
        .create_invoice(SATS - fee, "e2e sell payout")
        .await
        .unwrap();
    let taken = sell_taken(&env, &mut seller, &mut buyer, SATS, &payout.payment_request).await;
    let id = taken.id;
    let pay = env
        .net
        .seller()
        .pay_invoice_background(&taken.hold_bolt11)
        .unwrap();
    both_active(&mut seller, &mut buyer, id).await;
    env.wait_order_status(id, "in-progress").await;

    settle_trade(&mut seller, &mut buyer, id).await;
    let seller_routing = routing_fee(&pay.wait().await.unwrap());
    let payout_routing = single_payout_fee(&env, &payout.payment_hash).await;
    let expected = after_trade(before, seller_routing, payout_routing);
    assert_eq!(settled_locals(env.net, expected).await, expected);
    assert_eq!(
        env.net
            .buyer()
            .invoice_state(&payout.payment_hash)
            .await
            .unwrap(),
        "SETTLED"
    );

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

    let created = buyer
        .client
        .create_order(&fixed_order(Kind::Buy, SATS))
        .await
        .expect("new-order");
    let id = created.order.id;
    env.wait_order_status(id, "pending").await;

    let taken = seller.client.take_buy(id, None).await.expect("take-buy");
    let hold = match &taken.update {
        Update::PayHoldInvoice { bolt11, .. } => bolt11.clone(),
        other => panic!("unexpected reply to take-buy: {other:?}"),
    };
    assert_eq!(decode(&hold).0, SATS + fee, "escrow = amount + fee");
    let pay = env.net.seller().pay_invoice_background(&hold).unwrap();

    let ask = buyer
        .expect(id, "add-invoice", |u| {
            matches!(u, Update::AddInvoice { .. })
        })
        .await;
    let wanted = match &ask.update {
        Update::AddInvoice { order: Some(order) } => order.amount,
        other => panic!("add-invoice without an order: {other:?}"),
    };
    assert_eq!(
        u64::try_from(wanted).unwrap(),
        SATS - fee,
        "payout = amount - fee"
    );
    let payout = env
        .net
        .buyer()
        .create_invoice(SATS - fee, "e2e buy payout")
        .await
        .unwrap();
    let added = buyer
        .client
        .add_invoice(id, payout.payment_request.clone(), None)
        .await
        .expect("add-invoice");
    reply_or_expect(&mut buyer, id, added, "active", is_active).await;
    seller.expect(id, "active", is_active).await;

    settle_trade(&mut seller, &mut buyer, id).await;
    let seller_routing = routing_fee(&pay.wait().await.unwrap());
    let payout_routing = single_payout_fee(&env, &payout.payment_hash).await;
    let expected = after_trade(before, seller_routing, payout_routing);
    assert_eq!(settled_locals(env.net, expected).await, expected);
    env.wait_order_status(id, "success").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cooperative_cancel_of_an_active_trade_unlocks_the_seller() {
    let env = setup().await;
    let mut seller = env.user("seller", Transport::V2).await;
    let mut buyer = env.user("buyer", Transport::V1).await;
    let before = locals(env.net).await;

    let payout = env
        .net
        .buyer()
        .create_invoice(SATS - party_fee(SATS), "e2e cancel payout")
        .await
        .unwrap();
    let taken = sell_taken(&env, &mut seller, &mut buyer, SATS, &payout.payment_request).await;
    let id = taken.id;
    let pay = env
        .net
        .seller()
        .pay_invoice_background(&taken.hold_bolt11)
        .unwrap();
    both_active(&mut seller, &mut buyer, id).await;
    assert_eq!(
        env.net
            .mostro()
            .invoice_state(&taken.hold_hash)
            .await
            .unwrap(),
        "ACCEPTED"
    );

    let asked = seller.client.cancel(id).await.expect("seller cancels");
    assert_eq!(asked.update, Update::CooperativeCancelInitiatedByYou);
    buyer
        .expect(id, "cooperative-cancel-initiated-by-peer", |u| {
            *u == Update::CooperativeCancelInitiatedByPeer
        })
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
        .expect(id, "cooperative-cancel-accepted", |u| {
            *u == Update::CooperativeCancelAccepted
        })
        .await;

    match pay.wait().await.unwrap() {
        PaymentOutcome::Failed { .. } => {}
        other => panic!("the escrow must not be taken: {other:?}"),
    }
    assert_eq!(
        env.net
            .mostro()
            .invoice_state(&taken.hold_hash)
            .await
            .unwrap(),
        "CANCELED"
    );
    assert_eq!(settled_locals(env.net, before).await, before);
    assert_eq!(
        env.net
            .buyer()
            .invoice_state(&payout.payment_hash)
            .await
            .unwrap(),
        "OPEN",
        "the buyer was not paid"
    );
    env.wait_order_status(id, "canceled").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maker_cancels_a_pending_order() {
    let env = setup().await;
    let seller = env.user("seller", Transport::V2).await;
    let created = seller
        .client
        .create_order(&fixed_order(Kind::Sell, SATS))
        .await
        .expect("new-order");
    let id: Uuid = created.order.id;
    env.wait_order_status(id, "pending").await;

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
    let created = seller
        .client
        .create_order(&fixed_order(Kind::Sell, SATS))
        .await
        .expect("new-order");
    let id = created.order.id;
    env.wait_order_status(id, "pending").await;

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
