//! RelayPool against real WebSocket relays on 127.0.0.1.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use devrelay::DevRelay;
use futures::{SinkExt, StreamExt};
use mostro_relay::{
    PoolOptions, RelayAck, RelayPool, SubscribeOptions, Subscription, SubscriptionItem,
};
use nostr::prelude::*;
use serde_json::json;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

/// Guard against a hung test; never used to wait for something to happen.
const GUARD: Duration = Duration::from_secs(10);

fn options() -> PoolOptions {
    PoolOptions {
        reconnect_min: Duration::from_millis(50),
        reconnect_max: Duration::from_millis(400),
        publish_timeout: Duration::from_secs(5),
        ..PoolOptions::default()
    }
}

/// A signed event with unique content (same-second events must differ).
fn note(keys: &Keys, kind: u16, tags: Vec<Tag>) -> Event {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    EventBuilder::new(Kind::from(kind), format!("note {n}"))
        .tags(tags)
        .finalize(keys)
        .unwrap()
}

fn url_of(relay: &DevRelay) -> RelayUrl {
    RelayUrl::parse(&relay.url()).unwrap()
}

async fn next(sub: &mut Subscription) -> SubscriptionItem {
    tokio::time::timeout(GUARD, sub.recv())
        .await
        .expect("item in time")
        .expect("subscription open")
}

/// Waits for `EOSE` from `relay`, returning the events received before it.
async fn until_eose(sub: &mut Subscription, relay: &RelayUrl) -> Vec<Event> {
    let mut events = Vec::new();
    loop {
        match next(sub).await {
            SubscriptionItem::Event { event, .. } => events.push(*event),
            SubscriptionItem::Eose { relay: r } if &r == relay => return events,
            SubscriptionItem::Eose { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

async fn next_event(sub: &mut Subscription) -> Event {
    tokio::time::timeout(GUARD, sub.next_event())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn publish_is_accepted_and_subscription_gets_stored_eose_then_live() {
    let relay = DevRelay::start_local().await.unwrap();
    let pool = RelayPool::new([relay.url()], options()).unwrap();
    pool.wait_for_connection(GUARD).await.unwrap();
    assert_eq!(pool.connected_relays(), vec![url_of(&relay)]);

    let keys = Keys::generate();
    let stored = note(&keys, 14, vec![]);
    let outcome = pool.publish(&stored).await;
    assert!(outcome.all_accepted(), "{outcome:?}");
    assert_eq!(outcome.event_id, stored.id);

    let mut sub = pool.subscribe(vec![Filter::new().kind(Kind::from(14))]);
    let before_eose = until_eose(&mut sub, &url_of(&relay)).await;
    assert_eq!(before_eose, vec![stored]);

    let live = note(&keys, 14, vec![]);
    assert!(pool.publish(&live).await.any_accepted());
    assert_eq!(next_event(&mut sub).await, live);
    pool.shutdown().await;
}

#[tokio::test]
async fn invalid_event_is_rejected_with_reason() {
    let relay = DevRelay::start_local().await.unwrap();
    let pool = RelayPool::new([relay.url()], options()).unwrap();
    pool.wait_for_connection(GUARD).await.unwrap();
    let good = note(&Keys::generate(), 14, vec![]);
    let mut raw = serde_json::to_value(&good).unwrap();
    raw["content"] = json!("changed after signing");
    let forged: Event = serde_json::from_value(raw).unwrap();
    let outcome = pool.publish(&forged).await;
    match &outcome.acks[&url_of(&relay)] {
        RelayAck::Rejected { reason } => assert!(reason.starts_with("invalid:"), "{reason}"),
        other => panic!("expected rejection, got {other:?}"),
    }
    assert!(!outcome.any_accepted());
    assert!(relay.store().is_empty());
}

#[tokio::test]
async fn two_relays_deliver_each_event_once() {
    let a = DevRelay::start_local().await.unwrap();
    let b = DevRelay::start_local().await.unwrap();
    let pool = RelayPool::new([a.url(), b.url()], options()).unwrap();
    let keys = Keys::generate();
    let mut sub = pool.subscribe(vec![Filter::new().author(keys.public_key())]);
    until_eose(&mut sub, &url_of(&a)).await;
    until_eose(&mut sub, &url_of(&b)).await;

    let first = note(&keys, 14, vec![]);
    let outcome = pool.publish(&first).await;
    assert_eq!(outcome.accepted_relays().len(), 2);
    let second = note(&keys, 1059, vec![]);
    assert!(pool.publish(&second).await.all_accepted());

    assert_eq!(next_event(&mut sub).await, first);
    // Had `first` been delivered twice, it would show up here instead.
    assert_eq!(next_event(&mut sub).await, second);
    assert_eq!(a.store().len(), 2);
    assert_eq!(b.store().len(), 2);
}

#[tokio::test]
async fn reconnects_and_catches_up_with_since_after_relay_restart() {
    let a = DevRelay::start_local().await.unwrap();
    let b = DevRelay::start_local().await.unwrap();
    let (url_a, url_b) = (url_of(&a), url_of(&b));
    let pool = RelayPool::new([a.url(), b.url()], options()).unwrap();
    let keys = Keys::generate();
    let filter = Filter::new().author(keys.public_key()).kind(Kind::from(14));
    let mut sub = pool.subscribe_with(
        vec![filter],
        SubscribeOptions {
            catch_up_overlap: Duration::from_secs(10),
        },
    );
    until_eose(&mut sub, &url_a).await;
    until_eose(&mut sub, &url_b).await;

    let now = Timestamp::now();
    let seen_live = EventBuilder::new(Kind::from(14), "live")
        .custom_created_at(now)
        .finalize(&keys)
        .unwrap();
    assert!(pool.publish(&seen_live).await.all_accepted());
    assert_eq!(next_event(&mut sub).await, seen_live);

    // Relay A goes down; meanwhile events reach its storage.
    let addr = a.local_addr();
    let store = a.store().clone();
    a.shutdown().await;
    let while_down = EventBuilder::new(Kind::from(14), "missed")
        .custom_created_at(now + 1)
        .finalize(&keys)
        .unwrap();
    let backdated = EventBuilder::new(Kind::from(14), "old")
        .custom_created_at(now - 1_000)
        .finalize(&keys)
        .unwrap();
    store.insert(while_down.clone(), Timestamp::now()).unwrap();
    store.insert(backdated.clone(), Timestamp::now()).unwrap();

    // A publication during the outage reports A as not reachable, B as accepted.
    let during = note(&keys, 1, vec![]);
    let outcome = pool.publish(&during).await;
    assert!(outcome.acks[&url_b].is_accepted());
    assert!(matches!(
        outcome.acks[&url_a],
        RelayAck::NotConnected | RelayAck::ConnectionLost
    ));

    let _a = DevRelay::start_with_store(addr, store).await.unwrap();
    let caught_up = until_eose(&mut sub, &url_a).await;
    // `since` = newest seen - overlap: the missed event is back, the
    // backdated one is outside the window.
    assert_eq!(caught_up, vec![while_down]);
    assert!(pool.connected_relays().contains(&url_a));
    pool.shutdown().await;
}

#[tokio::test]
async fn publish_with_one_relay_down_reports_per_relay() {
    let up = DevRelay::start_local().await.unwrap();
    let down_url = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        format!("ws://{}", listener.local_addr().unwrap())
    };
    let pool = RelayPool::new([up.url(), down_url.clone()], options()).unwrap();
    pool.wait_for_connection(GUARD).await.unwrap();
    let outcome = pool.publish(&note(&Keys::generate(), 14, vec![])).await;
    assert!(outcome.acks[&url_of(&up)].is_accepted());
    assert_eq!(
        outcome.acks[&RelayUrl::parse(&down_url).unwrap()],
        RelayAck::NotConnected
    );
    assert!(outcome.any_accepted() && !outcome.all_accepted());
    assert_eq!(pool.connected_relays(), vec![url_of(&up)]);
}

#[tokio::test]
async fn fetch_returns_stored_events_with_addressable_replacement() {
    let relay = DevRelay::start_local().await.unwrap();
    let pool = RelayPool::new([relay.url()], options()).unwrap();
    pool.wait_for_connection(GUARD).await.unwrap();
    let keys = Keys::generate();
    let now = Timestamp::now();
    let order = |secs: u64, d: &str, status: &str| {
        EventBuilder::new(Kind::from(38383), "")
            .tags([Tag::identifier(d), Tag::parse(["s", status]).unwrap()])
            .custom_created_at(now - secs)
            .finalize(&keys)
            .unwrap()
    };
    let old = order(20, "order-1", "pending");
    let newest = order(10, "order-1", "canceled");
    let other = order(15, "order-2", "pending");
    for event in [&old, &newest, &other] {
        assert!(pool.publish(event).await.all_accepted());
    }
    let got = pool
        .fetch(
            vec![Filter::new()
                .kind(Kind::from(38383))
                .author(keys.public_key())],
            GUARD,
        )
        .await
        .unwrap();
    assert_eq!(got, vec![newest.clone(), other]);
    let by_d = pool
        .fetch(
            vec![Filter::new().kind(Kind::from(38383)).identifier("order-1")],
            GUARD,
        )
        .await
        .unwrap();
    assert_eq!(by_d, vec![newest]);
}

#[tokio::test]
async fn events_with_bad_signature_or_not_matching_are_dropped() {
    // A relay that lies: it answers any REQ with a forged event, an event not
    // matching the filter, then a genuine one and EOSE.
    let keys = Keys::generate();
    let genuine = note(&keys, 14, vec![]);
    let wrong_kind = note(&keys, 1, vec![]);
    let mut forged = serde_json::to_value(note(&keys, 14, vec![])).unwrap();
    forged["content"] = json!("tampered");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    let payloads = vec![
        forged,
        serde_json::to_value(&wrong_kind).unwrap(),
        serde_json::to_value(&genuine).unwrap(),
    ];
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(stream).await.unwrap();
        while let Some(Ok(frame)) = ws.next().await {
            let Message::Text(text) = frame else { continue };
            let req: serde_json::Value = serde_json::from_str(text.as_str()).unwrap();
            if req[0] != "REQ" {
                continue;
            }
            for event in &payloads {
                ws.send(Message::text(json!(["EVENT", req[1], event]).to_string()))
                    .await
                    .unwrap();
            }
            ws.send(Message::text(json!(["EOSE", req[1]]).to_string()))
                .await
                .unwrap();
        }
    });
    let pool = RelayPool::new([url.clone()], options()).unwrap();
    let mut sub = pool.subscribe(vec![Filter::new().kind(Kind::from(14))]);
    let delivered = until_eose(&mut sub, &RelayUrl::parse(&url).unwrap()).await;
    assert_eq!(delivered, vec![genuine]);
}

#[tokio::test]
async fn shutdown_ends_subscriptions_and_disconnects() {
    let relay = DevRelay::start_local().await.unwrap();
    let pool = RelayPool::new([relay.url()], options()).unwrap();
    let mut sub = pool.subscribe(vec![Filter::new().kind(Kind::from(14))]);
    until_eose(&mut sub, &url_of(&relay)).await;
    pool.shutdown().await;
    assert!(tokio::time::timeout(GUARD, sub.recv())
        .await
        .unwrap()
        .is_none());
    assert!(pool.connected_relays().is_empty());
    let outcome = pool.publish(&note(&Keys::generate(), 14, vec![])).await;
    assert_eq!(outcome.acks[&url_of(&relay)], RelayAck::NotConnected);
}

#[test]
fn bad_urls_are_rejected_with_the_url() {
    let err = RelayPool::new(["http://example.com"], PoolOptions::default()).unwrap_err();
    assert!(err.to_string().contains("http://example.com"), "{err}");
    assert!(matches!(
        RelayPool::new(Vec::<String>::new(), PoolOptions::default()),
        Err(mostro_relay::RelayError::NoRelays)
    ));
}
