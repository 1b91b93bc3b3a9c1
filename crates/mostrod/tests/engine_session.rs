//! Session actions (PROTOCOL.md §5.11): `orders`, `last-trade-index`, `restore-session`,
//! and `trade-pubkey`.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod engine_support;

use engine_support::*;
use mostro_protocol::action::Action;
use mostro_protocol::cant_do::CantDoReason::*;
use mostro_protocol::message::Message;
use mostro_protocol::order::Kind;
use mostro_protocol::payload::Payload;
use mostro_protocol::status::{DisputeStatus, Status};
use mostrod::engine::{session, Input, Outgoing, Refusal};
use mostrod::model::{Dispute, Side, User};

fn message(o: Outgoing) -> Message {
    match o {
        Outgoing::Direct { message, .. } => message,
        other => panic!("expected a direct message, got {other:?}"),
    }
}

#[test]
fn orders_returns_only_the_requesters_orders_in_request_order() {
    let world = World::default();
    let mine = active_sell(&world);
    let mut theirs = mine.clone();
    theirs.id = uuid::Uuid::from_u128(5);
    theirs.maker.identity_pubkey = stranger().identity;
    theirs.taker = None;
    let req = taker().request(
        Action::Orders,
        None,
        Some(Payload::Ids(vec![theirs.id, mine.id])),
    );
    let m = message(
        session::orders(&req, &[mine.clone(), theirs.clone()], &world.settings).expect("found"),
    );
    assert_eq!(m.request_id(), Some(77));
    let Some(Payload::Orders(list)) = m.payload() else {
        panic!("orders")
    };
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, Some(mine.id));
    assert_eq!(list[0].buyer_invoice, None);
    assert_eq!(list[0].seller_trade_pubkey, Some(maker().trade.to_hex()));

    let none = taker().request(Action::Orders, None, Some(Payload::Ids(vec![theirs.id])));
    assert_eq!(
        session::orders(&none, &[theirs.clone()], &world.settings).err(),
        Some(Refusal::CantDo(NotFound))
    );
    let empty = taker().request(Action::Orders, None, Some(Payload::Ids(vec![])));
    assert_eq!(
        session::orders(&empty, &[], &world.settings).err(),
        Some(Refusal::CantDo(InvalidParameters))
    );
    let many = taker().request(Action::Orders, None, Some(Payload::Ids(vec![mine.id; 11])));
    assert_eq!(
        session::orders(&many, &[mine], &world.settings).err(),
        Some(Refusal::CantDo(TooManyRequests))
    );
}

#[test]
fn last_trade_index_answers_in_trade_index() {
    let req = maker().request(Action::LastTradeIndex, None, None);
    assert_eq!(
        session::last_trade_index(&req, None).err(),
        Some(Refusal::CantDo(NotFound))
    );
    let mut user = User {
        identity_pubkey: maker().identity,
        last_trade_index: 0,
        total_reviews: 0,
        total_rating: 0.0,
        last_rating: 0,
        max_rating: 0,
        min_rating: 0,
        solver: None,
        created_at: ts(T0),
    };
    assert_eq!(
        session::last_trade_index(&req, Some(&user)).err(),
        Some(Refusal::CantDo(InvalidTradeIndex))
    );
    user.last_trade_index = 7;
    let m = message(session::last_trade_index(&req, Some(&user)).expect("index"));
    assert!(matches!(m, Message::Restore(_)));
    assert_eq!(
        (m.trade_index(), m.request_id(), m.payload()),
        (Some(7), Some(77), None)
    );
}

#[test]
fn restore_lists_open_orders_and_disputes() {
    let world = World::default();
    let active = active_sell(&world);
    let mut coop = active.clone();
    coop.id = uuid::Uuid::from_u128(6);
    coop.status = Status::CooperativelyCanceled;
    let mut disputed = active.clone();
    disputed.id = uuid::Uuid::from_u128(7);
    disputed.status = Status::Dispute;
    let dispute = Dispute {
        id: uuid::Uuid::from_u128(8),
        order_id: disputed.id,
        status: DisputeStatus::Initiated,
        order_previous_status: Status::Active,
        initiator: Side::Seller,
        solver_pubkey: None,
        created_at: ts(T0),
        taken_at: None,
        last_event_at: None,
        solver_warned: false,
    };
    let req = taker().request(Action::RestoreSession, None, None);
    let m = message(
        session::restore_session(&req, &[active.clone(), coop, disputed.clone()], &[dispute])
            .expect("restored"),
    );
    assert_eq!(m.request_id(), None);
    let Some(Payload::RestoreData(data)) = m.payload() else {
        panic!("restore data")
    };
    assert_eq!(
        data.orders.len(),
        1,
        "cooperatively-canceled and disputed orders excluded"
    );
    assert_eq!(
        (
            data.orders[0].order_id,
            data.orders[0].trade_index,
            data.orders[0].status.as_str()
        ),
        (active.id, 1, "active")
    );
    assert_eq!(data.disputes.len(), 1);
    assert_eq!(
        (
            data.disputes[0].order_id,
            data.disputes[0].initiator.as_deref()
        ),
        (disputed.id, Some("seller"))
    );
}

#[test]
fn trade_pubkey_moves_a_pending_order_to_the_new_key() {
    let world = World::default();
    let order = create(&world, wire_order(Kind::Sell, 100_000, 50, 0), &maker());
    let new_key = Actor::new(30, 11);
    let t = step(
        &order,
        Input::Request(new_key.request(Action::TradePubkey, Some(order.id), None)),
        &world,
        T0 + 1,
    )
    .expect("moved");
    assert_eq!(t.order.maker.trade_pubkey, new_key.trade);
    assert_eq!(
        message_to(&t, new_key.trade, Action::TradePubkey).request_id(),
        Some(77)
    );
    let other = Actor::new(31, 13);
    assert!(matches!(
        step(
            &order,
            Input::Request(other.request(Action::TradePubkey, Some(order.id), None)),
            &world,
            T0
        ),
        Err(Refusal::Silent(_))
    ));
    let active = active_sell(&world);
    assert_eq!(
        step(
            &active,
            Input::Request(new_key.request(Action::TradePubkey, Some(active.id), None)),
            &world,
            T0
        )
        .err(),
        Some(Refusal::CantDo(InvalidOrderStatus))
    );
}
