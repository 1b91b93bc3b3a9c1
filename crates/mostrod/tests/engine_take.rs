//! `take-sell` / `take-buy`, the hold invoice and `add-invoice` (PROTOCOL.md §5.3–§5.5).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod engine_support;

use engine_support::*;
use mostro_protocol::action::Action;
use mostro_protocol::cant_do::CantDoReason::*;
use mostro_protocol::order::Kind;
use mostro_protocol::payload::Payload;
use mostro_protocol::status::Status;
use mostrod::engine::{self, Decision, Input, Refusal};

fn take(action: Action, order_id: uuid::Uuid, payload: Option<Payload>) -> Input {
    Input::Request(taker().indexed(action, Some(order_id), payload, 1))
}

#[test]
fn take_sell_without_invoice_asks_the_buyer() {
    let world = World::default();
    let order = create(&world, wire_order(Kind::Sell, 100_000, 50, 0), &maker());
    let t = step(
        &order,
        take(Action::TakeSell, order.id, None),
        &world,
        T0 + 10,
    )
    .expect("taken");
    assert_eq!(t.order.status, Status::WaitingBuyerInvoice);
    assert_eq!(t.order.taken_at, Some(ts(T0 + 10)));
    assert_eq!(t.order.dev_fee, 180);
    let ask = message_to(&t, taker().trade, Action::AddInvoice);
    assert_eq!(ask.request_id(), Some(77));
    assert_eq!(ask.trade_index(), Some(1));
    let shown = order_payload(&ask);
    assert_eq!(shown.amount, 99_700);
    assert_eq!(shown.status, Some(Status::WaitingBuyerInvoice));
    assert_eq!(shown.buyer_trade_pubkey, None);
    let wait = message_to(&t, maker().trade, Action::WaitingBuyerInvoice);
    assert_eq!(wait.payload(), None);
    assert_eq!(buckets(&t), vec![(order.id, "in-progress")]);
    assert_eq!(t.user_updates[0].identity_pubkey, taker().identity);
}

#[test]
fn take_sell_with_invoice_creates_the_escrow_and_publishes_in_progress() {
    let world = World::default();
    let order = create(&world, wire_order(Kind::Sell, 100_000, 50, 0), &maker());
    let payload = Payload::PaymentRequest(None, "amt:99700".into(), None);
    let decision = engine::handle(
        &order,
        take(Action::TakeSell, order.id, Some(payload)),
        &world.ctx(),
        ts(T0 + 10),
    )
    .expect("accepted");
    let Decision::NeedsHoldInvoice(plan) = decision else {
        panic!("expected a hold invoice plan");
    };
    assert_eq!(plan.amount_sats, 100_300);
    assert_eq!(plan.cltv_delta, 144);
    let t = engine::complete_hold_invoice(plan, hold_invoice(9), ts(T0 + 11)).expect("completed");
    assert_legal(&t);
    assert_eq!(t.order.status, Status::WaitingPayment);
    assert_eq!(t.order.taken_at, Some(ts(T0 + 11)));
    let pay = message_to(&t, maker().trade, Action::PayInvoice);
    let Some(Payload::PaymentRequest(Some(shown), bolt11, None)) = pay.payload() else {
        panic!("expected payment_request");
    };
    assert_eq!(shown.amount, 100_300);
    assert_eq!(shown.status, Some(Status::WaitingPayment));
    assert_eq!(shown.buyer_invoice, None);
    assert_eq!(bolt11, "lnbcrt-hold-9");
    assert_eq!(pay.trade_index(), None);
    let wait = message_to(&t, taker().trade, Action::WaitingSellerToPay);
    assert_eq!((wait.request_id(), wait.trade_index()), (Some(77), Some(1)));
    assert_eq!(buckets(&t), vec![(order.id, "in-progress")]);
}

#[test]
fn hold_invoice_with_a_wrong_preimage_is_refused() {
    let world = World::default();
    let order = create(&world, wire_order(Kind::Buy, 100_000, 50, 0), &maker());
    let Ok(Decision::NeedsHoldInvoice(plan)) = engine::handle(
        &order,
        take(Action::TakeBuy, order.id, None),
        &world.ctx(),
        ts(T0 + 10),
    ) else {
        panic!("expected a plan");
    };
    let mut created = hold_invoice(9);
    created.hash[0] ^= 1;
    assert!(matches!(
        engine::complete_hold_invoice(plan, created, ts(T0)),
        Err(Refusal::Silent(_))
    ));
}

#[test]
fn take_buy_then_lock_without_invoice_asks_the_maker() {
    let mut world = World::default();
    world.users.push(mostrod::model::User {
        identity_pubkey: taker().identity,
        last_trade_index: 0,
        total_reviews: 3,
        total_rating: 4.5,
        last_rating: 5,
        max_rating: 5,
        min_rating: 4,
        solver: None,
        created_at: ts(T0 - 10 * 86_400),
    });
    let order = create(&world, wire_order(Kind::Buy, 100_000, 50, 0), &maker());
    let t = step(
        &order,
        take(Action::TakeBuy, order.id, None),
        &world,
        T0 + 10,
    )
    .expect("taken");
    assert_eq!(t.order.status, Status::WaitingPayment);
    let pay = message_to(&t, taker().trade, Action::PayInvoice);
    assert_eq!(pay.trade_index(), Some(1));
    message_to(&t, maker().trade, Action::WaitingSellerToPay);
    assert_eq!(buckets(&t), vec![(order.id, "in-progress")]);

    let t = step(
        &t.order,
        Input::HoldInvoiceAccepted {
            htlc_expiry_height: Some(900),
        },
        &world,
        T0 + 20,
    )
    .expect("locked");
    assert_eq!(t.order.status, Status::WaitingBuyerInvoice);
    assert_eq!(t.order.taken_at, Some(ts(T0 + 20)));
    let asks: Vec<_> = directs(&t)
        .into_iter()
        .filter(|(k, m)| *k == maker().trade && m.action() == Action::AddInvoice)
        .collect();
    assert_eq!(asks.len(), 2, "add-invoice and the taker reputation notice");
    assert_eq!(order_payload(&asks[0].1).amount, 99_700);
    assert_eq!(asks[0].1.request_id(), Some(77));
    let Some(Payload::Peer(peer)) = asks[1].1.payload() else {
        panic!("notice")
    };
    assert_eq!(peer.pubkey, "");
    let info = peer.reputation.clone().expect("reputation");
    assert_eq!((info.reviews, info.operating_days), (3, 10));
    message_to(&t, taker().trade, Action::WaitingBuyerInvoice);
    assert!(buckets(&t).is_empty());

    // The buyer's invoice now makes the trade active, revealing both keys.
    let add = maker().request(
        Action::AddInvoice,
        Some(order.id),
        Some(Payload::PaymentRequest(None, "amt:99700".into(), None)),
    );
    let t = step(&t.order, Input::Request(add), &world, T0 + 30).expect("active");
    assert_eq!(t.order.status, Status::Active);
    let to_seller = order_payload(&message_to(&t, taker().trade, Action::BuyerTookOrder));
    let to_buyer = order_payload(&message_to(
        &t,
        maker().trade,
        Action::HoldInvoicePaymentAccepted,
    ));
    assert_eq!((to_seller.amount, to_buyer.amount), (100_300, 99_700));
    assert_eq!(to_seller.buyer_trade_pubkey, Some(maker().trade.to_hex()));
    assert_eq!(to_buyer.seller_trade_pubkey, Some(taker().trade.to_hex()));
}

#[test]
fn add_invoice_before_escrow_creates_it_after_the_reputation_notice() {
    let world = World::default();
    let order = create(&world, wire_order(Kind::Sell, 100_000, 50, 0), &maker());
    let order = step(
        &order,
        take(Action::TakeSell, order.id, None),
        &world,
        T0 + 10,
    )
    .expect("taken")
    .order;
    let add = taker().request(
        Action::AddInvoice,
        Some(order.id),
        Some(Payload::PaymentRequest(None, "ok-buyer".into(), None)),
    );
    let t = step(&order, Input::Request(add), &world, T0 + 20).expect("escrow");
    assert_eq!(t.order.status, Status::WaitingPayment);
    assert_eq!(t.order.taken_at, Some(ts(T0 + 20)));
    assert_eq!(t.order.hold_request_id, Some(77));
    message_to(&t, maker().trade, Action::PayInvoice);
    message_to(&t, taker().trade, Action::WaitingSellerToPay);
    assert!(buckets(&t).is_empty(), "already published in-progress");
    let locked = step(
        &t.order,
        Input::HoldInvoiceAccepted {
            htlc_expiry_height: None,
        },
        &world,
        T0 + 30,
    )
    .expect("active");
    assert_eq!(locked.order.status, Status::Active);
    assert_eq!(
        message_to(&locked, maker().trade, Action::BuyerTookOrder).request_id(),
        Some(77)
    );
    // A second acceptance report is stale.
    assert!(matches!(
        step(
            &locked.order,
            Input::HoldInvoiceAccepted {
                htlc_expiry_height: None
            },
            &world,
            T0 + 31
        ),
        Err(Refusal::Silent(_))
    ));
}

#[test]
fn market_range_take_prices_the_requested_slice() {
    let world = World::default();
    let mut wire = wire_order(Kind::Sell, 0, 0, 1);
    wire.min_amount = Some(10);
    wire.max_amount = Some(100);
    let order = create(&world, wire, &maker());
    let t = step(
        &order,
        take(Action::TakeSell, order.id, Some(Payload::Amount(50))),
        &world,
        T0 + 10,
    )
    .expect("taken");
    // 50 / 50_000 * 1e8 = 100_000; minus 1 % = 99_000
    assert_eq!(
        (t.order.amount, t.order.fee, t.order.fiat_amount),
        (99_000, 297, 50)
    );
    assert_eq!(
        order_payload(&message_to(&t, taker().trade, Action::AddInvoice)).amount,
        98_703
    );
}

#[test]
fn take_refusals() {
    let world = World::default();
    let sell = create(&world, wire_order(Kind::Sell, 100_000, 50, 0), &maker());
    let mut range_wire = wire_order(Kind::Sell, 0, 0, 0);
    range_wire.min_amount = Some(10);
    range_wire.max_amount = Some(100);
    let range = create(&world, range_wire, &maker());
    let market = create(&world, wire_order(Kind::Sell, 0, 50, 0), &maker());
    let busy = World {
        pending_order_exists: true,
        ..World::default()
    };
    let no_price = World {
        price: None,
        ..World::default()
    };
    let taken = step(&sell, take(Action::TakeSell, sell.id, None), &world, T0 + 1)
        .expect("taken")
        .order;
    let mut other = sell.clone();
    other.id = uuid::Uuid::from_u128(99);

    let cases: Vec<(&str, &mostrod::model::Order, Input, &World, u64, Refusal)> = vec![
        (
            "someone else's order id",
            &other,
            take(Action::TakeSell, sell.id, None),
            &world,
            T0,
            Refusal::CantDo(NotFound),
        ),
        (
            "taker busy",
            &sell,
            take(Action::TakeSell, sell.id, None),
            &busy,
            T0,
            Refusal::CantDo(PendingOrderExists),
        ),
        (
            "wrong kind",
            &sell,
            take(Action::TakeBuy, sell.id, None),
            &world,
            T0,
            Refusal::CantDo(InvalidOrderKind),
        ),
        (
            "already taken",
            &taken,
            take(Action::TakeSell, sell.id, None),
            &world,
            T0 + 2,
            Refusal::CantDo(InvalidOrderStatus),
        ),
        (
            "expired",
            &sell,
            take(Action::TakeSell, sell.id, None),
            &world,
            T0 + 86_400,
            Refusal::CantDo(InvalidOrderStatus),
        ),
        (
            "maker takes own order",
            &sell,
            Input::Request(maker().indexed(Action::TakeSell, Some(sell.id), None, 2)),
            &world,
            T0,
            Refusal::CantDo(InvalidPubkey),
        ),
        (
            "range amount missing",
            &range,
            take(Action::TakeSell, range.id, None),
            &world,
            T0,
            Refusal::CantDo(OutOfRangeSatsAmount),
        ),
        (
            "range amount outside",
            &range,
            take(Action::TakeSell, range.id, Some(Payload::Amount(101))),
            &world,
            T0,
            Refusal::CantDo(OutOfRangeSatsAmount),
        ),
        (
            "no price",
            &market,
            take(Action::TakeSell, market.id, None),
            &no_price,
            T0,
            Refusal::CantDo(PriceTooStale),
        ),
        (
            "bad invoice amount",
            &sell,
            take(
                Action::TakeSell,
                sell.id,
                Some(Payload::PaymentRequest(None, "amt:100000".into(), None)),
            ),
            &world,
            T0,
            Refusal::CantDo(InvalidInvoice),
        ),
    ];
    for (name, order, input, w, now, expected) in cases {
        assert_eq!(step(order, input, w, now).err(), Some(expected), "{name}");
    }
}

#[test]
fn add_invoice_refusals() {
    let world = World::default();
    let sell = create(&world, wire_order(Kind::Sell, 100_000, 50, 0), &maker());
    let waiting = step(&sell, take(Action::TakeSell, sell.id, None), &world, T0 + 1)
        .expect("taken")
        .order;
    let add = |who: Actor, dest: &str| {
        Input::Request(who.request(
            Action::AddInvoice,
            Some(sell.id),
            Some(Payload::PaymentRequest(None, dest.into(), None)),
        ))
    };
    assert_eq!(
        step(&waiting, add(maker(), "ok"), &world, T0).err(),
        Some(Refusal::CantDo(InvalidPeer))
    );
    assert_eq!(
        step(&waiting, add(taker(), "amt:100000"), &world, T0).err(),
        Some(Refusal::CantDo(InvalidInvoice))
    );
    let active = active_sell(&world);
    assert_eq!(
        step(&active, add(taker(), "ok"), &world, T0).err(),
        Some(Refusal::CantDo(NotAllowedByStatus))
    );
    assert_eq!(
        step(
            &sell,
            Input::Request(taker().request(Action::PayInvoice, Some(sell.id), None)),
            &world,
            T0
        )
        .err(),
        Some(Refusal::CantDo(InvalidAction))
    );
    // Disputes are handled now (engine_dispute.rs): the buyer of an active trade opens one.
    assert!(step(
        &active,
        Input::Request(taker().request(Action::Dispute, Some(sell.id), None)),
        &world,
        T0
    )
    .is_ok_and(|t| t.order.status == Status::Dispute));
}

#[test]
fn market_order_sats_are_computed_at_take_from_the_current_price() {
    let world = World::default();
    // 100 USD at a +2 % premium, created while 1 BTC = 50 000 USD.
    let order = create(&world, wire_order(Kind::Sell, 0, 100, 2), &maker());
    assert_eq!((order.amount, order.fee), (0, 0), "not priced at creation");
    let later = World {
        price: Some(engine::PriceQuote {
            price: 40_000.0,
            fetched_at: ts(T0 + 50),
        }),
        ..World::default()
    };
    let t = step(
        &order,
        take(Action::TakeSell, order.id, None),
        &later,
        T0 + 60,
    )
    .expect("taken");
    // 100 / 40 000 × 1e8 = 250 000; minus 2 % = 245 000; fee round(0.006 × 245 000 / 2).
    assert_eq!(
        (t.order.amount, t.order.fee, t.order.fiat_amount),
        (245_000, 735, 100)
    );
    assert_eq!(
        order_payload(&message_to(&t, taker().trade, Action::AddInvoice)).amount,
        245_000 - 735
    );
}

#[test]
fn market_take_with_a_stale_price_is_refused() {
    let world = World::default();
    let order = create(&world, wire_order(Kind::Buy, 0, 100, 0), &maker());
    let staleness = world.settings.max_price_staleness_seconds;
    let take_buy = || take(Action::TakeBuy, order.id, None);
    // The quote was fetched at T0: exactly at the limit it is still usable.
    assert!(step(&order, take_buy(), &world, T0 + staleness).is_ok());
    assert_eq!(
        step(&order, take_buy(), &world, T0 + staleness + 1).err(),
        Some(Refusal::CantDo(PriceTooStale))
    );
    // A fixed-sats order needs no price at all.
    let fixed = create(&world, wire_order(Kind::Buy, 100_000, 50, 0), &maker());
    let no_price = World {
        price: None,
        ..World::default()
    };
    assert!(step(
        &fixed,
        take(Action::TakeBuy, fixed.id, None),
        &no_price,
        T0 + 10
    )
    .is_ok());
}
