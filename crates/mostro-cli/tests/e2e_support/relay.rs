//! One local relay per test binary ([`testnet::RelayThread`], outliving every
//! `#[tokio::test]` runtime). Only the URL is needed here: these tests look at the
//! relay through the CLI, as a user does.

use std::sync::OnceLock;

use testnet::RelayThread;

/// The relay URL shared by the tests of this binary; started on first use.
pub fn shared_relay_url() -> &'static str {
    static RELAY: OnceLock<RelayThread> = OnceLock::new();
    RELAY
        .get_or_init(|| RelayThread::start("cli-e2e-devrelay").unwrap_or_else(|e| panic!("{e}")))
        .url()
}
