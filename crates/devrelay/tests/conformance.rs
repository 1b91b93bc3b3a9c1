//! NIP-01 conformance of the dev relay, driven by raw WebSocket frames.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use devrelay::DevRelay;
use futures::{SinkExt, StreamExt};
use nostr::prelude::*;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Guard against a hung test; never used to wait for something to happen.
const GUARD: Duration = Duration::from_secs(10);

struct RawClient {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl RawClient {
    async fn connect(relay: &DevRelay) -> Self {
        let (ws, _) = tokio_tungstenite::connect_async(relay.url()).await.unwrap();
        Self { ws }
    }

    async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.unwrap();
    }

    async fn send(&mut self, value: Value) {
        self.send_text(&value.to_string()).await;
    }

    async fn recv(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(GUARD, self.ws.next())
                .await
                .expect("relay answered in time")
                .expect("connection open")
                .unwrap();
            if let Message::Text(text) = frame {
                return serde_json::from_str(text.as_str()).unwrap();
            }
        }
    }

    async fn publish(&mut self, event: &Event) -> Value {
        self.send(json!(["EVENT", event])).await;
        self.recv().await
    }

    /// Sends a REQ and returns the events received before its EOSE.
    async fn req(&mut self, sub: &str, filters: Vec<Value>) -> Vec<Event> {
        let mut frame = vec![json!("REQ"), json!(sub)];
        frame.extend(filters);
        self.send(Value::Array(frame)).await;
        let mut events = Vec::new();
        loop {
            let msg = self.recv().await;
            match msg[0].as_str().unwrap() {
                "EVENT" if msg[1] == sub => {
                    events.push(serde_json::from_value(msg[2].clone()).unwrap())
                }
                "EOSE" if msg[1] == sub => return events,
                other => panic!("unexpected {other}: {msg}"),
            }
        }
    }
}

fn signed(keys: &Keys, kind: u16, tags: Vec<Tag>) -> Event {
    EventBuilder::new(Kind::from(kind), "hello")
        .tags(tags)
        .finalize(keys)
        .unwrap()
}

#[tokio::test]
async fn valid_event_gets_ok_true_and_duplicate_is_flagged() {
    let relay = DevRelay::start_local().await.unwrap();
    let mut client = RawClient::connect(&relay).await;
    let event = signed(&Keys::generate(), 14, vec![]);
    let ok = client.publish(&event).await;
    assert_eq!(ok, json!(["OK", event.id.to_hex(), true, ""]));
    let again = client.publish(&event).await;
    assert_eq!(again[2], json!(true));
    assert!(again[3].as_str().unwrap().starts_with("duplicate:"));
    assert_eq!(relay.store().len(), 1);
}

#[tokio::test]
async fn tampered_event_gets_ok_false_invalid() {
    let relay = DevRelay::start_local().await.unwrap();
    let mut client = RawClient::connect(&relay).await;
    let event = signed(&Keys::generate(), 14, vec![]);
    let mut raw = serde_json::to_value(&event).unwrap();
    raw["content"] = json!("tampered");
    client.send(json!(["EVENT", raw])).await;
    let ok = client.recv().await;
    assert_eq!(ok[0], "OK");
    assert_eq!(ok[1], event.id.to_hex());
    assert_eq!(ok[2], json!(false));
    assert!(ok[3].as_str().unwrap().starts_with("invalid:"));
    assert!(relay.store().is_empty());
}

#[tokio::test]
async fn expired_event_is_rejected() {
    let relay = DevRelay::start_local().await.unwrap();
    let mut client = RawClient::connect(&relay).await;
    let past = Timestamp::now() - Duration::from_secs(60);
    let event = signed(&Keys::generate(), 14, vec![Tag::expiration(past)]);
    let ok = client.publish(&event).await;
    assert_eq!(ok[2], json!(false));
    assert!(ok[3].as_str().unwrap().starts_with("invalid:"));
}

#[tokio::test]
async fn req_filters_by_p_d_authors_kinds_and_limit() {
    let relay = DevRelay::start_local().await.unwrap();
    let mut client = RawClient::connect(&relay).await;
    let alice = Keys::generate();
    let bob = Keys::generate();
    let to_bob = signed(&alice, 14, vec![Tag::public_key(bob.public_key())]);
    let to_alice = signed(&bob, 14, vec![Tag::public_key(alice.public_key())]);
    let order_x = signed(&alice, 38383, vec![Tag::identifier("x")]);
    let order_y = signed(&alice, 38383, vec![Tag::identifier("y")]);
    for event in [&to_bob, &to_alice, &order_x, &order_y] {
        assert_eq!(client.publish(event).await[2], json!(true));
    }

    let by_p = client
        .req("p", vec![json!({"#p": [bob.public_key().to_hex()]})])
        .await;
    assert_eq!(
        by_p.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![to_bob.id]
    );

    let by_d = client
        .req("d", vec![json!({"kinds": [38383], "#d": ["y"]})])
        .await;
    assert_eq!(
        by_d.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![order_y.id]
    );

    let by_author = client
        .req("a", vec![json!({"authors": [bob.public_key().to_hex()]})])
        .await;
    assert_eq!(
        by_author.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![to_alice.id]
    );

    let limited = client
        .req("l", vec![json!({"kinds": [38383], "limit": 1})])
        .await;
    assert_eq!(limited.len(), 1);

    let two_filters = client
        .req("two", vec![json!({"kinds": [14]}), json!({"#d": ["x"]})])
        .await;
    assert_eq!(two_filters.len(), 3);
}

#[tokio::test]
async fn addressable_event_is_replaced_by_newer_version() {
    let relay = DevRelay::start_local().await.unwrap();
    let mut client = RawClient::connect(&relay).await;
    let keys = Keys::generate();
    let now = Timestamp::now();
    let make = |secs_ago: u64, status: &str| {
        EventBuilder::new(Kind::from(38383), "")
            .tags([
                Tag::identifier("order-1"),
                Tag::parse(["s", status]).unwrap(),
            ])
            .custom_created_at(now - Duration::from_secs(secs_ago))
            .finalize(&keys)
            .unwrap()
    };
    let pending = make(10, "pending");
    let canceled = make(5, "canceled");
    client.publish(&pending).await;
    client.publish(&canceled).await;
    let late_old = client.publish(&make(20, "in-progress")).await;
    assert_eq!(late_old[2], json!(true));
    let got = client
        .req("o", vec![json!({"kinds": [38383], "#d": ["order-1"]})])
        .await;
    assert_eq!(
        got.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![canceled.id]
    );
    let by_s = client.req("s", vec![json!({"#s": ["pending"]})]).await;
    assert!(by_s.is_empty());
}

#[tokio::test]
async fn live_events_follow_eose_and_close_stops_them() {
    let relay = DevRelay::start_local().await.unwrap();
    let mut listener = RawClient::connect(&relay).await;
    let mut publisher = RawClient::connect(&relay).await;
    let keys = Keys::generate();

    assert!(listener
        .req("keep", vec![json!({"kinds": [14]})])
        .await
        .is_empty());
    assert!(listener
        .req("drop", vec![json!({"kinds": [14]})])
        .await
        .is_empty());
    listener.send(json!(["CLOSE", "drop"])).await;
    // A round trip proves the CLOSE was processed before the next publication.
    assert!(listener
        .req("probe", vec![json!({"kinds": [1]})])
        .await
        .is_empty());

    let event = signed(&keys, 14, vec![]);
    assert_eq!(publisher.publish(&event).await[2], json!(true));
    let live = listener.recv().await;
    assert_eq!(live[0], "EVENT");
    assert_eq!(live[1], "keep");
    assert_eq!(live[2]["id"], event.id.to_hex());
    // Frames for one live event are sent together; nothing for "drop" may follow.
    assert!(listener
        .req("probe2", vec![json!({"kinds": [1]})])
        .await
        .is_empty());
}

#[tokio::test]
async fn garbage_gets_notice_or_closed_and_connection_survives() {
    let relay = DevRelay::start_local().await.unwrap();
    let mut client = RawClient::connect(&relay).await;

    client.send_text("hello relay").await;
    assert_eq!(client.recv().await[0], "NOTICE");

    client.send(json!({"not": "an array"})).await;
    assert_eq!(client.recv().await[0], "NOTICE");

    client.send(json!(["REQ", "bad", {"kinds": "x"}])).await;
    let closed = client.recv().await;
    assert_eq!(closed[0], "CLOSED");
    assert_eq!(closed[1], "bad");
    assert!(closed[2].as_str().unwrap().starts_with("invalid:"));

    client.send(json!(["EVENT", {"id": "00", "kind": 1}])).await;
    assert_eq!(client.recv().await[0], "NOTICE");

    client
        .ws
        .send(Message::binary(vec![1, 2, 3]))
        .await
        .unwrap();
    assert_eq!(client.recv().await[0], "NOTICE");

    // Still serving.
    assert!(client
        .req("ok", vec![json!({"kinds": [1]})])
        .await
        .is_empty());
}

#[tokio::test]
async fn concurrent_clients_all_get_ok_and_subscriber_sees_all() {
    let relay = DevRelay::start_local().await.unwrap();
    let mut subscriber = RawClient::connect(&relay).await;
    assert!(subscriber
        .req("all", vec![json!({"kinds": [14]})])
        .await
        .is_empty());

    let mut handles = Vec::new();
    for _ in 0..8 {
        let mut client = RawClient::connect(&relay).await;
        handles.push(tokio::spawn(async move {
            let event = signed(&Keys::generate(), 14, vec![]);
            let ok = client.publish(&event).await;
            assert_eq!(ok[2], json!(true));
            event.id
        }));
    }
    let mut published = Vec::new();
    for handle in handles {
        published.push(handle.await.unwrap().to_hex());
    }
    let mut seen = Vec::new();
    while seen.len() < published.len() {
        let msg = subscriber.recv().await;
        assert_eq!(msg[0], "EVENT");
        seen.push(msg[2]["id"].as_str().unwrap().to_owned());
    }
    published.sort();
    seen.sort();
    assert_eq!(seen, published);
}

#[tokio::test]
async fn restart_with_same_store_and_port_keeps_events() {
    let relay = DevRelay::start_local().await.unwrap();
    let addr = relay.local_addr();
    let mut client = RawClient::connect(&relay).await;
    let event = signed(&Keys::generate(), 1059, vec![]);
    client.publish(&event).await;
    let store = relay.store().clone();
    relay.shutdown().await;
    // The old connection is closed by the shutdown.
    let end = tokio::time::timeout(GUARD, client.ws.next()).await.unwrap();
    assert!(matches!(
        end,
        None | Some(Ok(Message::Close(_))) | Some(Err(_))
    ));

    let relay = DevRelay::start_with_store(addr, store).await.unwrap();
    let mut client = RawClient::connect(&relay).await;
    let got = client.req("r", vec![json!({"kinds": [1059]})]).await;
    assert_eq!(got.iter().map(|e| e.id).collect::<Vec<_>>(), vec![event.id]);
}
