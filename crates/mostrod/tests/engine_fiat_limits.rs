//! Per-currency fiat limits (our extension): enforced at `new-order` on the fiat
//! amount and on both ends of a range, and at take on the traded fiat amount, with
//! `cant-do` `out_of_range_fiat_amount`.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod engine_support;

use std::collections::BTreeMap;

use engine_support::*;
use mostro_protocol::action::Action;
use mostro_protocol::cant_do::CantDoReason::*;
use mostro_protocol::order::{Kind, SmallOrder};
use mostro_protocol::payload::Payload;
use mostro_protocol::status::Status;
use mostrod::engine::{self, FiatBounds, Input, Refusal, Transition};

/// The default world (1 BTC = 50 000 USD) with USD limited to `[min, max]`.
fn limited_to(min: u64, max: u64) -> World {
    let mut world = World::default();
    world.settings.fiat_limits = BTreeMap::from([("USD".to_owned(), FiatBounds { min, max })]);
    world
}

/// USD limited to `[10, 500]`: 10 USD = 20 000 sats and 500 USD = 1 000 000 sats,
/// both inside the default sats limits.
fn limited_world() -> World {
    limited_to(10, 500)
}

fn try_create(world: &World, wire: SmallOrder) -> Result<Transition, Refusal> {
    let req = maker().indexed(Action::NewOrder, None, Some(Payload::Order(wire)), 1);
    engine::new_order(&req, &world.ctx(), ORDER_ID, ts(T0))
}

fn range(min: i64, max: i64) -> SmallOrder {
    let mut wire = wire_order(Kind::Sell, 0, 0, 0);
    wire.min_amount = Some(min);
    wire.max_amount = Some(max);
    wire
}

fn take_sell(order_id: uuid::Uuid, payload: Option<Payload>) -> Input {
    Input::Request(taker().indexed(Action::TakeSell, Some(order_id), payload, 1))
}

#[test]
fn fiat_amounts_at_the_limits_are_accepted() {
    let world = limited_world();
    for fiat in [10, 500] {
        let t = try_create(&world, wire_order(Kind::Sell, 0, fiat, 0))
            .unwrap_or_else(|r| panic!("{fiat} USD refused: {r:?}"));
        assert_eq!(t.order.fiat_amount, fiat);
    }
    // A fixed-sats order is limited on its fiat amount too.
    assert!(try_create(&world, wire_order(Kind::Buy, 30_000, 15, 0)).is_ok());
    let t = try_create(&world, range(10, 500)).expect("range within limits");
    assert_eq!(
        (t.order.min_amount, t.order.max_amount),
        (Some(10), Some(500))
    );
}

#[test]
fn fiat_amounts_outside_the_limits_are_refused() {
    let world = limited_world();
    let cases = [
        ("market below min", wire_order(Kind::Sell, 0, 9, 0)),
        ("market above max", wire_order(Kind::Buy, 0, 501, 0)),
        (
            "fixed sats, fiat below min",
            wire_order(Kind::Sell, 30_000, 5, 0),
        ),
        ("range starting below min", range(9, 100)),
        ("range ending above max", range(100, 501)),
        ("range around the limits", range(1, 1_000)),
    ];
    for (name, wire) in cases {
        assert_eq!(
            try_create(&world, wire).err(),
            Some(Refusal::CantDo(OutOfRangeFiatAmount)),
            "{name}"
        );
    }
}

#[test]
fn currencies_without_limits_are_not_fiat_limited() {
    let world = limited_world();
    let mut wire = wire_order(Kind::Sell, 0, 1, 0);
    wire.fiat_code = "EUR".to_owned();
    // 1 EUR at 50 000 is 2 000 sats: only the sats limits apply.
    assert!(try_create(&world, wire).is_ok());
}

#[test]
fn fiat_limits_run_after_the_currency_and_shape_checks_and_before_the_price() {
    let mut world = limited_world();
    let mut unknown = wire_order(Kind::Sell, 0, 1, 0);
    unknown.fiat_code = "JPY".to_owned();
    assert_eq!(
        try_create(&world, unknown).err(),
        Some(Refusal::CantDo(InvalidFiatCurrency))
    );
    assert_eq!(
        try_create(&world, range(400, 5)).err(),
        Some(Refusal::CantDo(InvalidAmount)),
        "an inverted range is an invalid amount first"
    );
    // No price is needed to refuse an amount outside the fiat limits.
    world.price = None;
    assert_eq!(
        try_create(&world, wire_order(Kind::Sell, 0, 600, 0)).err(),
        Some(Refusal::CantDo(OutOfRangeFiatAmount))
    );
    assert_eq!(
        try_create(&world, wire_order(Kind::Sell, 0, 100, 0)).err(),
        Some(Refusal::CantDo(PriceTooStale))
    );
}

#[test]
fn sats_limits_still_apply_inside_the_fiat_limits() {
    let world = limited_to(1, 10_000);
    // 1 000 USD = 2 000 000 sats > max_order_amount.
    assert_eq!(
        try_create(&world, wire_order(Kind::Sell, 0, 1_000, 0)).err(),
        Some(Refusal::CantDo(OutOfRangeSatsAmount))
    );
}

#[test]
fn take_checks_the_taken_amount_against_the_current_limits() {
    // Created while USD was unlimited; USD is limited to [10, 400] before the take.
    let order = create(&World::default(), range(5, 500), &maker());
    let world = limited_to(10, 400);

    let t = step(
        &order,
        take_sell(order.id, Some(Payload::Amount(400))),
        &world,
        T0 + 10,
    )
    .expect("400 USD is within the limits");
    assert_eq!((t.order.fiat_amount, t.order.amount), (400, 800_000));
    assert_eq!(t.order.status, Status::WaitingBuyerInvoice);

    for amount in [5, 9, 401, 500] {
        assert_eq!(
            step(
                &order,
                take_sell(order.id, Some(Payload::Amount(amount))),
                &world,
                T0 + 10,
            )
            .err(),
            Some(Refusal::CantDo(OutOfRangeFiatAmount)),
            "{amount} USD"
        );
    }
    // Outside the order's own range stays the protocol's sats reason (§5.3).
    assert_eq!(
        step(
            &order,
            take_sell(order.id, Some(Payload::Amount(501))),
            &world,
            T0 + 10,
        )
        .err(),
        Some(Refusal::CantDo(OutOfRangeSatsAmount))
    );
    // The amount may also come as the third element of a payment request.
    assert_eq!(
        step(
            &order,
            take_sell(
                order.id,
                Some(Payload::PaymentRequest(None, "ok-buyer".into(), Some(9))),
            ),
            &world,
            T0 + 10,
        )
        .err(),
        Some(Refusal::CantDo(OutOfRangeFiatAmount))
    );
}

#[test]
fn take_of_a_fixed_order_outside_tightened_limits_is_refused() {
    let order = create(
        &World::default(),
        wire_order(Kind::Buy, 100_000, 50, 0),
        &maker(),
    );
    let world = limited_to(60, 500);
    let take_buy = Input::Request(taker().indexed(Action::TakeBuy, Some(order.id), None, 1));
    assert_eq!(
        step(&order, take_buy.clone(), &world, T0 + 10).err(),
        Some(Refusal::CantDo(OutOfRangeFiatAmount))
    );
    let t = step(&order, take_buy, &limited_world(), T0 + 10).expect("50 USD within [10, 500]");
    assert_eq!(t.order.status, Status::WaitingPayment);
}
