//! The queries the runtime needs: by identity, by hash, open orders, known trade keys,
//! restore-session rows, outbox scheduling and processed-event dedupe.

// Test helpers outside #[test] functions may unwrap too.
#![allow(clippy::unwrap_used)]

use mostro_protocol::order::Kind;
use mostro_protocol::status::{DisputeStatus, Status};
use mostrod::model::{Dispute, HoldInvoice, Order, Party, Payout, Pricing, Side, Transport};
use mostrod::store::{Change, OutboxItem, Store};
use nostr::event::{EventBuilder, EventId, FinalizeEvent, Kind as EventKind};
use nostr::key::{Keys, PublicKey};
use nostr::types::Timestamp;
use uuid::Uuid;

fn key() -> PublicKey {
    Keys::generate().public_key()
}

fn party(identity: PublicKey, trade_index: i64) -> Party {
    Party {
        trade_pubkey: key(),
        identity_pubkey: identity,
        trade_index,
        transport: Transport::Nip44,
    }
}

fn order(kind: Kind, maker: Party, created_at: u64) -> Order {
    Order {
        id: Uuid::new_v4(),
        kind,
        status: Status::Pending,
        pricing: Pricing::Fixed,
        amount: 10_000,
        fee: 30,
        dev_fee: 18,
        premium: 0,
        fiat_code: "USD".to_owned(),
        fiat_amount: 10,
        min_amount: None,
        max_amount: None,
        payment_method: "SEPA".to_owned(),
        maker,
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
        created_at: Timestamp::from_secs(created_at),
        expires_at: Timestamp::from_secs(created_at + 86_400),
        taken_at: None,
        last_event_at: None,
    }
}

/// Stores `o` (pending) and walks it to `target` along the happy path (or cancels).
async fn put(store: &Store, mut o: Order, target: Status) -> Order {
    store.commit(Change::create(o.clone())).await.unwrap();
    let path: &[Status] = match target {
        Status::Pending => &[],
        Status::WaitingBuyerInvoice => &[Status::WaitingBuyerInvoice],
        Status::WaitingPayment => &[Status::WaitingPayment],
        Status::Active => &[Status::WaitingPayment, Status::Active],
        Status::FiatSent => &[Status::WaitingPayment, Status::Active, Status::FiatSent],
        Status::Dispute => &[Status::WaitingPayment, Status::Active, Status::Dispute],
        Status::Success => &[
            Status::WaitingPayment,
            Status::Active,
            Status::FiatSent,
            Status::SettledHoldInvoice,
            Status::Success,
        ],
        Status::Canceled => &[Status::Canceled],
        Status::Expired => &[Status::Expired],
        Status::CooperativelyCanceled => &[
            Status::WaitingPayment,
            Status::Active,
            Status::CooperativelyCanceled,
        ],
        Status::CanceledByAdmin => &[
            Status::WaitingPayment,
            Status::Active,
            Status::Dispute,
            Status::CanceledByAdmin,
        ],
        other => panic!("no path to {other}"),
    };
    for next in path {
        let expected = o.status;
        o.status = *next;
        store
            .commit(Change::update(expected, o.clone()))
            .await
            .unwrap();
    }
    o
}

#[tokio::test]
async fn for_identity_keeps_request_order_and_skips_foreign_orders() {
    let store = Store::open_in_memory().unwrap();
    let me = key();
    let a = put(&store, order(Kind::Sell, party(me, 1), 10), Status::Pending).await;
    let mut taken = order(Kind::Buy, party(key(), 1), 20);
    taken.taker = Some(party(me, 2));
    let b = put(&store, taken, Status::WaitingPayment).await;
    let foreign = put(
        &store,
        order(Kind::Sell, party(key(), 1), 30),
        Status::Pending,
    )
    .await;

    let ids = vec![b.id, Uuid::new_v4(), foreign.id, a.id, b.id];
    let got = store.orders().for_identity(me, ids).await.unwrap();
    assert_eq!(got, vec![b, a]);
}

#[tokio::test]
async fn open_orders_exclude_terminal_statuses() {
    let store = Store::open_in_memory().unwrap();
    let mut open_ids = Vec::new();
    for (i, status) in [
        Status::Pending,
        Status::WaitingBuyerInvoice,
        Status::Active,
        Status::FiatSent,
        Status::Dispute,
        Status::Success,
        Status::Canceled,
        Status::Expired,
        Status::CooperativelyCanceled,
        Status::CanceledByAdmin,
    ]
    .into_iter()
    .enumerate()
    {
        let o = put(
            &store,
            order(Kind::Sell, party(key(), 1), 100 + i as u64),
            status,
        )
        .await;
        if matches!(
            status,
            Status::Pending
                | Status::WaitingBuyerInvoice
                | Status::Active
                | Status::FiatSent
                | Status::Dispute
        ) {
            open_ids.push(o.id);
        }
    }
    let open: Vec<Uuid> = store
        .orders()
        .open()
        .await
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(open, open_ids);
}

#[tokio::test]
async fn expiring_by_returns_book_orders_whose_window_ended() {
    let store = Store::open_in_memory().unwrap();
    let early = put(
        &store,
        order(Kind::Sell, party(key(), 1), 1_000),
        Status::Pending,
    )
    .await;
    let late = put(
        &store,
        order(Kind::Sell, party(key(), 1), 5_000),
        Status::Pending,
    )
    .await;
    let _taken = put(
        &store,
        order(Kind::Sell, party(key(), 1), 0),
        Status::WaitingPayment,
    )
    .await;
    let at = Timestamp::from_secs(1_000 + 86_400);
    let due = store.orders().expiring_by(at).await.unwrap();
    assert_eq!(due, vec![early.clone()]);
    let all = store
        .orders()
        .expiring_by(Timestamp::from_secs(10_000_000))
        .await
        .unwrap();
    assert_eq!(all, vec![early, late]);
}

#[tokio::test]
async fn exists_as_matches_the_role_not_just_the_party() {
    let store = Store::open_in_memory().unwrap();
    let me = key();
    // I made a buy order that is waiting for the buyer invoice: I am its buyer.
    put(
        &store,
        order(Kind::Buy, party(me, 1), 10),
        Status::WaitingBuyerInvoice,
    )
    .await;
    let orders = store.orders();
    assert!(orders
        .exists_as(me, Side::Buyer, Status::WaitingBuyerInvoice)
        .await
        .unwrap());
    assert!(!orders
        .exists_as(me, Side::Seller, Status::WaitingBuyerInvoice)
        .await
        .unwrap());
    assert!(!orders
        .exists_as(me, Side::Buyer, Status::WaitingPayment)
        .await
        .unwrap());

    // I took a buy order: I am its seller.
    let other = key();
    let mut o = order(Kind::Buy, party(other, 1), 20);
    o.taker = Some(party(me, 2));
    put(&store, o, Status::WaitingPayment).await;
    assert!(orders
        .exists_as(me, Side::Seller, Status::WaitingPayment)
        .await
        .unwrap());
    assert!(orders
        .exists_as(other, Side::Buyer, Status::WaitingPayment)
        .await
        .unwrap());
    assert!(!orders
        .exists_as(key(), Side::Seller, Status::WaitingPayment)
        .await
        .unwrap());
}

#[tokio::test]
async fn by_hold_hash_finds_the_escrow_order() {
    let store = Store::open_in_memory().unwrap();
    let mut o = order(Kind::Sell, party(key(), 1), 10);
    o.hold_invoice = Some(HoldInvoice {
        hash: [42; 32],
        preimage: [43; 32],
        bolt11: "lnbcrt1hold".to_owned(),
        amount_sats: 10_030,
        held_at: None,
        htlc_expiry_height: None,
    });
    let o = put(&store, o, Status::WaitingPayment).await;
    assert_eq!(
        store.orders().by_hold_hash([42; 32]).await.unwrap(),
        Some(o)
    );
    assert_eq!(store.orders().by_hold_hash([43; 32]).await.unwrap(), None);
}

#[tokio::test]
async fn known_trade_keys_are_those_of_open_orders() {
    let store = Store::open_in_memory().unwrap();
    let mut active = order(Kind::Sell, party(key(), 1), 10);
    active.taker = Some(party(key(), 1));
    let active = put(&store, active, Status::Active).await;
    let pending = put(
        &store,
        order(Kind::Buy, party(key(), 1), 20),
        Status::Pending,
    )
    .await;
    let mut coop = order(Kind::Sell, party(key(), 1), 30);
    coop.taker = Some(party(key(), 1));
    let coop = put(&store, coop, Status::CooperativelyCanceled).await;

    let keys = store.orders().open_trade_keys().await.unwrap();
    let taker = active.taker.as_ref().map(|p| p.trade_pubkey);
    assert_eq!(keys.len(), 3);
    assert!(keys.contains(&active.maker.trade_pubkey));
    assert!(taker.is_some_and(|t| keys.contains(&t)));
    assert!(keys.contains(&pending.maker.trade_pubkey));
    assert!(!keys.contains(&coop.maker.trade_pubkey));

    let by_key = store
        .orders()
        .open_by_trade_key(active.maker.trade_pubkey)
        .await
        .unwrap();
    assert_eq!(by_key, vec![active]);
    assert!(store
        .orders()
        .open_by_trade_key(coop.maker.trade_pubkey)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn session_rows_leave_out_finished_orders() {
    let store = Store::open_in_memory().unwrap();
    let me = key();
    let mut kept = Vec::new();
    for (i, status) in [
        Status::Pending,
        Status::WaitingPayment,
        Status::FiatSent,
        Status::Dispute,
        Status::Expired,
        Status::Success,
        Status::Canceled,
        Status::CooperativelyCanceled,
        Status::CanceledByAdmin,
    ]
    .into_iter()
    .enumerate()
    {
        // Alternate maker and taker roles.
        let o = if i % 2 == 0 {
            order(Kind::Sell, party(me, i as i64 + 1), 100 + i as u64)
        } else {
            let mut o = order(Kind::Buy, party(key(), 1), 100 + i as u64);
            o.taker = Some(party(me, i as i64 + 1));
            o
        };
        let o = put(&store, o, status).await;
        if !matches!(
            status,
            Status::Expired
                | Status::Success
                | Status::Canceled
                | Status::CooperativelyCanceled
                | Status::CanceledByAdmin
        ) {
            kept.push(o);
        }
    }
    // Somebody else's order.
    put(
        &store,
        order(Kind::Sell, party(key(), 1), 1),
        Status::Pending,
    )
    .await;

    let disputed = kept
        .iter()
        .find(|o| o.status == Status::Dispute)
        .cloned()
        .unwrap();
    let open = Dispute {
        id: Uuid::new_v4(),
        order_id: disputed.id,
        status: DisputeStatus::Initiated,
        order_previous_status: Status::Active,
        initiator: Side::Buyer,
        solver_pubkey: None,
        created_at: Timestamp::from_secs(500),
        taken_at: None,
        last_event_at: None,
        solver_warned: false,
    };
    let closed = Dispute {
        id: Uuid::new_v4(),
        status: DisputeStatus::Settled,
        created_at: Timestamp::from_secs(400),
        ..open.clone()
    };
    store
        .commit(Change {
            dispute_updates: vec![open.clone(), closed],
            ..Change::default()
        })
        .await
        .unwrap();

    let rows = store.orders().session_rows(me).await.unwrap();
    assert_eq!(rows.orders, kept);
    assert_eq!(rows.disputes, vec![open]);
    assert!(store
        .orders()
        .session_rows(key())
        .await
        .unwrap()
        .orders
        .is_empty());
}

fn item(at: u64) -> OutboxItem {
    let event = EventBuilder::new(EventKind::TextNote, format!("{at} {}", Uuid::new_v4()))
        .finalize(&Keys::generate())
        .unwrap();
    OutboxItem::new(&event, None, Timestamp::from_secs(at)).unwrap()
}

#[tokio::test]
async fn outbox_schedules_retries_and_deletes_on_ack() {
    let store = Store::open_in_memory().unwrap();
    let outbox = store.outbox();
    let (a, b, c) = (item(10), item(11), item(50));
    outbox
        .push(vec![a.clone(), b.clone(), c.clone()])
        .await
        .unwrap();

    assert_eq!(
        outbox.due(Timestamp::from_secs(20), 10).await.unwrap(),
        vec![a.clone(), b.clone()]
    );
    assert_eq!(
        outbox.due(Timestamp::from_secs(20), 1).await.unwrap(),
        vec![a.clone()]
    );

    assert!(outbox
        .mark_failed(a.id, Timestamp::from_secs(40))
        .await
        .unwrap());
    let due = outbox.due(Timestamp::from_secs(45), 10).await.unwrap();
    let retried = OutboxItem {
        attempts: 1,
        next_attempt_at: Timestamp::from_secs(40),
        ..a.clone()
    };
    assert_eq!(due, vec![b.clone(), retried]);

    assert!(outbox.mark_sent(b.id).await.unwrap());
    assert!(!outbox.mark_sent(b.id).await.unwrap());
    assert!(!outbox
        .mark_failed(b.id, Timestamp::from_secs(1))
        .await
        .unwrap());
    assert_eq!(outbox.len().await.unwrap(), 2);
    let ids: Vec<EventId> = outbox
        .due(Timestamp::from_secs(100), 10)
        .await
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(ids, vec![a.id, c.id]);
}

#[tokio::test]
async fn processed_events_dedupe_and_track_the_latest_time() {
    let store = Store::open_in_memory().unwrap();
    let seen = store.processed_events();
    let id = |n: u8| EventId::from_byte_array([n; 32]);
    assert_eq!(seen.last_processed_at().await.unwrap(), None);

    let now = Timestamp::from_secs(1_000);
    assert!(seen
        .mark_processed(id(1), Timestamp::from_secs(900), now)
        .await
        .unwrap());
    assert!(!seen
        .mark_processed(id(1), Timestamp::from_secs(900), now)
        .await
        .unwrap());
    assert!(seen
        .mark_processed(id(2), Timestamp::from_secs(950), now)
        .await
        .unwrap());
    // An older event handled later does not move the resume point back.
    assert!(seen
        .mark_processed(id(3), Timestamp::from_secs(100), now)
        .await
        .unwrap());
    assert_eq!(
        seen.last_processed_at().await.unwrap(),
        Some(Timestamp::from_secs(950))
    );
    assert!(seen.contains(id(3)).await.unwrap());

    assert_eq!(seen.prune(Timestamp::from_secs(920)).await.unwrap(), 2);
    assert!(!seen.contains(id(1)).await.unwrap());
    assert!(seen.contains(id(2)).await.unwrap());
    assert_eq!(
        seen.last_processed_at().await.unwrap(),
        Some(Timestamp::from_secs(950))
    );
}
