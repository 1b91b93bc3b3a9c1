//! Trading users: a `mostro-client` per role with its own data directory, and a
//! watch on its trade keys to wait for what the daemon tells it.

use std::time::Duration;

use mostro_client::{
    MostroClient, NewOrder, OrderAmount, Timeouts, Transport, Update, Watch, WatchEvent,
};
use mostro_protocol::Kind;
use nostr::key::PublicKey;
use uuid::Uuid;

/// How far back a watch replays stored messages.
const LOOKBACK_SECS: u64 = 600;

/// How long a test waits for one update.
pub const UPDATE_TIMEOUT: Duration = Duration::from_secs(90);

/// A user of the daemon.
#[derive(Debug)]
pub struct User {
    /// The client.
    pub client: MostroClient,
    name: &'static str,
    watch: Watch,
    seen: Vec<Update>,
    _dir: tempfile::TempDir,
}

impl User {
    /// A fresh user (new mnemonic) speaking `transport` to `daemon` on `relay`.
    pub async fn new(
        name: &'static str,
        daemon: PublicKey,
        relay: &str,
        transport: Transport,
    ) -> Self {
        let dir = tempfile::tempdir().expect("user data dir");
        let client = MostroClient::builder()
            .data_dir(dir.path().join("client"))
            .relay(relay)
            .daemon(daemon)
            .transport(Some(transport))
            .timeouts(Timeouts {
                reply: Duration::from_secs(60),
                fetch: Duration::from_secs(10),
            })
            .build()
            .expect("build client");
        client
            .pool()
            .wait_for_connection(Duration::from_secs(10))
            .await
            .expect("client relay connection");
        // Covers the next unused trade key: the one the first order will use.
        let watch = client.watch(LOOKBACK_SECS).await.expect("watch");
        Self {
            client,
            name,
            watch,
            seen: Vec::new(),
            _dir: dir,
        }
    }

    /// The trade public key this user uses for `order`.
    pub fn trade_pubkey(&self, order: Uuid) -> PublicKey {
        let local = self.client.local_order(order).expect("local order");
        self.client
            .trade_keys(local.trade_index)
            .expect("trade keys")
            .public_key()
    }

    /// Waits for the first update of `order` accepted by `want`; panics with
    /// every update seen so far when none comes within [`UPDATE_TIMEOUT`].
    pub async fn expect(
        &mut self,
        order: Uuid,
        what: &str,
        want: impl Fn(&Update) -> bool,
    ) -> WatchEvent {
        let deadline = tokio::time::Instant::now() + UPDATE_TIMEOUT;
        loop {
            let next = tokio::time::timeout_at(deadline, self.watch.next()).await;
            match next {
                Ok(Some(Ok(event))) => {
                    self.seen.push(event.update.clone());
                    if event.order_id == Some(order) && want(&event.update) {
                        return event;
                    }
                }
                Ok(Some(Err(error))) => panic!("{}: watch failed: {error}", self.name),
                Ok(None) => panic!("{}: watch ended", self.name),
                Err(_) => panic!(
                    "{}: no `{what}` for {order} within {UPDATE_TIMEOUT:?}; seen: {:?}",
                    self.name, self.seen
                ),
            }
        }
    }
}

impl User {
    /// Waits for the first update, about any order, accepted by `want` (e.g. a
    /// range child order, whose id is not known yet).
    pub async fn expect_any(
        &mut self,
        what: &str,
        want: impl Fn(&WatchEvent) -> bool,
    ) -> WatchEvent {
        let deadline = tokio::time::Instant::now() + UPDATE_TIMEOUT;
        loop {
            match tokio::time::timeout_at(deadline, self.watch.next()).await {
                Ok(Some(Ok(event))) => {
                    self.seen.push(event.update.clone());
                    if want(&event) {
                        return event;
                    }
                }
                Ok(Some(Err(error))) => panic!("{}: watch failed: {error}", self.name),
                Ok(None) => panic!("{}: watch ended", self.name),
                Err(_) => panic!(
                    "{}: no `{what}` within {UPDATE_TIMEOUT:?}; seen: {:?}",
                    self.name, self.seen
                ),
            }
        }
    }

    /// Waits for the first update of `order` equal to `want` (see [`User::expect`]).
    pub async fn expect_exact(&mut self, order: Uuid, what: &str, want: Update) -> WatchEvent {
        self.expect(order, what, |u| *u == want).await
    }

    /// Every update about `order` that arrives within `window` (to assert that
    /// the daemon said nothing, or exactly what it said).
    pub async fn updates_within(&mut self, order: Uuid, window: Duration) -> Vec<Update> {
        let deadline = tokio::time::Instant::now() + window;
        let mut got = Vec::new();
        while let Ok(next) = tokio::time::timeout_at(deadline, self.watch.next()).await {
            match next {
                Some(Ok(event)) => {
                    self.seen.push(event.update.clone());
                    if event.order_id == Some(order) {
                        got.push(event.update);
                    }
                }
                Some(Err(error)) => panic!("{}: watch failed: {error}", self.name),
                None => break,
            }
        }
        got
    }
}

/// A fixed-price order for `sats` sats and 100 USD.
pub fn fixed_order(kind: Kind, sats: u64) -> NewOrder {
    NewOrder {
        kind,
        fiat_code: "USD".to_owned(),
        amount: OrderAmount::Fixed {
            sats: i64::try_from(sats).expect("sats fit i64"),
            fiat: 100,
        },
        payment_methods: vec!["bank transfer".to_owned()],
        buyer_invoice: None,
        expires_at: None,
    }
}
