//! `cancel` (PROTOCOL.md §5.9) and timer-driven transitions (§5.13).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod engine_support;

use engine_support::*;
use mostro_protocol::action::Action;
use mostro_protocol::cant_do::CantDoReason::*;
use mostro_protocol::order::Kind;
use mostro_protocol::payload::Payload;
use mostro_protocol::status::Status;
use mostrod::engine::{next_deadline, Effect, Input, Refusal};

fn cancel(who: Actor, id: uuid::Uuid) -> Input {
    Input::Request(who.request(Action::Cancel, Some(id), None))
}

#[test]
fn maker_cancels_a_pending_order() {
    let world = World::default();
    let order = create(&world, wire_order(Kind::Sell, 100_000, 50, 0), &maker());
    assert_eq!(
        step(&order, cancel(stranger(), order.id), &world, T0).err(),
        Some(Refusal::CantDo(IsNotYourOrder))
    );
    let t = step(&order, cancel(maker(), order.id), &world, T0 + 1).expect("canceled");
    assert_eq!(t.order.status, Status::Canceled);
    assert_eq!(actions(&t), vec![(maker().trade, Action::Canceled)]);
    assert_eq!(buckets(&t), vec![(order.id, "canceled")]);
    assert_eq!(
        step(&t.order, cancel(maker(), order.id), &world, T0).err(),
        Some(Refusal::CantDo(OrderAlreadyCanceled))
    );
}

#[test]
fn taker_cancel_resets_but_keeps_a_maker_invoice() {
    let world = World::default();
    let mut wire = wire_order(Kind::Buy, 0, 50, 0);
    wire.buyer_invoice = Some("ok-maker".into());
    let order = create(&world, wire, &maker());
    let take = taker().indexed(Action::TakeBuy, Some(order.id), None, 1);
    let taken = step(&order, Input::Request(take), &world, T0 + 10)
        .expect("taken")
        .order;
    let hash = taken.hold_invoice.as_ref().expect("escrow").hash;
    assert_eq!(
        step(&taken, cancel(stranger(), order.id), &world, T0).err(),
        Some(Refusal::CantDo(InvalidPubkey))
    );
    let t = step(&taken, cancel(taker(), order.id), &world, T0 + 11).expect("reset");
    assert_eq!(t.order.status, Status::Pending);
    assert_eq!(t.order.taker, None);
    assert_eq!(
        (t.order.amount, t.order.fee, t.order.dev_fee),
        (0, 0, 0),
        "market quote dropped"
    );
    assert_eq!(
        t.order.buyer_invoice.as_deref(),
        Some("ok-maker"),
        "§11.33 fix"
    );
    assert_eq!(t.effects, vec![Effect::CancelHoldInvoice { hash }]);
    assert_eq!(
        actions(&t),
        vec![
            (taker().trade, Action::Canceled),
            (maker().trade, Action::NewOrder)
        ]
    );
    assert_eq!(
        message_to(&t, maker().trade, Action::NewOrder).request_id(),
        Some(77)
    );
    assert_eq!(buckets(&t), vec![(order.id, "pending")]);
}

#[test]
fn maker_cancel_of_a_taken_order_tells_both() {
    let world = World::default();
    let order = create(&world, wire_order(Kind::Sell, 100_000, 50, 0), &maker());
    let take = taker().indexed(Action::TakeSell, Some(order.id), None, 1);
    let taken = step(&order, Input::Request(take), &world, T0 + 10)
        .expect("taken")
        .order;
    let t = step(&taken, cancel(maker(), order.id), &world, T0 + 11).expect("canceled");
    assert_eq!(t.order.status, Status::Canceled);
    assert!(t.effects.is_empty(), "no escrow yet");
    assert_eq!(
        actions(&t),
        vec![
            (maker().trade, Action::Canceled),
            (taker().trade, Action::Canceled)
        ]
    );
}

#[test]
fn cooperative_cancel_needs_both_parties() {
    let world = World::default();
    let active = active_sell(&world);
    assert_eq!(
        step(&active, cancel(stranger(), active.id), &world, T0).err(),
        Some(Refusal::CantDo(InvalidPubkey))
    );
    let first = step(&active, cancel(taker(), active.id), &world, T0 + 30).expect("initiated");
    assert_eq!(first.order.status, Status::Active);
    assert_eq!(
        actions(&first),
        vec![
            (taker().trade, Action::CooperativeCancelInitiatedByYou),
            (maker().trade, Action::CooperativeCancelInitiatedByPeer)
        ]
    );
    assert_eq!(
        step(&first.order, cancel(taker(), active.id), &world, T0).err(),
        Some(Refusal::CantDo(InvalidPubkey))
    );
    assert_eq!(
        step(&first.order, cancel(stranger(), active.id), &world, T0).err(),
        Some(Refusal::CantDo(InvalidPubkey))
    );
    let second = step(&first.order, cancel(maker(), active.id), &world, T0 + 31).expect("accepted");
    assert_eq!(second.order.status, Status::CooperativelyCanceled);
    let hash = active.hold_invoice.as_ref().expect("escrow").hash;
    assert_eq!(second.effects, vec![Effect::CancelHoldInvoice { hash }]);
    assert_eq!(
        actions(&second),
        vec![
            (maker().trade, Action::CooperativeCancelAccepted),
            (taker().trade, Action::CooperativeCancelAccepted)
        ]
    );
    assert_eq!(buckets(&second), vec![(active.id, "canceled")]);
    assert!(second.dispute_resolution.is_none());
}

#[test]
fn cancel_after_release_is_not_allowed() {
    let world = World::default();
    let order = fiat_sent_sell(&world);
    let settled = step(
        &order,
        Input::Request(maker().request(Action::Release, Some(order.id), None)),
        &world,
        T0 + 40,
    )
    .expect("released")
    .order;
    assert_eq!(
        step(&settled, cancel(maker(), order.id), &world, T0).err(),
        Some(Refusal::CantDo(NotAllowedByStatus))
    );
}

#[test]
fn pending_orders_expire_silently() {
    let world = World::default();
    let order = create(&world, wire_order(Kind::Sell, 100_000, 50, 0), &maker());
    let due = next_deadline(&order, &world.settings).expect("deadline");
    assert_eq!(due, order.expires_at);
    assert!(step(&order, Input::Deadline, &world, due.as_secs() - 1).is_err());
    let t = step(&order, Input::Deadline, &world, due.as_secs()).expect("expired");
    assert_eq!(t.order.status, Status::Expired);
    assert!(directs(&t).is_empty());
    assert_eq!(buckets(&t), vec![(order.id, "canceled")]);
}

#[test]
fn waiting_timeouts_blame_the_party_on_duty() {
    let world = World::default();
    // Sell order waiting for the buyer-taker's invoice: taker at fault -> back to pending.
    let sell = create(&world, wire_order(Kind::Sell, 100_000, 50, 0), &maker());
    let take = taker().indexed(Action::TakeSell, Some(sell.id), None, 1);
    let waiting = step(&sell, Input::Request(take), &world, T0 + 10)
        .expect("taken")
        .order;
    assert_eq!(next_deadline(&waiting, &world.settings), Some(ts(T0 + 910)));
    assert!(step(&waiting, Input::Deadline, &world, T0 + 909).is_err());
    let t = step(&waiting, Input::Deadline, &world, T0 + 910).expect("reset");
    assert_eq!(t.order.status, Status::Pending);
    assert_eq!(
        actions(&t),
        vec![
            (taker().trade, Action::Canceled),
            (maker().trade, Action::NewOrder)
        ]
    );
    // Sell order waiting for the maker-seller's payment: maker at fault -> canceled.
    let add = taker().request(
        Action::AddInvoice,
        Some(sell.id),
        Some(Payload::PaymentRequest(None, "ok-buyer".into(), None)),
    );
    let paying = step(&waiting, Input::Request(add), &world, T0 + 20)
        .expect("escrow")
        .order;
    let t = step(&paying, Input::Deadline, &world, T0 + 920).expect("canceled");
    assert_eq!(t.order.status, Status::Canceled);
    let hash = paying.hold_invoice.as_ref().expect("escrow").hash;
    assert_eq!(t.effects, vec![Effect::CancelHoldInvoice { hash }]);
    assert_eq!(
        actions(&t),
        vec![
            (maker().trade, Action::Canceled),
            (taker().trade, Action::Canceled)
        ]
    );
}

#[test]
fn escrow_guard_cancels_an_active_trade_near_htlc_expiry() {
    let mut world = World::default();
    let active = active_sell(&world); // HTLC expires at height 1000
    world.chain_height = Some(975);
    assert!(step(&active, Input::Deadline, &world, T0 + 50).is_err());
    world.chain_height = Some(976);
    let t = step(&active, Input::Deadline, &world, T0 + 50).expect("guarded");
    assert_eq!(t.order.status, Status::Canceled);
    assert!(matches!(
        t.effects.as_slice(),
        [Effect::CancelHoldInvoice { .. }]
    ));
}

#[test]
fn vanished_htlc_cancels_active_and_only_warns_later() {
    let world = World::default();
    let active = active_sell(&world);
    let t = step(&active, Input::HoldInvoiceCanceled, &world, T0 + 50).expect("canceled");
    assert_eq!(t.order.status, Status::Canceled);
    assert_eq!(
        actions(&t),
        vec![
            (maker().trade, Action::HoldInvoicePaymentCanceled),
            (taker().trade, Action::HoldInvoicePaymentCanceled),
            (maker().trade, Action::Canceled),
            (taker().trade, Action::Canceled),
        ]
    );
    let sent = fiat_sent_sell(&world);
    let t = step(&sent, Input::HoldInvoiceCanceled, &world, T0 + 50).expect("warned");
    assert_eq!(t.order.status, Status::FiatSent);
    assert_eq!(actions(&t).len(), 2);
}
