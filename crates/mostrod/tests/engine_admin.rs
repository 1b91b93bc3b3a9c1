//! Engine: solver actions (PROTOCOL.md §5.10): `admin-take-dispute`, `admin-settle`,
//! `admin-cancel` and `admin-add-solver`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod engine_support;

use engine_support::*;
use mostro_protocol::action::Action;
use mostro_protocol::cant_do::CantDoReason;
use mostro_protocol::message::Message;
use mostro_protocol::payload::{BondResolution, Payload, Peer};
use mostro_protocol::status::{DisputeStatus, Status};
use mostrod::engine::{self, DisputeTokens, Effect, Input, Outgoing, Refusal, Request, Transition};
use mostrod::model::{Dispute, Order, Solver, SolverRole, Transport, User};
use nostr::key::PublicKey;
use nostr::nips::nip19::ToBech32;
use uuid::Uuid;

const DISPUTE_ID: Uuid = Uuid::from_u128(0xd15);

/// Solvers write from their identity key.
fn solver(seed: u8) -> Actor {
    Actor {
        trade: key(seed),
        identity: key(seed),
        transport: Transport::Nip44,
    }
}
fn rw() -> Actor {
    solver(40)
}
fn ro() -> Actor {
    solver(41)
}
fn rw2() -> Actor {
    solver(42)
}
fn node() -> Actor {
    solver(50)
}

fn row(a: Actor, role: SolverRole) -> Solver {
    Solver {
        pubkey: a.identity,
        role,
        last_trade_index: 0,
        created_at: ts(T0),
    }
}

/// A world with the node key and three registered solvers.
fn world() -> World {
    World {
        fresh_id: DISPUTE_ID,
        node: Some(node().identity),
        solvers: vec![
            row(rw(), SolverRole::ReadWrite),
            row(ro(), SolverRole::Read),
            row(rw2(), SolverRole::ReadWrite),
        ],
        ..World::default()
    }
}

/// `fiat_sent_sell` disputed by the buyer; the world knows the dispute row.
fn disputed(world: &mut World) -> (Order, Dispute) {
    let order = fiat_sent_sell(world);
    let req = taker().request(Action::Dispute, Some(order.id), None);
    let t = step(&order, Input::Request(req), world, T0 + 40).unwrap();
    let d = t.dispute_resolution.unwrap();
    world.disputes = vec![d.clone()];
    (t.order, d)
}

fn take(order: &Order, who: Actor, world: &World) -> Result<Transition, Refusal> {
    let req = who.request(Action::AdminTakeDispute, Some(DISPUTE_ID), None);
    step(order, Input::Request(req), world, T0 + 45)
}

/// Disputed and taken by `who`; the world knows the taken row.
fn taken_by(world: &mut World, who: Actor) -> Order {
    let (order, _) = disputed(world);
    let t = take(&order, who, world).expect("taken");
    world.disputes = vec![t.dispute_resolution.unwrap()];
    t.order
}

/// `action` (no payload) by `who` on `order`, a little after the dispute.
fn act(order: &Order, who: Actor, action: Action, world: &World) -> Result<Transition, Refusal> {
    step(
        order,
        Input::Request(admin(order, who, action, None)),
        world,
        T0 + 50,
    )
}

fn admin(order: &Order, who: Actor, action: Action, payload: Option<Payload>) -> Request {
    Request {
        trade_index: Some(9),
        ..who.request(action, Some(order.id), payload)
    }
}

#[test]
fn a_registered_solver_takes_an_initiated_dispute() {
    let mut world = world();
    let (order, _) = disputed(&mut world);
    world.users = vec![User {
        identity_pubkey: taker().identity,
        last_trade_index: 1,
        total_reviews: 3,
        total_rating: 4.5,
        last_rating: 5,
        max_rating: 5,
        min_rating: 4,
        solver: None,
        created_at: ts(T0 - 2 * 86_400),
    }];
    world.chain_height = Some(900);
    world.tokens = Some(DisputeTokens {
        dispute_id: DISPUTE_ID,
        buyer: "012345".into(),
        seller: "678901".into(),
    });
    let t = take(&order, rw(), &world).unwrap();
    assert_eq!(t.order, order, "the order itself does not change");
    let d = t.dispute_resolution.clone().unwrap();
    assert_eq!(d.status, DisputeStatus::InProgress);
    assert_eq!(d.solver_pubkey, Some(rw().identity));
    assert_eq!(d.taken_at, Some(ts(T0 + 45)));
    assert!(
        !d.solver_warned,
        "100 blocks left: not yet within twice the margin"
    );

    let to_solver = message_to(&t, rw().identity, Action::AdminTookDispute);
    assert!(matches!(to_solver, Message::Dispute(_)));
    assert_eq!(to_solver.id(), Some(DISPUTE_ID));
    assert_eq!(to_solver.request_id(), Some(77));
    let Some(Payload::Dispute(id, Some(info))) = to_solver.payload() else {
        panic!("dispute payload expected");
    };
    assert_eq!(*id, DISPUTE_ID);
    assert_eq!(info.id, order.id);
    assert_eq!(info.kind, "sell");
    assert_eq!(info.status, "dispute");
    assert_eq!(info.order_previous_status, "fiat-sent");
    assert_eq!(info.initiator_pubkey, taker().trade.to_hex());
    assert_eq!(info.buyer_pubkey, Some(taker().trade.to_hex()));
    assert_eq!(info.seller_pubkey, Some(maker().trade.to_hex()));
    assert!(!info.initiator_full_privacy);
    let rep = info.initiator_info.as_ref().expect("buyer reputation");
    assert_eq!((rep.rating, rep.reviews, rep.operating_days), (4.5, 3, 2));
    assert_eq!(info.counterpart_info, None, "the maker has no row");
    assert_eq!(info.amount, 100_000);
    assert_eq!(info.buyer_invoice.as_deref(), Some("ok-buyer"));
    let hold = order.hold_invoice.as_ref().unwrap();
    assert_eq!(info.hash, Some(hex::encode(hold.hash)));
    assert_eq!(info.preimage, Some(hex::encode(hold.preimage)));

    for party in [taker().trade, maker().trade] {
        let m = message_to(&t, party, Action::AdminTookDispute);
        assert!(matches!(m, Message::Order(_)));
        assert_eq!(m.id(), Some(order.id));
        assert_eq!(m.request_id(), Some(77));
        assert_eq!(
            m.payload(),
            Some(&Payload::Peer(Peer::new(rw().identity.to_hex())))
        );
    }
    assert!(t
        .outbox
        .iter()
        .any(|o| matches!(o, Outgoing::DisputeEvent { dispute_id } if *dispute_id == DISPUTE_ID)));
    let notes: Vec<String> = directs(&t)
        .into_iter()
        .filter(|(k, m)| *k == rw().identity && m.action() == Action::SendDm)
        .map(|(_, m)| match m.payload() {
            Some(Payload::TextMessage(text)) => text.clone(),
            other => panic!("text expected, got {other:?}"),
        })
        .collect();
    assert_eq!(notes.len(), 2);
    assert!(notes[0].contains("buyer token 012345") && notes[0].contains("seller token 678901"));
    assert!(notes[1].contains("100 blocks"), "{}", notes[1]);
}

#[test]
fn taking_within_twice_the_margin_counts_as_the_warning() {
    let mut world = world();
    let (order, _) = disputed(&mut world);
    world.chain_height = Some(960);
    let t = take(&order, rw(), &world).unwrap();
    assert!(t.dispute_resolution.unwrap().solver_warned);
}

#[test]
fn who_may_take_a_dispute() {
    let mut world = world();
    let (order, _) = disputed(&mut world);
    // Not a solver.
    assert_eq!(
        take(&order, stranger(), &world),
        cant_do(CantDoReason::InvalidPubkey)
    );
    // A read-only solver may take an initiated dispute; so may the node key.
    assert!(take(&order, ro(), &world).is_ok());
    assert!(take(&order, node(), &world).is_ok());
    // Unknown dispute id: silent.
    let req = rw().request(Action::AdminTakeDispute, Some(Uuid::from_u128(1)), None);
    assert!(matches!(
        step(&order, Input::Request(req), &world, T0 + 45),
        Err(Refusal::Silent(_))
    ));
}

#[test]
fn takeover_rules_of_an_in_progress_dispute() {
    let mut world = world();
    let order = taken_by(&mut world, rw());
    // Another solver may not take it over, but the holder and the node may.
    assert_eq!(
        take(&order, rw2(), &world),
        cant_do(CantDoReason::InvalidPubkey)
    );
    assert_eq!(
        take(&order, ro(), &world),
        cant_do(CantDoReason::InvalidPubkey)
    );
    assert!(take(&order, rw(), &world).is_ok());
    assert!(take(&order, node(), &world).is_ok());

    // A read-write solver replaces a read-only one.
    let mut world = self::world();
    let order = taken_by(&mut world, ro());
    let t = take(&order, rw2(), &world).unwrap();
    assert_eq!(
        t.dispute_resolution.unwrap().solver_pubkey,
        Some(rw2().identity)
    );
}

#[test]
fn a_closed_dispute_cannot_be_taken() {
    let mut world = world();
    let (order, d) = disputed(&mut world);
    world.disputes = vec![Dispute {
        status: DisputeStatus::Settled,
        ..d
    }];
    assert_eq!(
        take(&order, node(), &world),
        cant_do(CantDoReason::InvalidPubkey)
    );
}

fn count_pay(t: &Transition) -> usize {
    t.effects
        .iter()
        .filter(|e| matches!(e, Effect::PayBuyer { .. }))
        .count()
}

#[test]
fn admin_settle_settles_the_escrow_and_pays_the_buyer_once() {
    let mut world = world();
    let order = taken_by(&mut world, rw());
    world.payout = Some(resolved(6));
    let req = admin(&order, rw(), Action::AdminSettle, None);
    let t = step(&order, Input::Request(req), &world, T0 + 50).unwrap();
    assert_eq!(t.order.status, Status::SettledHoldInvoice);
    let hold = order.hold_invoice.as_ref().unwrap();
    assert_eq!(
        t.effects[0],
        Effect::SettleHoldInvoice {
            hash: hold.hash,
            preimage: hold.preimage
        }
    );
    assert_eq!(count_pay(&t), 1);
    assert_eq!(
        t.dispute_resolution.as_ref().map(|d| d.status),
        Some(DisputeStatus::Settled)
    );
    let to_solver = message_to(&t, rw().trade, Action::AdminSettled);
    assert_eq!(to_solver.request_id(), Some(77));
    assert_eq!(to_solver.trade_index(), Some(9));
    for party in [maker().trade, taker().trade] {
        let m = message_to(&t, party, Action::AdminSettled);
        assert_eq!(m.request_id(), None);
        assert_eq!(m.trade_index(), Some(9));
        assert_eq!(m.id(), Some(order.id));
    }
    assert!(
        buckets(&t).is_empty(),
        "settled-hold-invoice is not published"
    );
}

#[test]
fn admin_cancel_refunds_the_seller() {
    let mut world = world();
    let order = taken_by(&mut world, rw());
    let req = admin(&order, rw(), Action::AdminCancel, None);
    let t = step(&order, Input::Request(req), &world, T0 + 50).unwrap();
    assert_eq!(t.order.status, Status::CanceledByAdmin);
    let hash = order.hold_invoice.as_ref().unwrap().hash;
    assert_eq!(t.effects, vec![Effect::CancelHoldInvoice { hash }]);
    assert_eq!(
        t.dispute_resolution.as_ref().map(|d| d.status),
        Some(DisputeStatus::SellerRefunded)
    );
    let copies: Vec<_> = directs(&t)
        .into_iter()
        .filter(|(_, m)| m.action() == Action::AdminCanceled)
        .collect();
    let keys: Vec<PublicKey> = copies.iter().map(|(k, _)| *k).collect();
    assert_eq!(keys, vec![rw().trade, maker().trade, taker().trade]);
    for (_, m) in &copies {
        assert_eq!(m, &copies[0].1, "one identical message to all three");
    }
    assert_eq!(copies[0].1.request_id(), Some(77));
    assert_eq!(copies[0].1.trade_index(), Some(9));
    assert_eq!(buckets(&t), vec![(order.id, "canceled")]);
}

#[test]
fn only_the_assigned_read_write_solver_resolves() {
    for action in [Action::AdminSettle, Action::AdminCancel] {
        let mut world = world();
        let order = taken_by(&mut world, rw());
        assert_eq!(
            act(&order, rw2(), action, &world),
            cant_do(CantDoReason::IsNotYourDispute)
        );
        assert_eq!(
            act(&order, node(), action, &world),
            cant_do(CantDoReason::IsNotYourDispute)
        );

        let mut world = self::world();
        let order = taken_by(&mut world, ro());
        assert_eq!(
            act(&order, ro(), action, &world),
            cant_do(CantDoReason::NotAuthorized)
        );

        let mut world = self::world();
        let order = taken_by(&mut world, node());
        assert_eq!(
            act(&order, rw(), action, &world),
            cant_do(CantDoReason::DisputeTakenByAdmin)
        );
        assert!(
            act(&order, node(), action, &world).is_ok(),
            "the node key acts once it holds it"
        );
    }
}

#[test]
fn an_untaken_dispute_is_nobodys() {
    let mut world = world();
    let (order, _) = disputed(&mut world);
    let req = admin(&order, node(), Action::AdminSettle, None);
    assert_eq!(
        step(&order, Input::Request(req), &world, T0 + 50),
        cant_do(CantDoReason::IsNotYourDispute)
    );
}

#[test]
fn slashing_is_refused_because_bonds_are_off() {
    let mut world = world();
    let order = taken_by(&mut world, rw());
    let slash = |seller, buyer| {
        Some(Payload::BondResolution(BondResolution {
            slash_seller: seller,
            slash_buyer: buyer,
        }))
    };
    for payload in [slash(true, false), slash(false, true)] {
        let req = admin(&order, rw(), Action::AdminCancel, payload);
        assert_eq!(
            step(&order, Input::Request(req), &world, T0 + 50),
            cant_do(CantDoReason::InvalidPayload)
        );
    }
    let req = admin(&order, rw(), Action::AdminCancel, slash(false, false));
    assert!(step(&order, Input::Request(req), &world, T0 + 50).is_ok());
}

#[test]
fn resolving_needs_the_dispute_status() {
    let mut world = world();
    let order = taken_by(&mut world, rw());
    world.payout = Some(resolved(6));
    let release = maker().request(Action::Release, Some(order.id), None);
    let t = step(&order, Input::Request(release), &world, T0 + 50).unwrap();
    world.disputes = vec![t.dispute_resolution.unwrap()];
    let settled = t.order;
    let settle = admin(&settled, rw(), Action::AdminSettle, None);
    assert_eq!(
        step(&settled, Input::Request(settle), &world, T0 + 60),
        cant_do(CantDoReason::InvalidOrderStatus)
    );
    let cancel = admin(&settled, rw(), Action::AdminCancel, None);
    assert_eq!(
        step(&settled, Input::Request(cancel), &world, T0 + 60),
        cant_do(CantDoReason::NotAllowedByStatus)
    );
}

#[test]
fn a_cooperatively_canceled_order_answers_cooperative_cancel_accepted() {
    let mut world = world();
    let order = taken_by(&mut world, rw());
    let first = maker().request(Action::Cancel, Some(order.id), None);
    let order = step(&order, Input::Request(first), &world, T0 + 50)
        .unwrap()
        .order;
    let second = taker().request(Action::Cancel, Some(order.id), None);
    let t = step(&order, Input::Request(second), &world, T0 + 51).unwrap();
    world.disputes = vec![t.dispute_resolution.unwrap()];
    let canceled = t.order;
    let req = admin(&canceled, rw(), Action::AdminCancel, None);
    let t = step(&canceled, Input::Request(req), &world, T0 + 60).unwrap();
    assert_eq!(t.order.status, Status::CooperativelyCanceled);
    assert!(t.effects.is_empty());
    assert_eq!(
        actions(&t),
        vec![(rw().identity, Action::CooperativeCancelAccepted)]
    );
}

// admin-add-solver

fn add(who: Actor, payload: Option<Payload>) -> Result<(Solver, Outgoing), Refusal> {
    let req = Request {
        trade_index: Some(4),
        ..who.request(Action::AdminAddSolver, Some(Uuid::from_u128(3)), payload)
    };
    engine::add_solver(&req, &node().identity, ts(T0))
}

fn text(s: &str) -> Option<Payload> {
    Some(Payload::TextMessage(s.to_owned()))
}

#[test]
fn the_node_adds_solvers_with_rights() {
    let npub = rw().identity.to_bech32().unwrap();
    for (suffix, role) in [
        ("", SolverRole::ReadWrite),
        (":read", SolverRole::Read),
        (":read-write", SolverRole::ReadWrite),
        (":write", SolverRole::ReadWrite),
    ] {
        let (solver, reply) = add(node(), text(&format!("{npub}{suffix}"))).unwrap();
        assert_eq!(solver.pubkey, rw().identity);
        assert_eq!(solver.role, role, "suffix {suffix:?}");
        assert_eq!(solver.last_trade_index, 4);
        let Outgoing::Direct { to, message, .. } = reply else {
            panic!("direct reply expected");
        };
        assert_eq!(to, node().trade);
        assert_eq!(
            message.as_json(),
            r#"{"dispute":{"version":2,"request_id":77,"trade_index":null,"action":"admin-add-solver","payload":null}}"#
        );
    }
}

#[test]
fn admin_add_solver_refusals() {
    let npub = rw().identity.to_bech32().unwrap();
    // A null payload is answered before the sender is checked.
    assert_eq!(
        add(stranger(), None).map(|_| ()),
        Err(Refusal::CantDo(CantDoReason::InvalidTextMessage))
    );
    assert!(matches!(
        add(stranger(), text(&npub)),
        Err(Refusal::Silent(_))
    ));
    assert_eq!(
        add(node(), text("")).map(|_| ()),
        Err(Refusal::CantDo(CantDoReason::InvalidTextMessage))
    );
    for bad in [format!("{npub}:admin"), format!("{npub}:read:write")] {
        assert_eq!(
            add(node(), text(&bad)).map(|_| ()),
            Err(Refusal::CantDo(CantDoReason::InvalidParameters)),
            "{bad}"
        );
    }
    assert!(matches!(
        add(node(), text("npub1nope")),
        Err(Refusal::Silent(_))
    ));
}
