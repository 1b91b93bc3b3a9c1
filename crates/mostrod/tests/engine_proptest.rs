//! Property: random input sequences never panic, never produce a status change the
//! table rejects, and never start a second payout while one is in flight.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod engine_support;

use engine_support::*;
use mostro_protocol::action::Action;
use mostro_protocol::order::Kind;
use mostro_protocol::payload::Payload;
use mostrod::engine::transitions::check_transition;
use mostrod::engine::{self, Decision, Effect, Input};
use mostrod::model::Payout;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    User(u8, u8),
    Accepted,
    Canceled,
    PaidOk(bool),
    PaidFail(bool),
    Deadline,
}

fn step_strategy() -> impl Strategy<Value = (Step, u64, bool, u32)> {
    let s = prop_oneof![
        4 => (0u8..3, 0u8..9).prop_map(|(a, b)| Step::User(a, b)),
        1 => Just(Step::Accepted),
        1 => Just(Step::Canceled),
        1 => any::<bool>().prop_map(Step::PaidOk),
        1 => any::<bool>().prop_map(Step::PaidFail),
        2 => Just(Step::Deadline),
    ];
    (s, 0u64..2_000, any::<bool>(), 900u32..1_100)
}

fn user_input(who: u8, what: u8, order_id: uuid::Uuid, index: i64) -> Input {
    let actor = [maker(), taker(), stranger()][usize::from(who)];
    let invoice = || Some(Payload::PaymentRequest(None, "ok-buyer".into(), Some(50)));
    let req = match what {
        0 => actor.indexed(Action::TakeSell, Some(order_id), invoice(), index),
        1 => actor.indexed(
            Action::TakeBuy,
            Some(order_id),
            Some(Payload::Amount(50)),
            index,
        ),
        2 => actor.request(Action::AddInvoice, Some(order_id), invoice()),
        3 => actor.request(Action::FiatSent, Some(order_id), None),
        4 => actor.request(Action::Release, Some(order_id), None),
        5 => actor.request(Action::Cancel, Some(order_id), None),
        6 => actor.request(
            Action::RateUser,
            Some(order_id),
            Some(Payload::RatingUser(5)),
        ),
        7 => actor.indexed(Action::TakeSell, Some(order_id), None, index),
        _ => actor.request(Action::TradePubkey, Some(order_id), None),
    };
    Input::Request(req)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn random_inputs_keep_the_invariants(
        sell in any::<bool>(),
        market in any::<bool>(),
        steps in proptest::collection::vec(step_strategy(), 1..40),
    ) {
        let mut world = World::default();
        let kind = if sell { Kind::Sell } else { Kind::Buy };
        let mut order = create(&world, wire_order(kind, if market { 0 } else { 100_000 }, 50, 0), &maker());
        let mut now = T0;
        let mut index = 1;
        let mut seed = 10u8;
        for (s, dt, resolve, height) in steps {
            now += dt;
            index += 1;
            seed = seed.wrapping_add(1);
            world.chain_height = Some(height);
            world.payout = resolve.then(|| resolved(seed));
            let in_flight = match order.payout {
                Payout::InFlight { payment_hash, .. } => Some(payment_hash),
                _ => None,
            };
            let input = match s {
                Step::User(who, what) => user_input(who, what, order.id, index),
                Step::Accepted => Input::HoldInvoiceAccepted { htlc_expiry_height: Some(1_000) },
                Step::Canceled => Input::HoldInvoiceCanceled,
                Step::PaidOk(right) => Input::PayoutSucceeded { payment_hash: in_flight.filter(|_| right).unwrap_or([0; 32]), routing_fee_sats: 1 },
                Step::PaidFail(right) => Input::PayoutFailed { payment_hash: in_flight.filter(|_| right).unwrap_or([0; 32]) },
                Step::Deadline => Input::Deadline,
            };
            let t = match engine::handle(&order, input, &world.ctx(), ts(now)) {
                Ok(Decision::Commit(t)) => t,
                Ok(Decision::NeedsHoldInvoice(plan)) => match engine::complete_hold_invoice(plan, hold_invoice(seed), ts(now)) {
                    Ok(t) => t,
                    Err(_) => continue,
                },
                Err(_) => continue,
            };
            prop_assert!(check_transition(order.status, t.order.status).is_ok(), "{} -> {}", order.status, t.order.status);
            let payouts = t.effects.iter().filter(|e| matches!(e, Effect::PayBuyer { .. })).count();
            prop_assert!(payouts <= 1);
            if payouts == 1 {
                prop_assert!(in_flight.is_none(), "second payout while one is in flight");
                let now_in_flight = matches!(t.order.payout, Payout::InFlight { .. });
                prop_assert!(now_in_flight);
            }
            order = t.order;
        }
    }
}
