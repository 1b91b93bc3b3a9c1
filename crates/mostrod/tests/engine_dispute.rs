//! Engine: disputes opened by the parties and by the escrow guard, closed by the
//! parties themselves, and the escrow guard of disputed orders (PROTOCOL.md §5.10,
//! §5.13).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod engine_support;

use engine_support::*;
use mostro_protocol::action::Action;
use mostro_protocol::cant_do::CantDoReason;
use mostro_protocol::message::Message;
use mostro_protocol::payload::Payload;
use mostro_protocol::status::{DisputeStatus, Status};
use mostrod::engine::{Effect, Input, Outgoing, Refusal, Transition};
use mostrod::model::{Dispute, Order, Side};
use nostr::key::PublicKey;
use uuid::Uuid;

const DISPUTE_ID: Uuid = Uuid::from_u128(0xd15);

fn world() -> World {
    World {
        fresh_id: DISPUTE_ID,
        ..World::default()
    }
}

fn open_by(order: &Order, who: Actor, world: &World) -> Result<Transition, Refusal> {
    let req = who.request(Action::Dispute, Some(order.id), None);
    step(order, Input::Request(req), world, T0 + 40)
}

fn dispute_events(t: &Transition) -> Vec<Uuid> {
    t.outbox
        .iter()
        .filter_map(|o| match o {
            Outgoing::DisputeEvent { dispute_id } => Some(*dispute_id),
            _ => None,
        })
        .collect()
}

/// `fiat_sent_sell` disputed by the buyer: (order, dispute row).
fn disputed(world: &World) -> (Order, Dispute) {
    let t = open_by(&fiat_sent_sell(world), taker(), world).expect("dispute opened");
    (t.order, t.dispute_resolution.expect("dispute row"))
}

#[test]
fn the_buyer_opens_a_dispute_in_fiat_sent() {
    let world = world();
    let order = fiat_sent_sell(&world);
    let t = open_by(&order, taker(), &world).unwrap();
    assert_eq!(t.order.status, Status::Dispute);
    let d = t.dispute_resolution.clone().unwrap();
    assert_eq!(d.id, DISPUTE_ID);
    assert_eq!(d.order_id, order.id);
    assert_eq!(d.status, DisputeStatus::Initiated);
    assert_eq!(d.order_previous_status, Status::FiatSent);
    assert_eq!(d.initiator, Side::Buyer);
    assert_eq!(d.solver_pubkey, None);
    assert_eq!(d.created_at, ts(T0 + 40));
    let by_you = message_to(&t, taker().trade, Action::DisputeInitiatedByYou);
    let by_peer = message_to(&t, maker().trade, Action::DisputeInitiatedByPeer);
    for m in [&by_you, &by_peer] {
        assert!(matches!(m, Message::Order(_)));
        assert_eq!(m.request_id(), Some(77));
        assert_eq!(m.id(), Some(order.id));
        assert_eq!(m.payload(), Some(&Payload::Dispute(DISPUTE_ID, None)));
    }
    assert_eq!(
        by_you.as_json(),
        format!(
            r#"{{"order":{{"version":2,"request_id":77,"trade_index":null,"id":"{}","action":"dispute-initiated-by-you","payload":{{"dispute":["{}",null]}}}}}}"#,
            order.id, DISPUTE_ID
        )
    );
    assert_eq!(dispute_events(&t), vec![DISPUTE_ID]);
    assert!(buckets(&t).is_empty(), "the order event is not republished");
    assert!(t.effects.is_empty());
}

#[test]
fn the_seller_opens_a_dispute_in_active() {
    let world = world();
    let order = active_sell(&world);
    let t = open_by(&order, maker(), &world).unwrap();
    let d = t.dispute_resolution.clone().unwrap();
    assert_eq!(d.initiator, Side::Seller);
    assert_eq!(d.order_previous_status, Status::Active);
    message_to(&t, maker().trade, Action::DisputeInitiatedByYou);
    message_to(&t, taker().trade, Action::DisputeInitiatedByPeer);
}

#[test]
fn a_stranger_cannot_open_a_dispute() {
    let world = world();
    let order = fiat_sent_sell(&world);
    assert_eq!(
        open_by(&order, stranger(), &world),
        cant_do(CantDoReason::InvalidPubkey)
    );
}

#[test]
fn a_dispute_needs_a_running_trade() {
    let world = world();
    let order = create(
        &world,
        wire_order(mostro_protocol::order::Kind::Sell, 100_000, 50, 0),
        &maker(),
    );
    // The maker is the seller of a pending sell order, but nothing is running yet.
    assert_eq!(
        open_by(&order, maker(), &world),
        cant_do(CantDoReason::NotAllowedByStatus)
    );
}

#[test]
fn an_existing_dispute_row_silences_everyone_first() {
    let mut world = world();
    let (order, d) = disputed(&world);
    let mut closed = d.clone();
    closed.status = DisputeStatus::Settled;
    world.disputes = vec![closed];
    // Even a stranger or a wrong status gets no answer: the row is checked first.
    for who in [taker(), maker(), stranger()] {
        assert!(matches!(
            open_by(&order, who, &world),
            Err(Refusal::Silent(_))
        ));
    }
}

#[test]
fn release_during_a_dispute_settles_it() {
    let mut world = world();
    let (order, d) = disputed(&world);
    world.disputes = vec![d.clone()];
    world.payout = Some(resolved(5));
    let req = maker().request(Action::Release, Some(order.id), None);
    let t = step(&order, Input::Request(req), &world, T0 + 50).unwrap();
    assert_eq!(t.order.status, Status::SettledHoldInvoice);
    let closed = t.dispute_resolution.clone().unwrap();
    assert_eq!(closed.id, d.id);
    assert_eq!(closed.status, DisputeStatus::Settled);
    assert_eq!(dispute_events(&t), vec![d.id]);
    let pays = t
        .effects
        .iter()
        .filter(|e| matches!(e, Effect::PayBuyer { .. }))
        .count();
    assert_eq!(pays, 1);
}

#[test]
fn a_cooperative_cancel_during_a_dispute_refunds_the_seller() {
    let mut world = world();
    let (order, d) = disputed(&world);
    world.disputes = vec![d.clone()];
    let first = maker().request(Action::Cancel, Some(order.id), None);
    let order = step(&order, Input::Request(first), &world, T0 + 50)
        .unwrap()
        .order;
    let second = taker().request(Action::Cancel, Some(order.id), None);
    let t = step(&order, Input::Request(second), &world, T0 + 60).unwrap();
    assert_eq!(t.order.status, Status::CooperativelyCanceled);
    let closed = t.dispute_resolution.clone().unwrap();
    assert_eq!(closed.status, DisputeStatus::SellerRefunded);
    assert_eq!(dispute_events(&t), vec![d.id]);
    assert!(t
        .effects
        .iter()
        .any(|e| matches!(e, Effect::CancelHoldInvoice { .. })));
}

#[test]
fn a_release_outside_a_dispute_touches_no_dispute() {
    let mut world = world();
    world.payout = Some(resolved(5));
    let order = fiat_sent_sell(&world);
    let req = maker().request(Action::Release, Some(order.id), None);
    let t = step(&order, Input::Request(req), &world, T0 + 50).unwrap();
    assert_eq!(t.dispute_resolution, None);
    assert!(dispute_events(&t).is_empty());
}

// The escrow HTLC of the fixtures expires at height 1000; the margin is 24 blocks.

#[test]
fn the_escrow_guard_opens_a_dispute_on_fiat_sent_at_the_margin() {
    let mut world = world();
    let order = fiat_sent_sell(&world);
    world.chain_height = Some(975);
    assert!(matches!(
        step(&order, Input::Deadline, &world, T0 + 99),
        Err(Refusal::Silent(_))
    ));
    world.chain_height = Some(976);
    let t = step(&order, Input::Deadline, &world, T0 + 99).unwrap();
    assert_eq!(t.order.status, Status::Dispute);
    let d = t.dispute_resolution.clone().unwrap();
    assert_eq!(d.initiator, Side::Buyer);
    assert_eq!(d.status, DisputeStatus::Initiated);
    let by_you = message_to(&t, taker().trade, Action::DisputeInitiatedByYou);
    assert_eq!(by_you.request_id(), None);
    message_to(&t, maker().trade, Action::DisputeInitiatedByPeer);
    assert_eq!(dispute_events(&t), vec![DISPUTE_ID]);
    assert!(t.effects.is_empty(), "the escrow stays held");
}

fn solver() -> PublicKey {
    key(40)
}

fn taken(d: &Dispute) -> Dispute {
    Dispute {
        status: DisputeStatus::InProgress,
        solver_pubkey: Some(solver()),
        taken_at: Some(ts(T0 + 45)),
        ..d.clone()
    }
}

#[test]
fn the_solver_is_warned_once_within_twice_the_margin() {
    let mut world = world();
    let (order, d) = disputed(&world);
    world.disputes = vec![taken(&d)];
    world.chain_height = Some(951);
    assert!(step(&order, Input::Deadline, &world, T0 + 99).is_err());
    world.chain_height = Some(952);
    let t = step(&order, Input::Deadline, &world, T0 + 99).unwrap();
    assert_eq!(t.order.status, Status::Dispute);
    let warned = t.dispute_resolution.clone().unwrap();
    assert!(warned.solver_warned);
    assert_eq!(warned.status, DisputeStatus::InProgress);
    let note = message_to(&t, solver(), Action::SendDm);
    assert!(matches!(note, Message::Dm(_)));
    let Some(Payload::TextMessage(text)) = note.payload() else {
        panic!("text note expected");
    };
    assert!(text.contains("48 blocks"), "{text}");
    assert!(text.contains("8 h 0 min"), "{text}");
    assert!(t.effects.is_empty());
    // Recorded: no second warning.
    world.disputes = vec![warned];
    world.chain_height = Some(960);
    assert!(matches!(
        step(&order, Input::Deadline, &world, T0 + 99),
        Err(Refusal::Silent(_))
    ));
}

#[test]
fn an_unassigned_dispute_warns_nobody() {
    let mut world = world();
    let (order, d) = disputed(&world);
    world.disputes = vec![d];
    world.chain_height = Some(960);
    assert!(matches!(
        step(&order, Input::Deadline, &world, T0 + 99),
        Err(Refusal::Silent(_))
    ));
}

#[test]
fn a_dispute_open_at_the_margin_refunds_the_seller() {
    let mut world = world();
    let (order, d) = disputed(&world);
    world.disputes = vec![taken(&d)];
    world.chain_height = Some(976);
    let t = step(&order, Input::Deadline, &world, T0 + 99).unwrap();
    assert_eq!(t.order.status, Status::CanceledByAdmin);
    let hash = order.hold_invoice.as_ref().unwrap().hash;
    assert_eq!(t.effects, vec![Effect::CancelHoldInvoice { hash }]);
    assert_eq!(
        t.dispute_resolution.as_ref().map(|d| d.status),
        Some(DisputeStatus::SellerRefunded)
    );
    let recipients: Vec<_> = actions(&t)
        .into_iter()
        .filter(|(_, a)| *a == Action::AdminCanceled)
        .map(|(k, _)| k)
        .collect();
    assert_eq!(recipients, vec![solver(), maker().trade, taker().trade]);
    assert_eq!(buckets(&t), vec![(order.id, "canceled")]);
    // Without a solver only the parties are told.
    world.disputes = vec![d];
    let t = step(&order, Input::Deadline, &world, T0 + 99).unwrap();
    let told: Vec<_> = actions(&t).into_iter().map(|(k, _)| k).collect();
    assert_eq!(told, vec![maker().trade, taker().trade]);
}
