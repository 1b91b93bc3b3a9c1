//! Shared fixtures of the `nostr_*` integration tests: a real relay on 127.0.0.1, a
//! store on disk, node and user keys, and hand-built client events.

#![allow(dead_code)]

use std::time::Duration;

use devrelay::DevRelay;
use mostro_protocol::envelope::{wrap_message, PrivacyMode, Transport, WrapOptions};
use mostro_protocol::{Action, Message, MessageKind};
use mostro_relay::{PoolOptions, RelayPool};
use mostrod::store::Store;
use nostr::event::{Event, EventBuilder, FinalizeEvent, Kind, Tag};
use nostr::key::{Keys, PublicKey};
use nostr::nips::nip44::{self, Version};
use nostr::types::Timestamp;
use uuid::Uuid;

/// A relay pool that reconnects quickly (tests restart relays).
pub fn pool(url: &str) -> RelayPool {
    let options = PoolOptions {
        reconnect_min: Duration::from_millis(100),
        reconnect_max: Duration::from_millis(400),
        publish_timeout: Duration::from_secs(3),
        ..PoolOptions::default()
    };
    RelayPool::new([url], options).unwrap()
}

/// A started relay and a connected pool.
pub async fn relay_and_pool() -> (DevRelay, RelayPool) {
    let relay = DevRelay::start_local().await.unwrap();
    let pool = pool(&relay.url());
    pool.wait_for_connection(Duration::from_secs(5))
        .await
        .unwrap();
    (relay, pool)
}

/// A store in a fresh temporary directory (kept alive by the returned guard).
pub fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("mostro.db")).unwrap();
    (dir, store)
}

/// A user with an identity key and one trade key.
#[derive(Debug, Clone)]
pub struct User {
    pub identity: Keys,
    pub trade: Keys,
}

impl User {
    pub fn new() -> Self {
        Self {
            identity: Keys::generate(),
            trade: Keys::generate(),
        }
    }
}

/// `take-sell` of a fixed order with request id 7 and trade index 1.
pub fn take_sell(order_id: Uuid) -> Message {
    Message::new_order(
        MessageKind::new(Action::TakeSell)
            .with_id(order_id)
            .with_request_id(7)
            .with_trade_index(1),
    )
}

/// Wraps `message` from `user` to `node` (reputation or full privacy) at `now`.
pub fn client_event(
    transport: Transport,
    message: &Message,
    user: &User,
    reputation: bool,
    node: &PublicKey,
    pow: u8,
    now: Timestamp,
) -> Event {
    let mode = if reputation {
        PrivacyMode::Reputation {
            identity: &user.identity,
        }
    } else {
        PrivacyMode::FullPrivacy
    };
    let options = WrapOptions {
        pow,
        expiration: None,
    };
    wrap_message(transport, message, &user.trade, mode, node, &options, now).unwrap()
}

/// A v2 kind-14 event from `trade` to `node` whose encrypted content is `plaintext`
/// verbatim (for malformed or hand-assembled tuples).
pub fn raw_v2(trade: &Keys, node: &PublicKey, plaintext: &str, now: Timestamp) -> Event {
    let content = nip44::encrypt(trade.secret_key(), node, plaintext, Version::V2).unwrap();
    EventBuilder::new(Kind::PrivateDirectMessage, content)
        .tag(Tag::public_key(*node))
        .custom_created_at(now)
        .finalize(trade)
        .unwrap()
}

/// Runs `f` until it yields `Some`, for at most `timeout`.
pub async fn eventually<T, F, Fut>(timeout: Duration, mut f: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(v) = f().await {
            return Some(v);
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
