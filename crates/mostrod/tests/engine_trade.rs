//! `fiat-sent`, `release`, the payout and `rate-user` (PROTOCOL.md §5.6–§5.8).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod engine_support;

use engine_support::*;
use mostro_protocol::action::Action;
use mostro_protocol::cant_do::CantDoReason::*;
use mostro_protocol::order::Kind;
use mostro_protocol::payload::{Payload, PaymentFailedInfo};
use mostro_protocol::status::Status;
use mostrod::engine::{Effect, Input, Outgoing, Refusal};
use mostrod::model::Payout;

#[test]
fn fiat_sent_tells_both_sides_the_other_key() {
    let world = World::default();
    let active = active_sell(&world);
    let req = taker().request(Action::FiatSent, Some(active.id), None);
    let t = step(&active, Input::Request(req), &world, T0 + 30).expect("sent");
    assert_eq!(t.order.status, Status::FiatSent);
    let to_seller = message_to(&t, maker().trade, Action::FiatSentOk);
    let to_buyer = message_to(&t, taker().trade, Action::FiatSentOk);
    assert_eq!(
        to_seller.payload(),
        Some(&Payload::Peer(mostro_protocol::payload::Peer::new(
            taker().trade.to_hex()
        )))
    );
    assert_eq!(
        to_buyer.payload(),
        Some(&Payload::Peer(mostro_protocol::payload::Peer::new(
            maker().trade.to_hex()
        )))
    );
    assert_eq!(
        (to_seller.request_id(), to_buyer.request_id()),
        (None, Some(77))
    );
    // Wrong status, then wrong sender.
    assert_eq!(
        step(
            &t.order,
            Input::Request(taker().request(Action::FiatSent, Some(active.id), None)),
            &world,
            T0
        )
        .err(),
        Some(Refusal::CantDo(InvalidOrderStatus))
    );
    assert_eq!(
        step(
            &active,
            Input::Request(maker().request(Action::FiatSent, Some(active.id), None)),
            &world,
            T0
        )
        .err(),
        Some(Refusal::CantDo(InvalidPubkey))
    );
}

#[test]
fn release_settles_pays_and_completes() {
    let mut world = World::default();
    let order = fiat_sent_sell(&world);
    assert_eq!(
        step(
            &order,
            Input::Request(taker().request(Action::Release, Some(order.id), None)),
            &world,
            T0
        )
        .err(),
        Some(Refusal::CantDo(InvalidPeer))
    );
    world.payout = Some(resolved(5));
    let req = maker().request(Action::Release, Some(order.id), None);
    let t = step(&order, Input::Request(req), &world, T0 + 40).expect("released");
    assert_eq!(t.order.status, Status::SettledHoldInvoice);
    let hold = order.hold_invoice.clone().expect("escrow");
    assert_eq!(
        t.effects,
        vec![
            Effect::SettleHoldInvoice {
                hash: hold.hash,
                preimage: hold.preimage
            },
            Effect::PayBuyer {
                payment_hash: [5; 32],
                bolt11: "lnbcrt-payout-5".into(),
                amount_sats: 99_700,
                fee_limit_sats: 200,
                attempt: 1
            },
        ]
    );
    assert_eq!(
        t.order.payout,
        Payout::InFlight {
            payment_hash: [5; 32],
            attempt: 1
        }
    );
    assert_eq!(
        actions(&t),
        vec![
            (taker().trade, Action::Released),
            (maker().trade, Action::HoldInvoicePaymentSettled),
            (maker().trade, Action::Rate),
        ]
    );
    assert_eq!(
        message_to(&t, maker().trade, Action::HoldInvoicePaymentSettled).request_id(),
        Some(77)
    );
    // Not again: the order is no longer fiat-sent.
    assert_eq!(
        step(
            &t.order,
            Input::Request(maker().request(Action::Release, Some(order.id), None)),
            &world,
            T0
        )
        .err(),
        Some(Refusal::CantDo(NotAllowedByStatus))
    );

    let done = step(
        &t.order,
        Input::PayoutSucceeded {
            payment_hash: [5; 32],
            routing_fee_sats: 3,
        },
        &world,
        T0 + 50,
    )
    .expect("paid");
    assert_eq!(done.order.status, Status::Success);
    assert_eq!(
        actions(&done),
        vec![
            (taker().trade, Action::PurchaseCompleted),
            (taker().trade, Action::Rate)
        ]
    );
    assert!(done.outbox.contains(&Outgoing::OrderEvent {
        order_id: order.id,
        bucket: mostrod::engine::Bucket::Success
    }));
    // A stale or foreign result changes nothing.
    assert!(step(
        &done.order,
        Input::PayoutSucceeded {
            payment_hash: [5; 32],
            routing_fee_sats: 3
        },
        &world,
        T0
    )
    .is_err());
    assert!(step(
        &t.order,
        Input::PayoutSucceeded {
            payment_hash: [6; 32],
            routing_fee_sats: 3
        },
        &world,
        T0
    )
    .is_err());
}

#[test]
fn failed_payouts_retry_then_ask_for_a_new_invoice() {
    let mut world = World {
        payout: Some(resolved(5)),
        ..World::default()
    };
    let order = fiat_sent_sell(&world);
    let release = maker().request(Action::Release, Some(order.id), None);
    let mut order = step(&order, Input::Request(release), &world, T0 + 40)
        .expect("released")
        .order;

    // Attempt 1 fails: payment-failed with attempts − 1 and the interval.
    let t = step(
        &order,
        Input::PayoutFailed {
            payment_hash: [5; 32],
        },
        &world,
        T0 + 41,
    )
    .expect("failed");
    assert_eq!(t.order.status, Status::SettledHoldInvoice);
    assert_eq!(
        t.order.payout,
        Payout::Failed {
            attempts: 1,
            retry_at: Some(ts(T0 + 101)),
            awaiting_new_invoice: false
        }
    );
    let failed = message_to(&t, taker().trade, Action::PaymentFailed);
    assert_eq!(
        failed.payload(),
        Some(&Payload::PaymentFailed(PaymentFailedInfo {
            payment_attempts: 2,
            payment_retries_interval: 60
        }))
    );
    order = t.order;
    // Not due yet.
    assert!(step(&order, Input::Deadline, &world, T0 + 100).is_err());
    // Attempt 2 at the deadline; no second payout while it is in flight.
    world.payout = Some(resolved(6));
    let t = step(&order, Input::Deadline, &world, T0 + 101).expect("retry");
    assert_eq!(
        t.order.payout,
        Payout::InFlight {
            payment_hash: [6; 32],
            attempt: 2
        }
    );
    assert!(step(&t.order, Input::Deadline, &world, T0 + 500).is_err());
    let add = taker().request(
        Action::AddInvoice,
        Some(order.id),
        Some(Payload::PaymentRequest(None, "ok-new".into(), None)),
    );
    assert_eq!(
        step(&t.order, Input::Request(add.clone()), &world, T0).err(),
        Some(Refusal::CantDo(NotAllowedByStatus))
    );
    let t = step(
        &t.order,
        Input::PayoutFailed {
            payment_hash: [6; 32],
        },
        &world,
        T0 + 102,
    )
    .expect("failed 2");
    assert!(
        directs(&t).is_empty(),
        "payment-failed only after the first failure"
    );
    // Attempt 3 fails: exhausted, the buyer is asked for a new invoice.
    world.payout = Some(resolved(7));
    let t = step(&t.order, Input::Deadline, &world, T0 + 162).expect("retry 3");
    let t = step(
        &t.order,
        Input::PayoutFailed {
            payment_hash: [7; 32],
        },
        &world,
        T0 + 163,
    )
    .expect("failed 3");
    assert_eq!(
        t.order.payout,
        Payout::Failed {
            attempts: 3,
            retry_at: None,
            awaiting_new_invoice: true
        }
    );
    let ask = order_payload(&message_to(&t, taker().trade, Action::AddInvoice));
    assert_eq!(
        (ask.amount, ask.status),
        (99_700, Some(Status::SettledHoldInvoice))
    );
    assert!(step(&t.order, Input::Deadline, &world, T0 + 10_000).is_err());
    // The replacement invoice resets the counter and makes the payout due at once.
    let t = step(&t.order, Input::Request(add), &world, T0 + 200).expect("updated");
    assert_eq!(t.order.payout, Payout::NotStarted);
    assert_eq!(t.order.buyer_invoice.as_deref(), Some("ok-new"));
    assert_eq!(
        message_to(&t, taker().trade, Action::InvoiceUpdated).request_id(),
        Some(77)
    );
    let mut fresh = resolved(8);
    fresh.destination = "ok-new".into();
    world.payout = Some(fresh);
    let t = step(&t.order, Input::Deadline, &world, T0 + 200).expect("paying");
    assert_eq!(
        t.order.payout,
        Payout::InFlight {
            payment_hash: [8; 32],
            attempt: 1
        }
    );
}

#[test]
fn release_of_a_range_sell_spawns_the_child_with_fresh_timers() {
    let world = World::default();
    let mut wire = wire_order(Kind::Sell, 0, 0, 0);
    wire.min_amount = Some(10);
    wire.max_amount = Some(100);
    let order = create(&world, wire, &maker());
    let take = taker().indexed(
        Action::TakeSell,
        Some(order.id),
        Some(Payload::PaymentRequest(None, "ok-buyer".into(), Some(40))),
        1,
    );
    let order = step(&order, Input::Request(take), &world, T0 + 10)
        .expect("taken")
        .order;
    let order = step(
        &order,
        Input::HoldInvoiceAccepted {
            htlc_expiry_height: None,
        },
        &world,
        T0 + 20,
    )
    .expect("active")
    .order;
    let order = step(
        &order,
        Input::Request(taker().request(Action::FiatSent, Some(order.id), None)),
        &world,
        T0 + 30,
    )
    .expect("sent")
    .order;
    let next_key = key(21);
    let release = maker().request(
        Action::Release,
        Some(order.id),
        Some(Payload::NextTrade(next_key.to_hex(), 4)),
    );
    let later = T0 + 3 * 86_400; // after the parent's take window
    let t = step(&order, Input::Request(release), &world, later).expect("released");
    assert_eq!(t.new_orders.len(), 1);
    let child = &t.new_orders[0];
    assert_eq!(
        (child.min_amount, child.max_amount, child.fiat_amount),
        (Some(10), Some(60), 0)
    );
    assert_eq!(child.range_parent_id, Some(order.id));
    assert_eq!(
        (child.created_at, child.expires_at),
        (ts(later), ts(later + 86_400))
    );
    assert_eq!(
        (
            child.maker.trade_pubkey,
            child.maker.identity_pubkey,
            child.maker.trade_index
        ),
        (next_key, maker().identity, 4)
    );
    let m = message_to(&t, next_key, Action::NewOrder);
    assert_eq!(
        (m.trade_index(), m.request_id(), m.id()),
        (Some(4), Some(77), Some(child.id))
    );
    assert!(buckets(&t).contains(&(child.id, "pending")));
    // Without payout resolution the payout is simply due (runtime resolves, fires).
    assert_eq!(t.order.payout, Payout::NotStarted);
    assert!(!t
        .effects
        .iter()
        .any(|e| matches!(e, Effect::PayBuyer { .. })));
}

#[test]
fn rating_updates_the_rated_identity_once() {
    let world = World {
        payout: Some(resolved(5)),
        ..World::default()
    };
    let order = fiat_sent_sell(&world);
    let settled = step(
        &order,
        Input::Request(maker().request(Action::Release, Some(order.id), None)),
        &world,
        T0 + 40,
    )
    .expect("released")
    .order;
    let rate = |who: Actor, v: u8| {
        Input::Request(who.request(
            Action::RateUser,
            Some(order.id),
            Some(Payload::RatingUser(v)),
        ))
    };
    // Buyer may not rate before success; seller may.
    assert_eq!(
        step(&settled, rate(taker(), 5), &world, T0).err(),
        Some(Refusal::CantDo(InvalidOrderStatus))
    );
    let t = step(&settled, rate(maker(), 4), &world, T0 + 41).expect("rated");
    assert!(t.order.seller_rated);
    let received = message_to(&t, maker().trade, Action::RateReceived);
    assert_eq!(
        (received.payload(), received.request_id()),
        (Some(&Payload::RatingUser(4)), Some(77))
    );
    assert_eq!(t.user_updates.len(), 1);
    let user = &t.user_updates[0];
    assert_eq!(
        (
            user.identity_pubkey,
            user.total_reviews,
            user.total_rating,
            user.last_rating
        ),
        (taker().identity, 1, 2.0, 4)
    );
    let Some(Outgoing::RatingEvent {
        rated_trade_pubkey, ..
    }) = t
        .outbox
        .iter()
        .find(|o| matches!(o, Outgoing::RatingEvent { .. }))
    else {
        panic!("rating event");
    };
    assert_eq!(
        *rated_trade_pubkey,
        taker().trade,
        "d tag is the rated party's trade key"
    );
    // Twice, out of range, and from a stranger: silent.
    assert!(matches!(
        step(&t.order, rate(maker(), 5), &world, T0),
        Err(Refusal::Silent(_))
    ));
    assert!(matches!(
        step(&settled, rate(maker(), 6), &world, T0),
        Err(Refusal::Silent(_))
    ));
    assert!(matches!(
        step(&settled, rate(stranger(), 5), &world, T0),
        Err(Refusal::Silent(_))
    ));
}
