//! End-to-end harness: the regtest LND network (`testnet`), a local relay, and
//! `mostrod` as its own process, driven by `mostro-client` users.
//!
//! Tests of one binary run one at a time ([`setup`] takes a process-wide lock):
//! they share the network, and balances are asserted as deltas to the sat.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod daemon;
pub mod flows;
/// Canned HTTP answers on 127.0.0.1 (price feeds, LNURL services).
#[path = "../fixtures/http_server.rs"]
pub mod http_server;
pub mod lightning;
pub mod relay;
pub mod users;

use std::time::Duration;

use mostro_client::{NewOrder, Transport, Update};
use mostro_protocol::Kind;
use testnet::{Invoice, Network};
use tokio::sync::{Mutex, MutexGuard};
use uuid::Uuid;

pub use daemon::{party_fee, Daemon, Tuning};
pub use relay::{shared_relay, tag_value, SharedRelay};
pub use users::User;

/// Kind of the public order event.
pub const ORDER_KIND: u16 = 38383;
/// Kind of the public rating event.
pub const RATING_KIND: u16 = 38384;

static SERIAL: Mutex<()> = Mutex::const_new(());

/// What every test gets: the network, the relay and a fresh daemon.
#[derive(Debug)]
pub struct Env {
    /// The daemon (killed when the env drops; its log is printed on failure).
    pub daemon: Daemon,
    /// The regtest network.
    pub net: &'static Network,
    /// The relay.
    pub relay: &'static SharedRelay,
    _serial: MutexGuard<'static, ()>,
}

/// Serialises the test, starts (once) the network and the relay, and starts a
/// daemon on a fresh data directory.
pub async fn setup() -> Env {
    setup_tuned(&Tuning::default()).await
}

/// [`setup`] with `tuning` added to the daemon's settings (short timers, …).
pub async fn setup_tuned(tuning: &Tuning) -> Env {
    let serial = SERIAL.lock().await;
    let net = testnet::shared_network()
        .await
        .expect("regtest network (build it with `cargo run -p testnet --bin regtest -- build`)");
    let relay = shared_relay();
    let daemon = Daemon::start_tuned(net, relay.url(), tuning).await;
    Env {
        daemon,
        net,
        relay,
        _serial: serial,
    }
}

impl Env {
    /// A new user of this env's daemon.
    pub async fn user(&self, name: &'static str, transport: Transport) -> User {
        User::new(name, self.daemon.pubkey(), self.relay.url(), transport).await
    }

    /// Waits until the order's public event has status tag `s` = `status`.
    pub async fn wait_order_status(&self, order: Uuid, status: &str) -> nostr::event::Event {
        self.relay
            .wait_latest(
                ORDER_KIND,
                self.daemon.pubkey(),
                &order.to_string(),
                users::UPDATE_TIMEOUT,
                |e| tag_value(e, "s").as_deref() == Some(status),
            )
            .await
    }
}

/// An order created and seen `pending` in the book.
#[derive(Debug)]
pub struct Posted {
    /// Order id.
    pub id: Uuid,
    /// Mostro's reply to `new-order`.
    pub update: Update,
    /// The public order event with status `pending`.
    pub pending: nostr::event::Event,
}

impl Env {
    /// `user` creates `order`; waits until the book shows it `pending`.
    pub async fn post_order(&self, user: &User, order: &NewOrder) -> Posted {
        let created = user.client.create_order(order).await.expect("new-order");
        let id = created.order.id;
        let pending = self.wait_order_status(id, "pending").await;
        Posted {
            id,
            update: created.update,
            pending,
        }
    }

    /// `user` creates a fixed order of `sats` ([`users::fixed_order`]); waits
    /// until the book shows it `pending`.
    pub async fn post_fixed(&self, user: &User, kind: Kind, sats: u64) -> Uuid {
        self.post_order(user, &users::fixed_order(kind, sats))
            .await
            .id
    }

    /// An invoice of the buyer's node for `sats`.
    pub async fn buyer_invoice(&self, sats: u64, memo: &str) -> Invoice {
        self.net.buyer().create_invoice(sats, memo).await.unwrap()
    }

    /// Asserts the state of the escrow hold invoice `hash` at Mostro's node.
    pub async fn expect_hold_state(&self, hash: &str, state: &str) {
        lightning::assert_invoice_state(self.net.mostro(), hash, state, "escrow hold invoice")
            .await;
    }

    /// Polls until the escrow hold invoice `hash` at Mostro's node is in `state`
    /// (fails after `timeout`).
    pub async fn wait_hold_state(&self, hash: &str, state: &str, timeout: Duration) {
        lightning::wait_invoice_state(self.net.mostro(), hash, state, timeout).await;
    }

    /// Asserts the state of the payout invoice `hash` at the buyer's node.
    pub async fn expect_payout_state(&self, hash: &str, state: &str) {
        lightning::assert_invoice_state(self.net.buyer(), hash, state, "buyer's payout invoice")
            .await;
    }
}

/// `Update::PayHoldInvoice`.
pub fn is_pay_hold(u: &Update) -> bool {
    matches!(u, Update::PayHoldInvoice { .. })
}

/// `Update::Active`.
pub fn is_active(u: &Update) -> bool {
    matches!(u, Update::Active { .. })
}

/// The hold invoice of a `PayHoldInvoice` update.
pub fn hold_bolt11(u: &Update) -> String {
    match u {
        Update::PayHoldInvoice { bolt11, .. } => bolt11.clone(),
        other => panic!("expected a hold invoice, got {other:?}"),
    }
}
