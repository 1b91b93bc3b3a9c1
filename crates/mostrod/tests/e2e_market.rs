//! Market-priced trades end to end on the regtest network, priced from a local
//! price server (recorded Yadio and CoinGecko answers served on 127.0.0.1):
//! a market sell order whose sats follow PROTOCOL.md §10.2, and a range order
//! taken twice until exhausted, its child handed to the maker's next trade key
//! (§5.7.1).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_support;

use std::time::Duration;

use e2e_support::flows::{pay_escrow, reply_or_expect, settle_trade, take_sell_asking_invoice};
use e2e_support::http_server::{Route, TestServer};
use e2e_support::lightning::{
    assert_settled_locals, decode, escrow_routing_fee, locals, num, single_payment,
};
use e2e_support::users::{fixed_order, User};
use e2e_support::{
    hold_bolt11, is_pay_hold, party_fee, setup_tuned, tag_value, Env, Tuning, ORDER_KIND,
};
use mostro_client::{NewOrder, OrderAmount, Transport, Update};
use mostro_protocol::{Kind, Status};
use uuid::Uuid;

/// Yadio's recorded answer (`GET /exrates/BTC`).
const YADIO_BODY: &str = include_str!("fixtures/price/yadio_exrates_btc.json");
const YADIO_PATH: &str = "/exrates/BTC";
const COINGECKO_BASE: &str = "/api/v3";
const COINGECKO_PATH: &str = "/api/v3/simple/price";

/// The USD price of one bitcoin in the Yadio recording.
fn recorded_usd() -> f64 {
    let v: serde_json::Value = serde_json::from_str(YADIO_BODY).unwrap();
    v["BTC"]["USD"].as_f64().expect("USD in the recording")
}

/// Serves the recorded Yadio table and a CoinGecko answer quoting the same USD
/// price (so that the combined price is exactly the recorded one).
async fn price_server() -> (TestServer, Tuning) {
    let server = TestServer::start().await;
    server.route(YADIO_PATH, Route::json(200, YADIO_BODY));
    let coingecko = serde_json::json!({ "bitcoin": { "usd": recorded_usd() } }).to_string();
    server.route(COINGECKO_PATH, Route::json(200, coingecko));
    let tuning = Tuning::default().section(&format!(
        "[price]\nyadio_url = {:?}\ncoingecko_url = {:?}\n",
        server.url(YADIO_PATH),
        server.url(COINGECKO_BASE)
    ));
    (server, tuning)
}

/// Waits until the daemon fetched both prices (it refreshes at start).
async fn prices_fetched(server: &TestServer) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let seen = server.requests();
        let asked = |path: &str| seen.iter().any(|t| t.starts_with(path));
        if asked(YADIO_PATH) && asked(COINGECKO_PATH) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the daemon never asked for prices: {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Let the answers be parsed and stored.
    tokio::time::sleep(Duration::from_secs(2)).await;
}

/// §10.2: `s = fiat / price × 1e8`, minus `premium` percent, truncated once.
fn market_sats(fiat: i64, premium: i64, price: f64) -> u64 {
    let mut s = fiat as f64 / price * 1e8;
    if premium != 0 {
        s -= premium as f64 / 100.0 * s;
    }
    s.trunc() as u64
}

fn market_order(kind: Kind, amount: OrderAmount) -> NewOrder {
    NewOrder {
        amount,
        ..fixed_order(kind, 1)
    }
}

/// The buyer takes sell order `id` with an invoice for `sats − fee` (and the
/// fiat `amount` of a range); the seller pays the escrow, checked to be for
/// `sats + fee`. Returns the payout invoice's hash and the escrow payment.
async fn take_and_lock(
    env: &Env,
    seller: &mut User,
    buyer: &mut User,
    id: Uuid,
    sats: u64,
    amount: Option<i64>,
) -> (String, testnet::PaymentHandle) {
    let fee = party_fee(sats);
    let payout = env.buyer_invoice(sats - fee, "e2e market payout").await;
    let taken = buyer
        .client
        .take_sell(id, Some(payout.payment_request.clone()), amount)
        .await
        .expect("take-sell");
    assert_eq!(taken.update, Update::WaitingSellerToPay);
    let ask = seller.expect(id, "pay-invoice", is_pay_hold).await;
    let hold = hold_bolt11(&ask.update);
    assert_eq!(decode(&hold).0, sats + fee, "escrow = sats + fee");
    let pay = pay_escrow(env, seller, buyer, id, &hold).await;
    (payout.payment_hash, pay)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn market_sell_is_priced_from_the_local_price_server() {
    let (server, tuning) = price_server().await;
    let env = setup_tuned(&tuning).await;
    prices_fetched(&server).await;
    let mut seller = env.user("seller", Transport::V2).await;
    let mut buyer = env.user("buyer", Transport::V1).await;
    let before = locals(env.net).await;
    const FIAT: i64 = 30;
    const PREMIUM: i64 = 3;

    let market = OrderAmount::Market {
        fiat: FIAT,
        premium: PREMIUM,
    };
    let posted = env
        .post_order(&seller, &market_order(Kind::Sell, market))
        .await;
    let id = posted.id;
    assert_eq!(tag_value(&posted.pending, "amt").as_deref(), Some("0"));
    assert_eq!(
        tag_value(&posted.pending, "premium"),
        Some(PREMIUM.to_string())
    );

    let sats = market_sats(FIAT, PREMIUM, recorded_usd());
    let fee = party_fee(sats);
    // Taken without an invoice: the buyer is told the exact amount to invoice.
    let order = take_sell_asking_invoice(&buyer, id).await;
    assert_eq!(u64::try_from(order.amount).unwrap(), sats - fee);
    let payout = env.buyer_invoice(sats - fee, "e2e market payout").await;
    let added = buyer
        .client
        .add_invoice(id, payout.payment_request.clone(), None)
        .await
        .expect("add-invoice");
    reply_or_expect(&mut buyer, id, added, "waiting-seller-to-pay", |u| {
        *u == Update::WaitingSellerToPay
    })
    .await;
    let ask = seller.expect(id, "pay-invoice", is_pay_hold).await;
    let hold = hold_bolt11(&ask.update);
    assert_eq!(decode(&hold).0, sats + fee, "escrow = market sats + fee");
    let in_progress = env.wait_order_status(id, "in-progress").await;
    assert_eq!(tag_value(&in_progress, "amt"), Some(sats.to_string()));

    let pay = pay_escrow(&env, &mut seller, &mut buyer, id, &hold).await;
    settle_trade(&mut seller, &mut buyer, id).await;
    env.wait_order_status(id, "success").await;
    let record = single_payment(env.net.mostro(), &payout.payment_hash).await;
    let seller_routing = escrow_routing_fee(pay).await;
    let expected = before.after_trade(sats, seller_routing, num(&record, "fee_sat"));
    assert_settled_locals(env.net, expected).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn range_sell_is_taken_twice_until_exhausted() {
    let (server, tuning) = price_server().await;
    let env = setup_tuned(&tuning).await;
    prices_fetched(&server).await;
    let mut seller = env.user("seller", Transport::V2).await;
    let mut first = env.user("first buyer", Transport::V2).await;
    let mut second = env.user("second buyer", Transport::V1).await;
    let before = locals(env.net).await;
    const MIN: i64 = 10;
    const MAX: i64 = 30;
    const FIRST: i64 = 12;
    let price = recorded_usd();

    let range = OrderAmount::Range {
        min: MIN,
        max: MAX,
        premium: 0,
    };
    let posted = env
        .post_order(&seller, &market_order(Kind::Sell, range))
        .await;
    let parent = posted.id;
    let fa: Vec<String> = posted
        .pending
        .tags
        .iter()
        .find(|t| t.as_slice().first().map(String::as_str) == Some("fa"))
        .map(|t| t.as_slice()[1..].to_vec())
        .unwrap();
    assert_eq!(fa, [MIN.to_string(), MAX.to_string()]);

    // First slice: 12 of 10..30.
    let sats1 = market_sats(FIRST, 0, price);
    let (hash1, pay1) =
        take_and_lock(&env, &mut seller, &mut first, parent, sats1, Some(FIRST)).await;
    settle_trade(&mut seller, &mut first, parent).await;
    env.wait_order_status(parent, "success").await;

    // The remainder (10..18) is a new order under the maker's next trade key.
    let reserved = seller
        .client
        .local_order(parent)
        .unwrap()
        .next_trade_index
        .expect("release announced a next trade key");
    let child_event = seller
        .expect_any("child new-order", |e| {
            e.order_id != Some(parent) && matches!(e.update, Update::NewOrder { .. })
        })
        .await;
    assert_eq!(child_event.trade_index, reserved);
    let child = child_event.order_id.unwrap();
    match &child_event.update {
        Update::NewOrder { order } => {
            assert_eq!(order.status, Some(Status::Pending));
            assert_eq!(order.min_amount, Some(MIN));
            assert_eq!(order.max_amount, Some(MAX - FIRST));
        }
        other => panic!("{other:?}"),
    }
    let child_pending = env.wait_order_status(child, "pending").await;
    assert_eq!(
        tag_value(&child_pending, "fa"),
        Some(MIN.to_string()),
        "first fa value is the minimum"
    );

    // Second slice takes everything left: no further child.
    let rest = MAX - FIRST;
    let sats2 = market_sats(rest, 0, price);
    let (hash2, pay2) =
        take_and_lock(&env, &mut seller, &mut second, child, sats2, Some(rest)).await;
    settle_trade(&mut seller, &mut second, child).await;
    env.wait_order_status(child, "success").await;
    let later = seller.updates_within(child, Duration::from_secs(5)).await;
    assert!(
        !later.iter().any(|u| matches!(u, Update::NewOrder { .. })),
        "{later:?}"
    );
    let orders_after = env
        .relay
        .wait_latest(
            ORDER_KIND,
            env.daemon.pubkey(),
            &child.to_string(),
            Duration::from_secs(5),
            |_| true,
        )
        .await;
    assert_eq!(tag_value(&orders_after, "s").as_deref(), Some("success"));
    let seller_orders: Vec<Uuid> = seller
        .client
        .local_orders()
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(
        seller_orders.len(),
        2,
        "parent and one child: {seller_orders:?}"
    );

    let r1 = single_payment(env.net.mostro(), &hash1).await;
    let r2 = single_payment(env.net.mostro(), &hash2).await;
    let (routing1, routing2) = (
        escrow_routing_fee(pay1).await,
        escrow_routing_fee(pay2).await,
    );
    let expected = before
        .after_trade(sats1, routing1, num(&r1, "fee_sat"))
        .after_trade(sats2, routing2, num(&r2, "fee_sat"));
    assert_settled_locals(env.net, expected).await;
}
