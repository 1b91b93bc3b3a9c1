//! Test support: a local relay, a tiny scripted fake daemon, and clients.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use devrelay::DevRelay;
use mostro_client::{MostroClient, Privacy, Timeouts, Transport};
use mostro_protocol::envelope::{unwrap_incoming, wrap_reply, Unwrapped};
use mostro_protocol::Message;
use mostro_relay::{PoolOptions, RelayPool};
use nostr::prelude::*;

/// Replies the script wants sent: (message, recipient).
pub type Replies = Vec<(Message, PublicKey)>;
/// The fake daemon's behaviour.
pub type Script = Arc<dyn Fn(&Unwrapped) -> Replies + Send + Sync>;

pub fn pool_options() -> PoolOptions {
    PoolOptions {
        reconnect_min: Duration::from_millis(50),
        reconnect_max: Duration::from_millis(400),
        publish_timeout: Duration::from_secs(5),
        ..PoolOptions::default()
    }
}

/// A scripted Mostro: unwraps every request with the real envelope code,
/// records it, and wraps the script's replies.
pub struct FakeDaemon {
    pub keys: Keys,
    pub received: Arc<Mutex<Vec<Unwrapped>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeDaemon {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeDaemon {
    pub async fn start(
        relay: &DevRelay,
        transport: Transport,
        advertise: Option<u8>,
        script: Script,
    ) -> Self {
        let keys = Keys::generate();
        let pool = RelayPool::new([relay.url()], pool_options()).unwrap();
        pool.wait_for_connection(Duration::from_secs(5))
            .await
            .unwrap();
        publish_info(&pool, &keys, advertise).await;
        let since = Timestamp::now().as_secs() - 3 * 24 * 3600;
        let mut sub = pool.subscribe(vec![Filter::new()
            .kind(transport.kind())
            .pubkey(keys.public_key())
            .since(Timestamp::from(since))]);
        let received = Arc::new(Mutex::new(Vec::new()));
        let (k, r) = (keys.clone(), Arc::clone(&received));
        let task = tokio::spawn(async move {
            while let Some(event) = sub.next_event().await {
                let Ok(Some(u)) = unwrap_incoming(&event, &k) else {
                    continue;
                };
                let replies = script(&u);
                r.lock().unwrap().push(u);
                for (mut msg, to) in replies {
                    msg.inner_mut().version = transport.protocol_version();
                    let ev = wrap_reply(transport, &msg, &k, &to, 30, Timestamp::now()).unwrap();
                    assert!(pool.publish(&ev).await.any_accepted());
                }
            }
        });
        Self {
            keys,
            received,
            task,
        }
    }

    pub fn pubkey(&self) -> PublicKey {
        self.keys.public_key()
    }

    pub fn requests(&self) -> Vec<Unwrapped> {
        self.received.lock().unwrap().clone()
    }
}

/// Publishes a kind-38385 info event, with `protocol_version` if given.
pub async fn publish_info(pool: &RelayPool, keys: &Keys, protocol_version: Option<u8>) {
    let event = info_event(keys, protocol_version);
    assert!(pool.publish(&event).await.any_accepted());
}

pub fn info_event(keys: &Keys, protocol_version: Option<u8>) -> Event {
    let mut tags = vec![
        Tag::parse(["d".to_string(), keys.public_key().to_hex()]).unwrap(),
        Tag::parse(["max_order_amount", "1000000"]).unwrap(),
        Tag::parse(["min_order_amount", "100"]).unwrap(),
        Tag::parse(["fee", "0"]).unwrap(),
        Tag::parse(["pow", "0"]).unwrap(),
        Tag::parse(["max_orders_per_response", "10"]).unwrap(),
    ];
    if let Some(v) = protocol_version {
        tags.push(Tag::parse(["protocol_version".to_string(), v.to_string()]).unwrap());
    }
    EventBuilder::new(Kind::Custom(38385), "")
        .tags(tags)
        .finalize(keys)
        .unwrap()
}

pub fn client(
    dir: &Path,
    relay: &DevRelay,
    daemon: PublicKey,
    privacy: Privacy,
    reply_timeout: Duration,
) -> MostroClient {
    MostroClient::builder()
        .data_dir(dir)
        .relay(relay.url())
        .daemon(daemon)
        .privacy(privacy)
        .pool_options(pool_options())
        .timeouts(Timeouts {
            reply: reply_timeout,
            fetch: Duration::from_secs(5),
        })
        .build()
        .unwrap()
}
