//! One local relay per test binary, on its own thread and runtime so that it
//! outlives every `#[tokio::test]` runtime, and queries of what it stored.

use std::sync::OnceLock;
use std::time::Duration;

use devrelay::{DevRelay, EventStore};
use nostr::event::{Event, Kind};
use nostr::filter::Filter;
use nostr::key::PublicKey;
use nostr::types::Timestamp;

/// The relay shared by the tests of this binary.
#[derive(Debug)]
pub struct SharedRelay {
    url: String,
    store: EventStore,
}

/// Starts the relay on first use.
pub fn shared_relay() -> &'static SharedRelay {
    static RELAY: OnceLock<SharedRelay> = OnceLock::new();
    RELAY.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("e2e-devrelay".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("relay runtime");
                runtime.block_on(async move {
                    let relay = DevRelay::start_local().await.expect("start devrelay");
                    tx.send((relay.url(), relay.store().clone()))
                        .expect("hand over the relay");
                    // Serve until the test process exits.
                    std::future::pending::<()>().await;
                });
            })
            .expect("spawn the relay thread");
        let (url, store) = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the relay did not start");
        SharedRelay { url, store }
    })
}

impl SharedRelay {
    /// `ws://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The newest event of `kind` by `author` with `d` tag `d`, if stored.
    pub fn latest(&self, kind: u16, author: PublicKey, d: &str) -> Option<Event> {
        let filter = Filter::new()
            .kind(Kind::Custom(kind))
            .author(author)
            .identifier(d);
        self.store
            .query(&filter, Timestamp::now())
            .into_iter()
            .max_by_key(|e| e.created_at)
    }

    /// Waits (up to `timeout`) until the newest such event satisfies `accept`.
    pub async fn wait_latest(
        &self,
        kind: u16,
        author: PublicKey,
        d: &str,
        timeout: Duration,
        accept: impl Fn(&Event) -> bool,
    ) -> Event {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let latest = self.latest(kind, author, d);
            if let Some(event) = latest.as_ref().filter(|e| accept(e)) {
                return event.clone();
            }
            if tokio::time::Instant::now() >= deadline {
                panic!(
                    "no acceptable kind-{kind} event d={d} within {timeout:?}; newest: {}",
                    latest.map_or_else(|| "none".to_owned(), |e| e.as_json())
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
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
