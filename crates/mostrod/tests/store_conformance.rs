//! Store conformance suite: every record round-trips, status changes go through the
//! transition table with compare-and-swap, and a change is written with its outbox
//! rows or not at all.

// Test helpers outside #[test] functions may unwrap too.
#![allow(clippy::unwrap_used)]

use mostro_protocol::order::Kind;
use mostro_protocol::status::{DisputeStatus, Status};
use mostrod::model::{
    Dispute, HoldInvoice, Order, Party, Payout, Pricing, Side, SolverRole, Transport, User,
};
use mostrod::store::{Change, OutboxItem, Store, StoreError};
use nostr::event::{EventBuilder, FinalizeEvent, Kind as EventKind};
use nostr::key::{Keys, PublicKey};
use nostr::types::Timestamp;
use uuid::Uuid;

fn key() -> PublicKey {
    Keys::generate().public_key()
}

fn party(transport: Transport, trade_index: i64) -> Party {
    Party {
        trade_pubkey: key(),
        identity_pubkey: key(),
        trade_index,
        transport,
    }
}

/// A pending sell order with every optional field empty.
fn minimal_order() -> Order {
    Order {
        id: Uuid::new_v4(),
        kind: Kind::Sell,
        status: Status::Pending,
        pricing: Pricing::Market,
        amount: 0,
        fee: 0,
        dev_fee: 0,
        premium: -3,
        fiat_code: "ARS".to_owned(),
        fiat_amount: 0,
        min_amount: None,
        max_amount: None,
        payment_method: "Mercado Pago,Lemon".to_owned(),
        maker: party(Transport::Nip44, 4),
        taker: None,
        buyer_invoice: None,
        buyer_invoice_from_maker: false,
        hold_invoice: None,
        payout: Payout::NotStarted,
        hold_request_id: None,
        cancel_initiator: None,
        buyer_rated: false,
        seller_rated: false,
        next_trade: None,
        range_parent_id: None,
        created_at: Timestamp::from_secs(1_700_000_000),
        expires_at: Timestamp::from_secs(1_700_086_400),
        taken_at: None,
        last_event_at: None,
    }
}

/// An order with every optional field set.
fn full_order(payout: Payout) -> Order {
    Order {
        kind: Kind::Buy,
        pricing: Pricing::Fixed,
        amount: 100_000,
        fee: 300,
        dev_fee: 180,
        premium: 0,
        fiat_amount: 5000,
        min_amount: Some(1000),
        max_amount: Some(i64::MAX),
        taker: Some(party(Transport::GiftWrap, 9)),
        buyer_invoice: Some("lnbcrt1example".to_owned()),
        buyer_invoice_from_maker: true,
        hold_invoice: Some(HoldInvoice {
            hash: [7; 32],
            preimage: [9; 32],
            bolt11: "lnbcrt100300n1hold".to_owned(),
            amount_sats: 100_300,
            held_at: Some(Timestamp::from_secs(1_700_000_500)),
            htlc_expiry_height: Some(u32::MAX),
        }),
        payout,
        hold_request_id: Some(u64::try_from(i64::MAX).unwrap_or(0)),
        cancel_initiator: Some(key()),
        buyer_rated: true,
        seller_rated: true,
        next_trade: Some((key(), 12)),
        range_parent_id: Some(Uuid::new_v4()),
        taken_at: Some(Timestamp::from_secs(1_700_000_100)),
        last_event_at: Some(Timestamp::from_secs(1_700_000_200)),
        ..minimal_order()
    }
}

fn all_payouts() -> Vec<Payout> {
    vec![
        Payout::NotStarted,
        Payout::InFlight {
            payment_hash: [1; 32],
            attempt: 2,
        },
        Payout::Failed {
            attempts: 3,
            retry_at: Some(Timestamp::from_secs(1_700_001_000)),
            awaiting_new_invoice: false,
        },
        Payout::Failed {
            attempts: 3,
            retry_at: None,
            awaiting_new_invoice: true,
        },
        Payout::Succeeded {
            payment_hash: [2; 32],
            routing_fee_sats: 17,
        },
    ]
}

fn outbox_item(order_id: Option<Uuid>, at: u64) -> OutboxItem {
    let event = EventBuilder::new(EventKind::TextNote, format!("note {}", Uuid::new_v4()))
        .finalize(&Keys::generate())
        .unwrap();
    OutboxItem::new(&event, order_id, Timestamp::from_secs(at)).unwrap()
}

fn user(identity: PublicKey, solver: Option<SolverRole>) -> User {
    User {
        identity_pubkey: identity,
        last_trade_index: 7,
        total_reviews: 3,
        total_rating: 4.5,
        last_rating: 5,
        max_rating: 5,
        min_rating: 3,
        solver,
        created_at: Timestamp::from_secs(1_690_000_000),
    }
}

async fn stored(store: &Store, order: Order) -> Order {
    store.commit(Change::create(order.clone())).await.unwrap();
    order
}

/// Moves a stored order along `path` (each step a legal transition).
async fn walk(store: &Store, mut order: Order, path: &[Status]) -> Order {
    for next in path {
        let expected = order.status;
        order.status = *next;
        store
            .commit(Change::update(expected, order.clone()))
            .await
            .unwrap();
    }
    order
}

#[tokio::test]
async fn minimal_order_round_trips() {
    let store = Store::open_in_memory().unwrap();
    let order = stored(&store, minimal_order()).await;
    assert_eq!(store.orders().get(order.id).await.unwrap(), Some(order));
}

#[tokio::test]
async fn full_order_round_trips_with_every_payout_variant() {
    let store = Store::open_in_memory().unwrap();
    for payout in all_payouts() {
        let mut order = full_order(payout);
        // Distinct hold hashes: the hash identifies one escrow.
        if let Some(hold) = order.hold_invoice.as_mut() {
            hold.hash = [0; 32];
            hold.hash[..16].copy_from_slice(order.id.as_bytes());
        }
        let order = stored(&store, order).await;
        assert_eq!(store.orders().get(order.id).await.unwrap(), Some(order));
    }
}

#[tokio::test]
async fn unknown_order_is_none() {
    let store = Store::open_in_memory().unwrap();
    assert_eq!(store.orders().get(Uuid::new_v4()).await.unwrap(), None);
}

#[tokio::test]
async fn user_round_trips_and_upsert_replaces() {
    let store = Store::open_in_memory().unwrap();
    let identity = key();
    for solver in [None, Some(SolverRole::Read), Some(SolverRole::ReadWrite)] {
        let u = user(identity, solver);
        store.users().upsert(u.clone()).await.unwrap();
        assert_eq!(store.users().get(identity).await.unwrap(), Some(u));
    }
    let mut u = user(identity, None);
    u.last_trade_index = 8;
    u.total_rating = 4.25;
    store
        .commit(Change {
            user_updates: vec![u.clone()],
            ..Change::default()
        })
        .await
        .unwrap();
    assert_eq!(store.users().get(identity).await.unwrap(), Some(u));
    assert_eq!(store.users().get(key()).await.unwrap(), None);
}

#[tokio::test]
async fn dispute_round_trips_and_updates() {
    let store = Store::open_in_memory().unwrap();
    let order = stored(&store, minimal_order()).await;
    let order = walk(
        &store,
        order,
        &[
            Status::WaitingBuyerInvoice,
            Status::WaitingPayment,
            Status::Active,
        ],
    )
    .await;
    let opened = Dispute {
        id: Uuid::new_v4(),
        order_id: order.id,
        status: DisputeStatus::Initiated,
        order_previous_status: Status::Active,
        initiator: Side::Seller,
        solver_pubkey: None,
        created_at: Timestamp::from_secs(1_700_000_900),
        taken_at: None,
        last_event_at: None,
        solver_warned: false,
    };
    let mut in_dispute = order.clone();
    in_dispute.status = Status::Dispute;
    store
        .commit(Change {
            dispute_updates: vec![opened.clone()],
            ..Change::update(Status::Active, in_dispute)
        })
        .await
        .unwrap();
    assert_eq!(
        store.disputes().get(opened.id).await.unwrap(),
        Some(opened.clone())
    );

    let taken = Dispute {
        status: DisputeStatus::InProgress,
        initiator: Side::Buyer,
        solver_pubkey: Some(key()),
        taken_at: Some(Timestamp::from_secs(1_700_001_000)),
        last_event_at: Some(Timestamp::from_secs(1_700_001_001)),
        solver_warned: false,
        ..opened.clone()
    };
    store
        .commit(Change {
            dispute_updates: vec![taken.clone()],
            ..Change::default()
        })
        .await
        .unwrap();
    assert_eq!(
        store.disputes().get(taken.id).await.unwrap(),
        Some(taken.clone())
    );
    assert_eq!(
        store.disputes().for_order(order.id).await.unwrap(),
        vec![taken.clone()]
    );
    assert_eq!(store.disputes().open().await.unwrap(), vec![taken]);
}

#[tokio::test]
async fn dispute_cannot_move_to_another_order() {
    let store = Store::open_in_memory().unwrap();
    let a = stored(&store, minimal_order()).await;
    let b = stored(&store, minimal_order()).await;
    let d = Dispute {
        id: Uuid::new_v4(),
        order_id: a.id,
        status: DisputeStatus::Initiated,
        order_previous_status: Status::Active,
        initiator: Side::Buyer,
        solver_pubkey: None,
        created_at: Timestamp::from_secs(1),
        taken_at: None,
        last_event_at: None,
        solver_warned: false,
    };
    let first = Change {
        dispute_updates: vec![d.clone()],
        ..Change::default()
    };
    store.commit(first).await.unwrap();
    let moved = Change {
        dispute_updates: vec![Dispute {
            order_id: b.id,
            ..d.clone()
        }],
        ..Change::default()
    };
    let err = store.commit(moved).await.unwrap_err();
    assert!(matches!(err, StoreError::DisputeMoved { dispute_id } if dispute_id == d.id));
    assert_eq!(store.disputes().get(d.id).await.unwrap(), Some(d));
}

#[tokio::test]
async fn stale_expected_status_is_a_conflict_and_writes_nothing() {
    let store = Store::open_in_memory().unwrap();
    let order = stored(&store, minimal_order()).await;
    let winner = walk(&store, order.clone(), &[Status::WaitingBuyerInvoice]).await;

    // A second writer read `pending` too and tries to cancel.
    let mut loser = order.clone();
    loser.status = Status::Canceled;
    let change =
        Change::update(Status::Pending, loser).with_outbox([outbox_item(Some(order.id), 5)]);
    let err = store.commit(change).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict { order_id, expected: Status::Pending, found: Status::WaitingBuyerInvoice }
                if order_id == order.id
        ),
        "{err:?}"
    );
    assert_eq!(store.orders().get(order.id).await.unwrap(), Some(winner));
    assert!(store.outbox().is_empty().await.unwrap());
}

#[tokio::test]
async fn illegal_transition_is_refused_and_writes_nothing() {
    let store = Store::open_in_memory().unwrap();
    let order = stored(&store, minimal_order()).await;
    let mut skipped = order.clone();
    skipped.status = Status::Active;
    let change = Change {
        user_updates: vec![user(key(), None)],
        ..Change::update(Status::Pending, skipped)
    }
    .with_outbox([outbox_item(Some(order.id), 5)]);
    let err = store.commit(change.clone()).await.unwrap_err();
    match err {
        StoreError::IllegalTransition { order_id, source } => {
            assert_eq!(order_id, order.id);
            assert_eq!((source.from, source.to), (Status::Pending, Status::Active));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(store.orders().get(order.id).await.unwrap(), Some(order));
    assert!(store.outbox().is_empty().await.unwrap());
    assert_eq!(
        store
            .users()
            .get(change.user_updates[0].identity_pubkey)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn terminal_orders_cannot_be_revived() {
    let store = Store::open_in_memory().unwrap();
    let order = stored(&store, minimal_order()).await;
    let canceled = walk(&store, order, &[Status::Canceled]).await;
    let mut revived = canceled.clone();
    revived.status = Status::Pending;
    let err = store
        .commit(Change::update(Status::Canceled, revived))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::IllegalTransition { .. }));
}

#[tokio::test]
async fn new_order_must_start_in_an_initial_status() {
    let store = Store::open_in_memory().unwrap();
    let mut order = minimal_order();
    order.status = Status::Active;
    let err = store
        .commit(Change::create(order.clone()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::IllegalInitialStatus { order_id, .. } if order_id == order.id)
    );
    assert_eq!(store.orders().get(order.id).await.unwrap(), None);
}

#[tokio::test]
async fn updating_a_missing_order_is_not_found() {
    let store = Store::open_in_memory().unwrap();
    let mut order = minimal_order();
    order.status = Status::Canceled;
    let err = store
        .commit(Change::update(Status::Pending, order.clone()))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::OrderNotFound(id) if id == order.id));
}

#[tokio::test]
async fn failure_mid_commit_writes_neither_state_nor_outbox() {
    let store = Store::open_in_memory().unwrap();
    let order = stored(&store, minimal_order()).await;
    let mut next = order.clone();
    next.status = Status::WaitingBuyerInvoice;
    next.taker = Some(party(Transport::Nip44, 2));
    // The second outbox row repeats the first one's id: its insert fails after the
    // order row and the first outbox row were written inside the transaction.
    let item = outbox_item(Some(order.id), 10);
    let child = Order {
        range_parent_id: Some(order.id),
        ..minimal_order()
    };
    let change = Change {
        new_orders: vec![child.clone()],
        ..Change::update(Status::Pending, next)
    }
    .with_outbox([item.clone(), item]);
    assert!(matches!(
        store.commit(change).await.unwrap_err(),
        StoreError::Sqlite(_)
    ));
    assert_eq!(store.orders().get(order.id).await.unwrap(), Some(order));
    assert_eq!(store.orders().get(child.id).await.unwrap(), None);
    assert!(store.outbox().is_empty().await.unwrap());
}

#[tokio::test]
async fn change_and_outbox_are_written_together() {
    let store = Store::open_in_memory().unwrap();
    let order = stored(&store, minimal_order()).await;
    let mut next = order.clone();
    next.status = Status::WaitingBuyerInvoice;
    let a = outbox_item(Some(order.id), 10);
    let b = outbox_item(None, 10);
    store
        .commit(Change::update(Status::Pending, next.clone()).with_outbox([a.clone(), b.clone()]))
        .await
        .unwrap();
    assert_eq!(store.orders().get(order.id).await.unwrap(), Some(next));
    assert_eq!(
        store
            .outbox()
            .due(Timestamp::from_secs(10), 10)
            .await
            .unwrap(),
        vec![a, b]
    );
}
