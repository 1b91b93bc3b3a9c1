//! `new-order` (PROTOCOL.md §5.2): the confirmation and every refusal, in check order.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod engine_support;

use engine_support::*;
use mostro_protocol::action::Action;
use mostro_protocol::cant_do::CantDoReason::{self, *};
use mostro_protocol::order::{Kind, SmallOrder};
use mostro_protocol::payload::Payload;
use mostro_protocol::status::Status;
use mostrod::engine::{self, PriceQuote, Refusal};
use mostrod::model::{Pricing, User};

fn try_create(
    world: &World,
    wire: SmallOrder,
    index: Option<i64>,
) -> Result<engine::Transition, Refusal> {
    let mut req = maker().request(Action::NewOrder, None, Some(Payload::Order(wire)));
    req.trade_index = index;
    engine::new_order(&req, &world.ctx(), ORDER_ID, ts(T0))
}

#[test]
fn fixed_sell_order_is_confirmed_and_published() {
    let world = World::default();
    let t = try_create(&world, wire_order(Kind::Sell, 100_000, 50, 0), Some(1)).expect("created");
    assert_eq!(t.previous_status, None);
    assert_eq!(t.order.status, Status::Pending);
    assert_eq!(t.order.pricing, Pricing::Fixed);
    assert_eq!(t.order.fee, 300);
    assert_eq!(t.order.expires_at, ts(T0 + 24 * 3600));
    let m = message_to(&t, maker().trade, Action::NewOrder);
    assert_eq!(m.request_id(), Some(77));
    assert_eq!(m.trade_index(), Some(1));
    assert_eq!(m.id(), Some(ORDER_ID));
    assert_eq!(m.inner().version, 2);
    let shown = order_payload(&m);
    assert_eq!(shown.amount, 100_000);
    assert_eq!(shown.status, Some(Status::Pending));
    assert_eq!(shown.buyer_invoice, None);
    assert_eq!(buckets(&t), vec![(ORDER_ID, "pending")]);
    assert_eq!(t.user_updates.len(), 1);
    assert_eq!(t.user_updates[0].last_trade_index, 1);
    assert_eq!(t.user_updates[0].identity_pubkey, maker().identity);
}

#[test]
fn buy_order_keeps_the_maker_invoice_and_shows_it() {
    let world = World::default();
    let mut wire = wire_order(Kind::Buy, 100_000, 50, 0);
    // The fee is computed first (§11.16 fix): the invoice must be for 100_000 − 300.
    wire.buyer_invoice = Some("amt:99700".into());
    let t = try_create(&world, wire, Some(1)).expect("created");
    assert!(t.order.buyer_invoice_from_maker);
    let shown = order_payload(&message_to(&t, maker().trade, Action::NewOrder));
    assert_eq!(shown.buyer_invoice.as_deref(), Some("amt:99700"));
}

#[test]
fn market_and_range_orders_are_accepted_with_a_fresh_price() {
    let world = World::default();
    let t = try_create(&world, wire_order(Kind::Sell, 0, 50, 2), Some(1)).expect("market");
    assert_eq!(
        (t.order.pricing, t.order.amount, t.order.fee),
        (Pricing::Market, 0, 0)
    );
    let mut range = wire_order(Kind::Buy, 0, 0, 0);
    range.min_amount = Some(10);
    range.max_amount = Some(100);
    let t = try_create(&world, range, Some(1)).expect("range");
    assert!(t.order.is_range());
    assert_eq!(t.order.fiat_amount, 0);
}

#[test]
fn expires_at_zero_means_default_and_far_future_is_capped() {
    let world = World::default();
    let mut wire = wire_order(Kind::Sell, 100_000, 50, 0);
    wire.expires_at = Some(0);
    assert_eq!(
        try_create(&world, wire.clone(), Some(1))
            .expect("ok")
            .order
            .expires_at,
        ts(T0 + 86_400)
    );
    wire.expires_at = Some((T0 + 100 * 86_400) as i64);
    assert_eq!(
        try_create(&world, wire, Some(1))
            .expect("ok")
            .order
            .expires_at,
        ts(T0 + 15 * 86_400)
    );
}

fn known_user(last: i64) -> User {
    User {
        identity_pubkey: maker().identity,
        last_trade_index: last,
        total_reviews: 0,
        total_rating: 0.0,
        last_rating: 0,
        max_rating: 0,
        min_rating: 0,
        solver: None,
        created_at: ts(T0 - 100),
    }
}

#[test]
fn refusals_in_check_order() {
    struct Case {
        name: &'static str,
        wire: SmallOrder,
        world: World,
        index: Option<i64>,
        expected: Refusal,
    }
    let base = || wire_order(Kind::Sell, 100_000, 50, 0);
    let with = |f: &dyn Fn(&mut SmallOrder)| {
        let mut w = base();
        f(&mut w);
        w
    };
    let cant = |r: CantDoReason| Refusal::CantDo(r);
    let known = |last| World {
        users: vec![known_user(last)],
        ..World::default()
    };
    let cases = vec![
        Case {
            name: "index not above last",
            wire: base(),
            world: known(5),
            index: Some(5),
            expected: cant(InvalidTradeIndex),
        },
        Case {
            name: "index 0 from a known identity",
            wire: base(),
            world: known(0),
            index: Some(0),
            expected: cant(InvalidTradeIndex),
        },
        Case {
            name: "missing index in reputation mode",
            wire: base(),
            world: World::default(),
            index: None,
            expected: Refusal::Silent("reputation-mode request without trade index"),
        },
        Case {
            name: "bad maker invoice",
            wire: with(&|w| w.buyer_invoice = Some("amt:100000".into())),
            world: World::default(),
            index: Some(1),
            expected: cant(InvalidInvoice),
        },
        Case {
            name: "currency not accepted",
            wire: with(&|w| w.fiat_code = "XXX".into()),
            world: World::default(),
            index: Some(1),
            expected: cant(InvalidFiatCurrency),
        },
        Case {
            name: "zero fiat amount",
            wire: with(&|w| w.fiat_amount = 0),
            world: World::default(),
            index: Some(1),
            expected: cant(InvalidAmount),
        },
        Case {
            name: "negative amount",
            wire: with(&|w| w.amount = -1),
            world: World::default(),
            index: Some(1),
            expected: cant(InvalidAmount),
        },
        Case {
            name: "range with amount",
            wire: with(&|w| {
                w.min_amount = Some(1);
                w.max_amount = Some(5);
            }),
            world: World::default(),
            index: Some(1),
            expected: cant(InvalidAmount),
        },
        Case {
            name: "range min >= max",
            wire: with(&|w| {
                w.amount = 0;
                w.min_amount = Some(5);
                w.max_amount = Some(5);
            }),
            world: World::default(),
            index: Some(1),
            expected: cant(InvalidAmount),
        },
        Case {
            name: "half-set range",
            wire: with(&|w| {
                w.amount = 0;
                w.min_amount = Some(5);
            }),
            world: World::default(),
            index: Some(1),
            expected: cant(InvalidAmount),
        },
        Case {
            name: "fixed amount with premium",
            wire: with(&|w| w.premium = 1),
            world: World::default(),
            index: Some(1),
            expected: cant(InvalidParameters),
        },
        Case {
            name: "sats above max",
            wire: with(&|w| w.amount = 1_000_001),
            world: World::default(),
            index: Some(1),
            expected: cant(OutOfRangeSatsAmount),
        },
        Case {
            name: "sats below min",
            wire: with(&|w| w.amount = 99),
            world: World::default(),
            index: Some(1),
            expected: cant(OutOfRangeSatsAmount),
        },
        // 10_000 USD at 50_000 = 20_000_000 sats > max
        Case {
            name: "market quote above max",
            wire: with(&|w| {
                w.amount = 0;
                w.fiat_amount = 10_000;
            }),
            world: World::default(),
            index: Some(1),
            expected: cant(OutOfRangeSatsAmount),
        },
        Case {
            name: "range max quote above max",
            wire: with(&|w| {
                w.amount = 0;
                w.fiat_amount = 0;
                w.min_amount = Some(10);
                w.max_amount = Some(10_000);
            }),
            world: World::default(),
            index: Some(1),
            expected: cant(OutOfRangeSatsAmount),
        },
        Case {
            name: "stale price",
            wire: with(&|w| w.amount = 0),
            world: World {
                price: Some(PriceQuote {
                    price: 50_000.0,
                    fetched_at: ts(T0 - 1801),
                }),
                ..World::default()
            },
            index: Some(1),
            expected: cant(PriceTooStale),
        },
        Case {
            name: "no price",
            wire: with(&|w| w.amount = 0),
            world: World {
                price: None,
                ..World::default()
            },
            index: Some(1),
            expected: cant(PriceTooStale),
        },
        Case {
            name: "no kind",
            wire: with(&|w| w.kind = None),
            world: World::default(),
            index: Some(1),
            expected: cant(InvalidOrderKind),
        },
    ];
    for case in cases {
        let got = try_create(&case.world, case.wire, case.index);
        assert_eq!(got.err(), Some(case.expected), "{}", case.name);
    }
}

#[test]
fn full_privacy_maker_records_no_user() {
    let world = World::default();
    let anon = Actor::full_privacy(40);
    let req = anon.request(
        Action::NewOrder,
        None,
        Some(Payload::Order(wire_order(Kind::Sell, 100_000, 50, 0))),
    );
    let t = engine::new_order(&req, &world.ctx(), ORDER_ID, ts(T0)).expect("created");
    assert!(t.user_updates.is_empty());
    assert_eq!(t.order.maker.trade_index, 0);
    // Replies use the request's transport (gift wrap = version 1).
    assert_eq!(
        message_to(&t, anon.trade, Action::NewOrder).inner().version,
        1
    );
}
