//! Intake over a real relay on 127.0.0.1: client events built with `mostro_protocol`
//! arrive as the right `IncomingRequest`, and every §1.6 drop rule holds.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod nostr_support;

use std::time::Duration;

use mostro_protocol::envelope::Transport as Wire;
use mostro_protocol::{sign, Action, Message, MessageKind};
use mostro_relay::RelayPool;
use mostrod::model::Transport;
use mostrod::nostr::{DropReason, IncomingRequest, Intake, IntakeConfig, KnownKeys};
use mostrod::store::{Change, Store};
use nostr::event::Event;
use nostr::key::Keys;
use nostr::types::Timestamp;
use nostr_support::{client_event, raw_v2, relay_and_pool, store, take_sell, User};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(5);

async fn intake(node: &Keys, store: &Store, config: &IntakeConfig) -> Intake {
    Intake::new(
        node.clone(),
        store,
        KnownKeys::new(),
        config,
        Timestamp::now(),
    )
    .await
    .unwrap()
}

/// Starts the intake task on `pool`; returns the request stream and its stopper.
fn spawn(intake: Intake, pool: &RelayPool) -> (mpsc::Receiver<IncomingRequest>, CancellationToken) {
    let (tx, rx) = mpsc::channel(16);
    let cancel = CancellationToken::new();
    tokio::spawn(intake.run(pool.clone(), tx, cancel.clone()));
    (rx, cancel)
}

async fn next(rx: &mut mpsc::Receiver<IncomingRequest>) -> IncomingRequest {
    tokio::time::timeout(WAIT, rx.recv())
        .await
        .unwrap()
        .unwrap()
}

async fn publish(pool: &RelayPool, event: &Event) {
    assert!(pool.publish(event).await.any_accepted());
}

#[tokio::test]
async fn client_events_of_both_transports_and_modes_arrive_as_requests() {
    let (_relay, pool) = relay_and_pool().await;
    let (_dir, store) = store();
    let node = Keys::generate();
    let intake = intake(&node, &store, &IntakeConfig::default()).await;
    let metrics = intake.metrics();
    let (mut rx, cancel) = spawn(intake, &pool);
    // Let the subscription reach the relay before publishing live events.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let cases = [
        (Wire::V2, true, Transport::Nip44),
        (Wire::V2, false, Transport::Nip44),
        (Wire::V1, true, Transport::GiftWrap),
        (Wire::V1, false, Transport::GiftWrap),
    ];
    for (wire, reputation, transport) in cases {
        let user = User::new();
        let order_id = Uuid::new_v4();
        let message = take_sell(order_id);
        let event = client_event(
            wire,
            &message,
            &user,
            reputation,
            &node.public_key(),
            0,
            Timestamp::now(),
        );
        publish(&pool, &event).await;
        let request = next(&mut rx).await;
        assert_eq!(request.event_id, event.id);
        assert_eq!(request.transport, transport);
        assert_eq!(request.sender, user.trade.public_key());
        let identity = if reputation {
            user.identity.public_key()
        } else {
            user.trade.public_key()
        };
        assert_eq!(request.identity, identity);
        assert_eq!(request.full_privacy(), !reputation);
        assert_eq!(request.trade_signed, reputation);
        assert_eq!(request.action, Action::TakeSell);
        assert_eq!(request.order_id, Some(order_id));
        assert_eq!(request.request_id, Some(7));
        assert_eq!(request.trade_index, Some(1));
        assert_eq!(request.payload, None);
        let engine_request = request.to_request();
        assert_eq!(engine_request.sender, request.sender);
        assert_eq!(engine_request.transport, transport);
    }
    assert_eq!(metrics.accepted(), 4);
    assert_eq!(metrics.dropped_total(), 0);
    cancel.cancel();
}

#[tokio::test]
async fn replayed_event_is_dropped_also_after_restart() {
    let (_relay, pool) = relay_and_pool().await;
    let (_dir, store) = store();
    let node = Keys::generate();
    let user = User::new();
    let event = client_event(
        Wire::V2,
        &take_sell(Uuid::new_v4()),
        &user,
        true,
        &node.public_key(),
        0,
        Timestamp::now(),
    );

    let first = intake(&node, &store, &IntakeConfig::default()).await;
    let (mut rx, cancel) = spawn(first.clone(), &pool);
    tokio::time::sleep(Duration::from_millis(300)).await;
    publish(&pool, &event).await;
    let request = next(&mut rx).await;
    assert_eq!(request.event_id, event.id);
    // While it is being handled, the same event again (from another relay) is dropped.
    assert_eq!(
        first.process(&event, Timestamp::now()).await,
        Err(DropReason::Replayed)
    );
    // The dispatcher commits the mark with what the request caused.
    store
        .commit(Change::default().with_processed(Some(request.processed_mark(Timestamp::now()))))
        .await
        .unwrap();
    first.in_flight().finish(event.id);
    // The same event again, e.g. rebroadcast by an attacker.
    assert_eq!(
        first.process(&event, Timestamp::now()).await,
        Err(DropReason::Replayed)
    );
    cancel.cancel();

    // A restarted intake on the same database: the relay re-delivers the stored event
    // (its `since` covers it) and the persisted dedupe drops it.
    let reopened = Store::open(_dir.path().join("mostro.db")).unwrap();
    let second = intake(&node, &reopened, &IntakeConfig::default()).await;
    let metrics = second.metrics();
    let (mut rx, cancel) = spawn(second, &pool);
    let replayed = nostr_support::eventually(WAIT, || {
        let metrics = metrics.clone();
        async move { (metrics.dropped(DropReason::Replayed) > 0).then_some(()) }
    })
    .await;
    assert!(
        replayed.is_some(),
        "the re-delivered event was not deduplicated"
    );
    assert!(rx.try_recv().is_err());
    assert_eq!(metrics.accepted(), 0);
    cancel.cancel();
}

#[tokio::test]
async fn forged_signature_is_dropped_and_does_not_block_the_genuine_event() {
    let (_dir, store) = store();
    let node = Keys::generate();
    let intake = intake(&node, &store, &IntakeConfig::default()).await;
    let user = User::new();
    let now = Timestamp::now();
    let genuine = client_event(
        Wire::V2,
        &take_sell(Uuid::new_v4()),
        &user,
        true,
        &node.public_key(),
        0,
        now,
    );
    // Same id, signature of a different event: an attacker trying to pre-empt it.
    let other = client_event(
        Wire::V2,
        &take_sell(Uuid::new_v4()),
        &user,
        true,
        &node.public_key(),
        0,
        now,
    );
    let mut forged = genuine.clone();
    forged.sig = other.sig;
    assert_eq!(
        intake.process(&forged, now).await,
        Err(DropReason::BadSignature)
    );
    let request = intake.process(&genuine, now).await.unwrap();
    assert_eq!(request.event_id, genuine.id);
}

#[tokio::test]
async fn stale_event_is_dropped_and_catch_up_window_admits_downtime_messages() {
    let (dir, store) = store();
    let node = Keys::generate();
    let now = Timestamp::now();
    let user = User::new();
    let message = take_sell(Uuid::new_v4());

    // A first start has no catch-up window: 11 s old is stale.
    let fresh_start = intake(&node, &store, &IntakeConfig::default()).await;
    let stale = client_event(
        Wire::V2,
        &message,
        &user,
        true,
        &node.public_key(),
        0,
        now - 11,
    );
    assert_eq!(
        fresh_start.process(&stale, now).await,
        Err(DropReason::Stale)
    );
    let stale_v1 = client_event(
        Wire::V1,
        &message,
        &user,
        false,
        &node.public_key(),
        0,
        now - 11,
    );
    assert_eq!(
        fresh_start.process(&stale_v1, now).await,
        Err(DropReason::Stale)
    );
    let recent = client_event(
        Wire::V2,
        &message,
        &user,
        true,
        &node.public_key(),
        0,
        now - 9,
    );
    let handled = fresh_start.process(&recent, now).await.unwrap();
    store
        .commit(Change::default().with_processed(Some(handled.processed_mark(now))))
        .await
        .unwrap();

    // Restart: the store remembers activity at `now - 9`. A message created during
    // the downtime (after that, before the restart) is accepted within the max age.
    drop(fresh_start);
    let reopened = Store::open(dir.path().join("mostro.db")).unwrap();
    let config = IntakeConfig {
        max_catchup_age: Duration::from_secs(3_600),
        ..IntakeConfig::default()
    };
    let later = now + 600;
    let restarted = Intake::new(node.clone(), &reopened, KnownKeys::new(), &config, later)
        .await
        .unwrap();
    let during_downtime = client_event(
        Wire::V2,
        &message,
        &user,
        true,
        &node.public_key(),
        0,
        now + 300,
    );
    assert!(restarted.process(&during_downtime, later).await.is_ok());
    // Older than the last processed activity (minus the since margin): stale.
    let before_stop = client_event(
        Wire::V2,
        &message,
        &user,
        true,
        &node.public_key(),
        0,
        now - 9 - 61,
    );
    assert_eq!(
        restarted.process(&before_stop, later).await,
        Err(DropReason::Stale)
    );
    // Too old for the window at processing time.
    let much_later = later + 3_600;
    let expired = client_event(
        Wire::V2,
        &message,
        &user,
        true,
        &node.public_key(),
        0,
        now + 400,
    );
    assert_eq!(
        restarted.process(&expired, much_later).await,
        Err(DropReason::Stale)
    );
    // Created after the restart: the normal 10 s rule.
    let after_restart = client_event(
        Wire::V2,
        &message,
        &user,
        true,
        &node.public_key(),
        0,
        later + 5,
    );
    assert_eq!(
        restarted.process(&after_restart, later + 30).await,
        Err(DropReason::Stale)
    );
}

#[tokio::test]
async fn event_for_another_node_is_dropped() {
    let (_dir, store) = store();
    let node = Keys::generate();
    let intake = intake(&node, &store, &IntakeConfig::default()).await;
    let now = Timestamp::now();
    let elsewhere = Keys::generate().public_key();
    for wire in [Wire::V1, Wire::V2] {
        let event = client_event(
            wire,
            &take_sell(Uuid::new_v4()),
            &User::new(),
            true,
            &elsewhere,
            0,
            now,
        );
        assert_eq!(intake.process(&event, now).await, Err(DropReason::NotForUs));
    }
}

/// Builds events until one does NOT reach `bits` by chance.
fn below_pow(wire: Wire, node: &Keys, bits: u8) -> Event {
    loop {
        let event = client_event(
            wire,
            &take_sell(Uuid::new_v4()),
            &User::new(),
            true,
            &node.public_key(),
            0,
            Timestamp::now(),
        );
        if !event.id.check_pow(bits) {
            return event;
        }
    }
}

#[tokio::test]
async fn pow_below_threshold_is_dropped_and_first_contact_lane_applies_to_v2() {
    let (_dir, store) = store();
    let node = Keys::generate();
    let now = Timestamp::now();
    let base = IntakeConfig {
        pow: 6,
        ..IntakeConfig::default()
    };
    let intake_base = intake(&node, &store, &base).await;
    for wire in [Wire::V1, Wire::V2] {
        let weak = below_pow(wire, &node, 6);
        assert_eq!(
            intake_base.process(&weak, now).await,
            Err(DropReason::InsufficientPow)
        );
        let mined = client_event(
            wire,
            &take_sell(Uuid::new_v4()),
            &User::new(),
            true,
            &node.public_key(),
            6,
            now,
        );
        assert!(intake_base.process(&mined, now).await.is_ok());
    }

    let (_dir2, store2) = nostr_support::store();
    let first_contact = IntakeConfig {
        pow: 0,
        pow_first_contact: 6,
        ..IntakeConfig::default()
    };
    let known = KnownKeys::new();
    let lane = Intake::new(node.clone(), &store2, known.clone(), &first_contact, now)
        .await
        .unwrap();
    let stranger = below_pow(Wire::V2, &node, 6);
    assert_eq!(
        lane.process(&stranger, now).await,
        Err(DropReason::FirstContactPow)
    );
    // v1 wraps are signed by throw-away keys: no first-contact lane.
    let v1 = below_pow(Wire::V1, &node, 6);
    assert!(lane.process(&v1, now).await.is_ok());
    // A known trade key needs only `pow`.
    let user = User::new();
    known.insert(user.trade.public_key());
    let follow_up = loop {
        let e = client_event(
            Wire::V2,
            &take_sell(Uuid::new_v4()),
            &user,
            true,
            &node.public_key(),
            0,
            now,
        );
        if !e.id.check_pow(6) {
            break e;
        }
    };
    assert!(lane.process(&follow_up, now).await.is_ok());
}

#[tokio::test]
async fn reputation_message_without_trade_signature_is_dropped() {
    let (_dir, store) = store();
    let node = Keys::generate();
    let intake = intake(&node, &store, &IntakeConfig::default()).await;
    let user = User::new();
    let now = Timestamp::now();
    let message = take_sell(Uuid::new_v4());
    let json = message.as_json();
    let proof = sign::sign_identity_proof(&user.identity, &user.trade.public_key(), &json);
    let tuple = format!(
        "[{json},null,[\"{}\",\"{}\"]]",
        user.identity.public_key().to_hex(),
        proof
    );
    let event = raw_v2(&user.trade, &node.public_key(), &tuple, now);
    assert_eq!(
        intake.process(&event, now).await,
        Err(DropReason::MissingTradeSignature)
    );

    // The same tuple with the trade signature passes (the hand-built form is right).
    let trade_sig = sign::sign_message(&user.trade, &json);
    let signed = format!(
        "[{json},\"{trade_sig}\",[\"{}\",\"{}\"]]",
        user.identity.public_key().to_hex(),
        proof
    );
    let event = raw_v2(&user.trade, &node.public_key(), &signed, now);
    let request = intake.process(&event, now).await.unwrap();
    assert_eq!(request.identity, user.identity.public_key());
}

#[tokio::test]
async fn malformed_content_and_invalid_messages_are_dropped_without_panic() {
    let (_dir, store) = store();
    let node = Keys::generate();
    let intake = intake(&node, &store, &IntakeConfig::default()).await;
    let user = User::new();
    let now = Timestamp::now();
    let json = take_sell(Uuid::new_v4()).as_json();
    let undecodable = [
        "not json".to_owned(),
        "{}".to_owned(),
        "[]".to_owned(),
        format!("[{json},null]"),
        format!("[{json},null,null,null]"),
        "[{\"order\":{\"version\":2,\"action\":\"no-such-action\"}},null,null]".to_owned(),
        format!("[{json},\"zz\",null]"),
    ];
    for plaintext in &undecodable {
        let event = raw_v2(&user.trade, &node.public_key(), plaintext, now);
        assert_eq!(
            intake.process(&event, now).await,
            Err(DropReason::Undecodable),
            "{plaintext}"
        );
    }
    // Decodes, but fails structural verification: take-sell needs an order id.
    let no_id = Message::new_order(MessageKind::new(Action::TakeSell));
    let event = raw_v2(
        &user.trade,
        &node.public_key(),
        &format!("[{},null,null]", no_id.as_json()),
        now,
    );
    assert_eq!(
        intake.process(&event, now).await,
        Err(DropReason::FailedVerify)
    );
    assert_eq!(
        intake.metrics().dropped_total(),
        undecodable.len() as u64 + 1
    );
}
