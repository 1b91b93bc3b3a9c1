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

use mostro_client::{Transport, Update};
use testnet::Network;
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
