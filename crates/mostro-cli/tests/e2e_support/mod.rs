//! End-to-end harness for the CLI: the regtest LND network (`testnet`), a local
//! relay, `mostrod` as its own process, and users who run the `mostro-cli`
//! binary with `--json`, exactly as a person would from a shell.
//!
//! Tests of one binary run one at a time ([`setup`] takes a process-wide lock):
//! they share the network and its channel balances.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod cli;
pub mod daemon;
pub mod dispute;
pub mod flows;
pub mod lightning;
pub mod relay;

use testnet::Network;
use tokio::sync::{Mutex, MutexGuard};

pub use cli::{has_status, trade, CliUser, WAIT};
pub use daemon::{party_fee, Daemon};

static SERIAL: Mutex<()> = Mutex::const_new(());

/// What every test gets: the network, the relay and a fresh daemon.
#[derive(Debug)]
pub struct Env {
    /// The daemon (killed when the env drops; its log is printed on failure).
    pub daemon: Daemon,
    /// The regtest network.
    pub net: &'static Network,
    /// The relay URL.
    pub relay: &'static str,
    _serial: MutexGuard<'static, ()>,
}

/// Serialises the test, starts (once) the network and the relay, and starts a
/// daemon on a fresh data directory.
pub async fn setup() -> Env {
    let serial = SERIAL.lock().await;
    let net = testnet::shared_network()
        .await
        .expect("regtest network (build it with `cargo run -p testnet --bin regtest -- build`)");
    let relay = relay::shared_relay_url();
    let daemon = Daemon::start(net, relay).await;
    Env {
        daemon,
        net,
        relay,
        _serial: serial,
    }
}

impl Env {
    /// A new CLI user of this env's daemon; `transport` forces `--transport`.
    pub fn user(&self, name: &'static str, transport: Option<&'static str>) -> CliUser {
        CliUser::new(name, self.relay, &self.daemon.pubkey_hex(), transport)
    }
}
