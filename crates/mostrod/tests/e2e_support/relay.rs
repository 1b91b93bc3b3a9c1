//! One local relay per test binary ([`testnet::RelayThread`], outliving every
//! `#[tokio::test]` runtime), and queries of what it stored.

use std::sync::OnceLock;
use std::time::Duration;

use nostr::event::{Event, Kind};
use nostr::filter::Filter;
use nostr::key::PublicKey;
use nostr::types::Timestamp;
use testnet::RelayThread;

/// The relay shared by the tests of this binary.
#[derive(Debug)]
pub struct SharedRelay {
    relay: RelayThread,
}

/// Starts the relay on first use.
pub fn shared_relay() -> &'static SharedRelay {
    static RELAY: OnceLock<SharedRelay> = OnceLock::new();
    RELAY.get_or_init(|| SharedRelay {
        relay: RelayThread::start("e2e-devrelay").unwrap_or_else(|e| panic!("{e}")),
    })
}

impl SharedRelay {
    /// `ws://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        self.relay.url()
    }

    /// The newest event of `kind` by `author` with `d` tag `d`, if stored.
    pub fn latest(&self, kind: u16, author: PublicKey, d: &str) -> Option<Event> {
        let filter = Filter::new()
            .kind(Kind::Custom(kind))
            .author(author)
            .identifier(d);
        self.relay
            .store()
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
