//! End to end on a real relay and the regtest network, driving the `mostro-cli`
//! binary as a user would: two users trade a sell order and a buy order to
//! `success`, chat with each other and rate each other. Every step parses the
//! `--json` output, so its shape is checked too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_support;

use std::time::Instant;

use e2e_support::flows::{
    add_invoice, both_active, chat_both_ways, check_info, init, pay_hold, publish, settle_and_rate,
};
use e2e_support::{party_fee, setup, trade};
use testnet::PaymentOutcome;

const SATS: u64 = 50_000;

/// The seller's escrow payment, once the trade settled, must have succeeded.
async fn assert_paid(pay: testnet::PaymentHandle) {
    match pay.wait().await.expect("seller payment outcome") {
        PaymentOutcome::Succeeded { .. } => {}
        PaymentOutcome::Failed { reason } => panic!("escrow payment failed: {reason}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sell_trade_via_cli() {
    let started = Instant::now();
    let env = setup().await;
    eprintln!("sell_trade_via_cli: setup took {:?}", started.elapsed());
    let seller = env.user("seller", None);
    let buyer = env.user("buyer", None);
    init(&seller).await;
    init(&buyer).await;
    check_info(&env, &buyer).await;

    let id = publish(&seller, &buyer, "sell", SATS).await;

    // Taken without an invoice: Mostro asks the buyer for one of `amount − fee`.
    let taken = buyer.json(&["take-sell", &id]).await;
    assert_eq!(taken["update"]["code"], "add-invoice", "{taken:#}");
    assert_eq!(taken["order"]["side"], "buyer", "{taken:#}");
    assert_eq!(taken["order"]["is_maker"], false, "{taken:#}");
    assert_eq!(
        taken["order"]["amount_sats"],
        SATS - party_fee(SATS),
        "{taken:#}"
    );
    assert_eq!(
        taken["order"]["next_step"]["code"], "send-invoice",
        "{taken:#}"
    );
    let (payout_hash, added) = add_invoice(&env, &buyer, &id, SATS).await;
    assert_eq!(
        added["update"]["code"], "waiting-seller-to-pay",
        "{added:#}"
    );

    // The seller learns of the hold invoice on `watch`.
    let ask = seller
        .watch_for(&id, "pay-invoice", |d| d["update"]["invoice"].is_string())
        .await;
    let hold = ask["update"]["invoice"].as_str().unwrap().to_owned();
    assert_eq!(ask["order"]["hold_invoice"], hold.as_str(), "{ask:#}");
    let pay = pay_hold(&env, &seller, &id, &hold, SATS).await;

    both_active(&seller, &buyer, &id, &added).await;
    chat_both_ways(&seller, &buyer, &id).await;
    settle_and_rate(&env, &seller, &buyer, &id, &payout_hash).await;
    assert_paid(pay).await;
    eprintln!("sell_trade_via_cli: total {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buy_trade_via_cli() {
    let started = Instant::now();
    let env = setup().await;
    eprintln!("buy_trade_via_cli: setup took {:?}", started.elapsed());
    // The buyer forces the deprecated gift-wrap transport; the seller uses the
    // one the daemon advertises.
    let buyer = env.user("buyer", Some("v1"));
    let seller = env.user("seller", None);
    init(&buyer).await;
    init(&seller).await;

    let id = publish(&buyer, &seller, "buy", SATS).await;

    // Taking a buy order answers with the hold invoice at once.
    let taken = seller.json(&["take-buy", &id]).await;
    assert_eq!(taken["update"]["code"], "pay-invoice", "{taken:#}");
    assert_eq!(taken["order"]["side"], "seller", "{taken:#}");
    assert_eq!(taken["order"]["is_maker"], false, "{taken:#}");
    let hold = taken["update"]["invoice"]
        .as_str()
        .expect("hold invoice in the take-buy reply")
        .to_owned();
    let pay = pay_hold(&env, &seller, &id, &hold, SATS).await;

    // Once the escrow is locked, Mostro asks the buyer for the payout invoice.
    let ask = buyer
        .watch_for(&id, "add-invoice", |d| {
            d["order"]["amount_sats"].is_number()
        })
        .await;
    assert_eq!(
        ask["order"]["amount_sats"],
        SATS - party_fee(SATS),
        "{ask:#}"
    );
    assert_eq!(ask["order"]["next_step"]["code"], "send-invoice", "{ask:#}");
    let mine = buyer.json(&["my-orders"]).await;
    assert_eq!(
        trade(&mine, &id)["next_step"]["code"],
        "send-invoice",
        "{mine:#}"
    );
    let (payout_hash, added) = add_invoice(&env, &buyer, &id, SATS).await;

    both_active(&seller, &buyer, &id, &added).await;
    chat_both_ways(&seller, &buyer, &id).await;
    settle_and_rate(&env, &seller, &buyer, &id, &payout_hash).await;
    assert_paid(pay).await;
    eprintln!("buy_trade_via_cli: total {:?}", started.elapsed());
}
