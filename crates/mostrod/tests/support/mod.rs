//! Harness for daemon tests: a `mostrod` runtime in-process on a temporary data
//! directory, against a real local relay and the fake Lightning node, and test users
//! that speak the protocol through `mostro_protocol` envelopes.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod flows;
pub mod gated;

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bitcoin::hashes::{sha256, Hash};
use bitcoin::secp256k1::{Secp256k1, SecretKey};
use devrelay::DevRelay;
use lightning_invoice::{Bolt11Invoice, Currency, InvoiceBuilder, PaymentSecret};
use mostro_protocol::envelope::{
    unwrap_incoming, wrap_message, PrivacyMode, Transport, WrapOptions,
};
use mostro_protocol::{Action, Message, MessageKind, Payload};
use mostro_relay::{PoolOptions, RelayPool, Subscription, SubscriptionItem};
use mostrod::config::Settings;
use mostrod::lightning::fake::FakeLightning;
use mostrod::lightning::{DynLightning, PaymentHash};
use mostrod::runtime::{Mostro, RuntimeError, Timeouts};
use mostrod::store::Store;
use nostr::event::{Event, Kind};
use nostr::filter::Filter;
use nostr::key::{Keys, PublicKey};
use nostr::types::Timestamp;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// How long a test waits for one reply.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(20);

/// Settings for a test node on `relay_url` in `data_dir`: no fee, USD accepted.
pub fn settings(relay_url: &str, data_dir: &Path) -> Settings {
    let mut settings = Settings::default();
    settings.nostr.relays = vec![relay_url.to_owned()];
    settings.data_dir = data_dir.to_owned();
    settings.mostro.fee = 0.0;
    settings
}

/// A running daemon.
pub struct TestDaemon {
    pub mostro: Mostro,
    pub keys: Keys,
    shutdown: CancellationToken,
    task: JoinHandle<Result<(), RuntimeError>>,
    relays: RelayPool,
}

impl TestDaemon {
    /// Starts a daemon with `keys` on the database in `data_dir`.
    pub async fn start(relay_url: &str, data_dir: &Path, ln: FakeLightning, keys: Keys) -> Self {
        Self::start_with(relay_url, data_dir, Arc::new(ln), keys, Timeouts::default()).await
    }

    /// Starts a daemon on any Lightning backend with the given timeouts.
    pub async fn start_with(
        relay_url: &str,
        data_dir: &Path,
        ln: DynLightning,
        keys: Keys,
        timeouts: Timeouts,
    ) -> Self {
        let store = Store::open(data_dir.join("mostro.db")).expect("open store");
        let relays = RelayPool::new([relay_url], PoolOptions::default()).expect("relay pool");
        relays
            .wait_for_connection(Duration::from_secs(10))
            .await
            .expect("relay connection");
        let mostro = Mostro::builder(settings(relay_url, data_dir))
            .store(store)
            .lightning(ln)
            .relays(relays.clone())
            .keys(keys.clone())
            .timeouts(timeouts)
            .build()
            .await
            .expect("build daemon");
        let shutdown = CancellationToken::new();
        let task = {
            let (mostro, shutdown) = (mostro.clone(), shutdown.clone());
            tokio::spawn(async move { mostro.run(shutdown).await })
        };
        // Intake subscribes right after recovery; give it a moment.
        tokio::time::sleep(Duration::from_millis(500)).await;
        Self {
            mostro,
            keys,
            shutdown,
            task,
            relays,
        }
    }

    /// The node key.
    pub fn pubkey(&self) -> PublicKey {
        self.keys.public_key()
    }

    /// Stops the daemon and waits for every task.
    pub async fn stop(self) {
        self.shutdown.cancel();
        let outcome = tokio::time::timeout(Duration::from_secs(30), self.task)
            .await
            .expect("daemon stops in time")
            .expect("daemon task");
        outcome.expect("daemon ran cleanly");
        self.relays.shutdown().await;
    }
}

/// A protocol user: an identity key and one trade key, on one transport.
pub struct TestUser {
    pub identity: Keys,
    pub trade: Keys,
    pub transport: Transport,
    node: PublicKey,
    pool: RelayPool,
    subscription: Subscription,
    inbox: VecDeque<Message>,
}

impl TestUser {
    /// A fresh user listening for replies to its trade key.
    pub async fn new(relay_url: &str, node: PublicKey, transport: Transport) -> Self {
        let pool = RelayPool::new([relay_url], PoolOptions::default()).expect("relay pool");
        pool.wait_for_connection(Duration::from_secs(10))
            .await
            .expect("relay connection");
        let trade = Keys::generate();
        let since = Timestamp::now() - 3 * 86_400;
        let filter = Filter::new()
            .kinds([Kind::PrivateDirectMessage, Kind::GiftWrap])
            .pubkey(trade.public_key())
            .since(since);
        let subscription = pool.subscribe(vec![filter]);
        Self {
            identity: Keys::generate(),
            trade,
            transport,
            node,
            pool,
            subscription,
            inbox: VecDeque::new(),
        }
    }

    /// Sends `kind` inside the wrapper `wrap` (e.g. `Message::new_order`).
    pub async fn send(&self, message: Message) -> Event {
        let event = self.build(&message);
        let outcome = self.pool.publish(&event).await;
        assert!(outcome.any_accepted(), "relay refused the request");
        event
    }

    /// The signed event for `message`, not sent.
    pub fn build(&self, message: &Message) -> Event {
        wrap_message(
            self.transport,
            message,
            &self.trade,
            PrivacyMode::Reputation {
                identity: &self.identity,
            },
            &self.node,
            &WrapOptions::default(),
            Timestamp::now(),
        )
        .expect("wrap request")
    }

    /// Publishes an already built event; true when a relay accepted it.
    pub async fn publish(&self, event: &Event) -> bool {
        self.pool.publish(event).await.any_accepted()
    }

    /// Waits for the next reply with `action`, keeping the others for later.
    pub async fn expect(&mut self, action: Action) -> Message {
        if let Some(pos) = self.inbox.iter().position(|m| m.action() == action) {
            return self.inbox.remove(pos).expect("position is valid");
        }
        let deadline = tokio::time::Instant::now() + REPLY_TIMEOUT;
        loop {
            let message = tokio::time::timeout_at(deadline, self.next_message())
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "no {action} reply; got {:?}",
                        self.inbox.iter().map(Message::action).collect::<Vec<_>>()
                    )
                });
            if message.action() == action {
                return message;
            }
            self.inbox.push_back(message);
        }
    }

    /// Collects every reply that arrives within `window`.
    pub async fn drain(&mut self, window: Duration) -> Vec<Message> {
        let mut all: Vec<Message> = self.inbox.drain(..).collect();
        while let Ok(message) = tokio::time::timeout(window, self.next_message()).await {
            all.push(message);
        }
        all
    }

    async fn next_message(&mut self) -> Message {
        loop {
            let Some(item) = self.subscription.recv().await else {
                panic!("user subscription ended");
            };
            let SubscriptionItem::Event { event, .. } = item else {
                continue;
            };
            let Ok(Some(opened)) = unwrap_incoming(&event, &self.trade) else {
                continue;
            };
            if opened.sender == self.node {
                return opened.message;
            }
        }
    }
}

/// A message body for `action` with the version of `transport`.
pub fn body(transport: Transport, action: Action) -> MessageKind {
    MessageKind::new(action).with_version(transport.protocol_version())
}

/// A signed regtest BOLT 11 invoice for `amount_sat` with a random hash.
pub fn regtest_invoice(amount_sat: Option<u64>) -> String {
    let secp = Secp256k1::new();
    let key = SecretKey::from_slice(&[0x42; 32]).expect("valid key");
    let preimage: [u8; 32] = rand::random();
    let hash = sha256::Hash::hash(&preimage);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    let mut builder = InvoiceBuilder::new(Currency::Regtest)
        .description("payout".into())
        .payment_hash(hash)
        .payment_secret(PaymentSecret([7; 32]))
        .duration_since_epoch(now)
        .min_final_cltv_expiry_delta(144)
        .expiry_time(Duration::from_secs(24 * 3600));
    if let Some(sat) = amount_sat {
        builder = builder.amount_milli_satoshis(sat * 1000);
    }
    builder
        .build_signed(|msg| secp.sign_ecdsa_recoverable(msg, &key))
        .expect("sign invoice")
        .to_string()
}

/// The payment hash of a hold invoice made by the fake node (`lnbcrt<sat>fake<hash>`).
pub fn fake_hold_hash(bolt11: &str) -> PaymentHash {
    let (_, hash) = bolt11.split_once("fake").expect("a fake node invoice");
    hash.parse().expect("hex payment hash")
}

/// The payment hash of a BOLT 11 string.
pub fn hash_of(bolt11: &str) -> PaymentHash {
    let invoice: Bolt11Invoice = bolt11.parse().expect("bolt11");
    let bytes: &[u8] = invoice.payment_hash().as_ref();
    PaymentHash::from_slice(bytes).expect("32 bytes")
}

/// The newest kind-`kind` event with `d` = `d` on the relay.
pub fn public_event(relay: &DevRelay, kind: u16, d: &str) -> Option<Event> {
    let filter = Filter::new().kind(Kind::from(kind)).identifier(d);
    relay
        .store()
        .query(&filter, Timestamp::now())
        .into_iter()
        .next()
}

/// The value of the first tag named `name`.
pub fn tag_value(event: &Event, name: &str) -> Option<String> {
    event.tags.iter().find_map(|t| {
        let s = t.as_slice();
        (s.first().map(String::as_str) == Some(name))
            .then(|| s.get(1).cloned())
            .flatten()
    })
}

/// Polls `check` until it returns `Some` or the reply timeout passes.
pub async fn eventually<T>(mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + REPLY_TIMEOUT;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not met in time"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The order id a reply carries.
pub fn order_id(message: &Message) -> Uuid {
    message.id().expect("reply carries the order id")
}

/// The payload of a reply.
pub fn payload(message: &Message) -> &Payload {
    message.payload().expect("reply carries a payload")
}
