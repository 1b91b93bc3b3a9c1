//! Buyer payouts that do not go through at once, end to end on the regtest
//! network (PROTOCOL.md §5.7): a payout invoice that cannot be paid gives
//! `payment-failed`, a retry, an `add-invoice` request; the replacement invoice is
//! paid, exactly once. And a payout to a Lightning address served on 127.0.0.1
//! (LNURL-pay, LUD-06/16) whose callback hands out an invoice of the buyer's node.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_support;

use bitcoin::hashes::{sha256, Hash};
use e2e_support::flows::{
    expect_add_invoice, pay_escrow, reply_or_expect, sell_taken, settle_trade,
};
use e2e_support::http_server::{Route, TestServer};
use e2e_support::lightning::{
    assert_settled_locals, escrow_routing_fee, locals, lookup_invoice, num, payments_for,
    settled_htlcs, settled_invoice, succeeded_htlcs, succeeded_payment,
};
use e2e_support::{party_fee, setup_tuned, Tuning};
use mostro_client::{Transport, Update};
use mostro_protocol::Status;

const SATS: u64 = 45_000;

const PAY_REQUEST: &str = include_str!("fixtures/lnurl/pay_request.json");
const CALLBACK_INVOICE: &str = include_str!("fixtures/lnurl/callback_invoice.json");
const WELL_KNOWN: &str = "/.well-known/lnurlp/alice";
const CALLBACK: &str = "/lnurlp/callback/alice";

/// Payout attempts before the daemon asks for a new invoice.
const ATTEMPTS: u32 = 2;
/// Seconds between payout attempts.
const RETRY_SECS: u32 = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unpayable_payout_is_retried_then_replaced_and_paid_exactly_once() {
    let tuning = Tuning::default()
        .lightning(format!("payment_attempts = {ATTEMPTS}"))
        .lightning(format!("payment_retries_interval = {RETRY_SECS}"));
    let env = setup_tuned(&tuning).await;
    let mut seller = env.user("seller", Transport::V2).await;
    let mut buyer = env.user("buyer", Transport::V2).await;
    let fee = party_fee(SATS);
    let before = locals(env.net).await;

    // A well-formed invoice the buyer's node then refuses to be paid on.
    let dead = env.buyer_invoice(SATS - fee, "e2e dead payout").await;
    let taken = sell_taken(&env, &mut seller, &mut buyer, SATS, &dead.payment_request).await;
    let id = taken.id;
    env.net
        .buyer()
        .lncli(&["cancelinvoice", &dead.payment_hash])
        .await
        .expect("cancel the buyer's first invoice");
    let pay = pay_escrow(&env, &mut seller, &mut buyer, id, &taken.hold_bolt11).await;

    let sent = buyer.client.fiat_sent(id).await.expect("fiat-sent");
    assert!(matches!(sent.update, Update::FiatSentOk { .. }));
    let released = seller.client.release(id).await.expect("release");
    assert!(
        !matches!(released.update, Update::CantDo { .. }),
        "{:?}",
        released.update
    );
    buyer.expect_exact(id, "released", Update::Released).await;

    // First attempt fails: the buyer learns how many retries follow, and when.
    let failed = buyer
        .expect(id, "payment-failed", |u| {
            matches!(u, Update::PaymentFailed { .. })
        })
        .await;
    match failed.update {
        Update::PaymentFailed { info } => {
            assert_eq!(info.payment_attempts, ATTEMPTS - 1);
            assert_eq!(info.payment_retries_interval, RETRY_SECS);
        }
        other => panic!("{other:?}"),
    }
    // The retry fails too: the buyer is asked for a new invoice.
    let order = expect_add_invoice(&mut buyer, id).await;
    assert_eq!(order.status, Some(Status::SettledHoldInvoice));
    assert_eq!(u64::try_from(order.amount).unwrap(), SATS - fee);
    let dead_records = payments_for(env.net.mostro(), &dead.payment_hash).await;
    assert!(!dead_records.is_empty(), "the dead invoice was attempted");
    assert!(
        dead_records.iter().all(|p| p["status"] == "FAILED"),
        "{dead_records:?}"
    );
    // The escrow is the node's now; the public order stays in progress.
    env.expect_hold_state(&taken.hold_hash, "SETTLED").await;
    env.wait_order_status(id, "in-progress").await;

    // A replacement invoice, accepted while the escrow is settled.
    let payout = env
        .buyer_invoice(SATS - fee, "e2e replacement payout")
        .await;
    let added = buyer
        .client
        .add_invoice(id, payout.payment_request.clone(), None)
        .await
        .expect("add-invoice");
    reply_or_expect(&mut buyer, id, added, "invoice-updated", |u| {
        *u == Update::InvoiceUpdated
    })
    .await;
    buyer
        .expect_exact(id, "purchase-completed", Update::PurchaseCompleted)
        .await;
    env.wait_order_status(id, "success").await;

    // Paid exactly once: one succeeded payment with one HTLC at Mostro, one
    // settled HTLC for exactly amount − fee at the buyer, nothing on the dead one.
    let record = succeeded_payment(env.net.mostro(), &payout.payment_hash).await;
    assert_eq!(succeeded_htlcs(&record), 1, "{record:?}");
    settled_invoice(env.net.buyer(), &payout.payment_hash, SATS - fee).await;
    let dead_invoice = lookup_invoice(env.net.buyer(), &dead.payment_hash).await;
    assert_eq!(dead_invoice["state"], "CANCELED");
    assert_eq!(num(&dead_invoice, "amt_paid_sat"), 0);
    assert!(payments_for(env.net.mostro(), &dead.payment_hash)
        .await
        .iter()
        .all(|p| p["status"] == "FAILED"));

    let seller_routing = escrow_routing_fee(pay).await;
    let expected = before.after_trade(SATS, seller_routing, num(&record, "fee_sat"));
    assert_settled_locals(env.net, expected).await;
}

/// A Lightning address service on 127.0.0.1 whose callback answers with an
/// invoice of the buyer's node for `sats`, committing to the service metadata.
/// Returns the server, the address and the invoice's payment hash.
async fn address_service(env: &e2e_support::Env, sats: u64) -> (TestServer, String, String) {
    let server = TestServer::start().await;
    let body = PAY_REQUEST
        .replace("{{CALLBACK}}", &server.url(CALLBACK))
        .replace("{{DOMAIN}}", &server.authority());
    let metadata = serde_json::from_str::<serde_json::Value>(&body).unwrap()["metadata"]
        .as_str()
        .unwrap()
        .to_owned();
    server.route(WELL_KNOWN, Route::json(200, body));
    let description_hash = hex::encode(sha256::Hash::hash(metadata.as_bytes()).to_byte_array());
    let amt = sats.to_string();
    let invoice = env
        .net
        .buyer()
        .lncli(&[
            "addinvoice",
            "--amt",
            &amt,
            "--description_hash",
            &description_hash,
        ])
        .await
        .expect("addinvoice with a description hash");
    let bolt11 = invoice["payment_request"].as_str().unwrap();
    let hash = invoice["r_hash"].as_str().unwrap().to_owned();
    server.route(
        CALLBACK,
        Route::json(200, CALLBACK_INVOICE.replace("{{PR}}", bolt11)),
    );
    let address = format!("alice@{}", server.authority());
    (server, address, hash)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payout_to_a_lightning_address_on_localhost_pays_the_buyer_once() {
    let tuning = Tuning::default().section("[lnurl]\nallow_insecure_localhost = true\n");
    let env = setup_tuned(&tuning).await;
    let mut seller = env.user("seller", Transport::V1).await;
    let mut buyer = env.user("buyer", Transport::V2).await;
    let fee = party_fee(SATS);
    let before = locals(env.net).await;
    let (server, address, hash) = address_service(&env, SATS - fee).await;

    let taken = sell_taken(&env, &mut seller, &mut buyer, SATS, &address).await;
    let id = taken.id;
    assert!(
        server.requests().iter().any(|t| t == WELL_KNOWN),
        "the address was checked at take time: {:?}",
        server.requests()
    );
    let pay = pay_escrow(&env, &mut seller, &mut buyer, id, &taken.hold_bolt11).await;
    settle_trade(&mut seller, &mut buyer, id).await;
    env.wait_order_status(id, "success").await;

    // The callback was asked for exactly amount − fee, in msat.
    let calls: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|t| t.starts_with(CALLBACK))
        .collect();
    assert!(!calls.is_empty(), "the callback was never called");
    let msat = format!("amount={}", (SATS - fee) * 1000);
    assert!(
        calls.iter().all(|t| t.contains(&msat)),
        "{calls:?} should ask for {msat}"
    );
    // Paid once, for exactly amount − fee.
    let record = succeeded_payment(env.net.mostro(), &hash).await;
    let invoice = settled_invoice(env.net.buyer(), &hash, SATS - fee).await;
    assert_eq!(settled_htlcs(&invoice), 1, "{invoice}");

    let seller_routing = escrow_routing_fee(pay).await;
    let expected = before.after_trade(SATS, seller_routing, num(&record, "fee_sat"));
    assert_settled_locals(env.net, expected).await;
}
