//! End to end on a real relay and the regtest network, driving the `mostro-cli`
//! binary: a user with an open trade restores from the mnemonic on a fresh data
//! directory, sees the trade with its status, and finishes it from there.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_support;

use std::time::Instant;

use e2e_support::flows::{both_active, chat_both_ways, init, pay_hold, publish, settle_and_rate};
use e2e_support::{party_fee, setup, trade};

const SATS: u64 = 40_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_from_mnemonic() {
    let started = Instant::now();
    let env = setup().await;
    eprintln!("restore_from_mnemonic: setup took {:?}", started.elapsed());
    let seller = env.user("seller", None);
    let buyer = env.user("buyer", None);
    init(&seller).await;
    let words = init(&buyer).await;

    // An active trade: the buyer took the sell order with a payout invoice and
    // the seller locked the escrow.
    let id = publish(&seller, &buyer, "sell", SATS).await;
    let payout = env
        .net
        .buyer()
        .create_invoice(SATS - party_fee(SATS), "cli e2e restore payout")
        .await
        .expect("buyer invoice");
    let taken = buyer
        .json(&["take-sell", &id, "--invoice", &payout.payment_request])
        .await;
    assert_eq!(
        taken["update"]["code"], "waiting-seller-to-pay",
        "{taken:#}"
    );
    let ask = seller
        .watch_for(&id, "pay-invoice", |d| d["update"]["invoice"].is_string())
        .await;
    let hold = ask["update"]["invoice"].as_str().unwrap().to_owned();
    let pay = pay_hold(&env, &seller, &id, &hold, SATS).await;
    both_active(&seller, &buyer, &id, &taken).await;
    let before = buyer.json(&["my-orders"]).await;
    let before = trade(&before, &id).clone();
    let identity = buyer.json(&["mnemonic"]).await["identity"].clone();

    // The buyer's new device: same words, empty data directory.
    let restored = buyer.on_new_device("buyer-restored");
    let imported = restored.json(&["init", "--import", &words]).await;
    assert_eq!(imported["created"], true, "{imported:#}");
    assert_eq!(imported["identity"], identity, "same words, same identity");
    let empty = restored.json(&["my-orders", "--all"]).await;
    assert_eq!(
        empty["orders"].as_array().map(Vec::len),
        Some(0),
        "{empty:#}"
    );

    let report = restored.json(&["restore"]).await;
    let found = trade(&report, &id);
    assert_eq!(found["status"], "active", "{report:#}");
    assert_eq!(found["side"], "buyer", "{report:#}");
    assert_eq!(found["is_maker"], false, "{report:#}");
    assert_eq!(found["trade_index"], before["trade_index"], "{report:#}");
    let last = report["last_trade_index"]
        .as_u64()
        .expect("last_trade_index");
    assert!(
        last >= before["trade_index"].as_u64().unwrap(),
        "the trade index moves past every used key: {report:#}"
    );

    let mine = restored.json(&["my-orders"]).await;
    let open = trade(&mine, &id);
    assert_eq!(open["status"], "active", "{mine:#}");
    assert_eq!(open["kind"], "sell", "{mine:#}");
    // The daemon's `orders` answer carries the order's amount; the original
    // device kept the buyer's view from `hold-invoice-payment-accepted`
    // (amount − fee).
    assert_eq!(open["amount_sats"], SATS, "{mine:#}");
    assert_eq!(before["amount_sats"], SATS - party_fee(SATS), "{before:#}");
    assert_eq!(open["peer_pubkey"], before["peer_pubkey"], "{mine:#}");
    assert_eq!(open["next_step"]["code"], "send-fiat", "{mine:#}");

    // The restored device carries on: chat, fiat sent, release, ratings.
    chat_both_ways(&seller, &restored, &id).await;
    settle_and_rate(&env, &seller, &restored, &id, &payout.payment_hash).await;
    match pay.wait().await.expect("seller payment outcome") {
        testnet::PaymentOutcome::Succeeded { .. } => {}
        testnet::PaymentOutcome::Failed { reason } => panic!("escrow payment failed: {reason}"),
    }
    eprintln!("restore_from_mnemonic: total {:?}", started.elapsed());
}
