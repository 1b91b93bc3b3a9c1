//! `mostrod` as its own process ([`testnet::MostrodProcess`]): a generated
//! `settings.toml` in a temporary data directory, output captured to a log file,
//! SIGKILL and restart on the same data.

use std::path::Path;

use nostr::key::{Keys, PublicKey, SecretKey};
use testnet::{MostrodProcess, Network};

pub use testnet::mostrod::{party_fee, Tuning};

/// A `mostrod` process on its own data directory.
#[derive(Debug)]
pub struct Daemon {
    process: MostrodProcess,
    keys: Keys,
}

impl Daemon {
    /// Writes the settings and starts the daemon; returns once it is running.
    pub async fn start(net: &Network, relay_url: &str) -> Self {
        Self::start_tuned(net, relay_url, &Tuning::default()).await
    }

    /// [`Daemon::start`] with `tuning` added to the settings.
    pub async fn start_tuned(net: &Network, relay_url: &str, tuning: &Tuning) -> Self {
        let program = Path::new(env!("CARGO_BIN_EXE_mostrod"));
        let process =
            MostrodProcess::start(program, "mostrod-e2e-", net.mostro(), relay_url, tuning)
                .await
                .unwrap_or_else(|e| panic!("start mostrod: {e}"));
        let keys = node_keys(&process);
        Self { process, keys }
    }

    /// The daemon's Nostr public key.
    pub fn pubkey(&self) -> PublicKey {
        self.keys.public_key()
    }

    /// The log file (stdout and stderr of every start, appended).
    pub fn log_path(&self) -> &Path {
        self.process.log_path()
    }

    /// The last `lines` lines of the log.
    pub fn log_tail(&self, lines: usize) -> String {
        self.process.log_tail(lines)
    }

    /// SIGKILLs the process (no shutdown path runs) and reaps it.
    pub fn kill(&mut self) {
        self.process.kill();
    }

    /// Starts the daemon again on the same data directory and key.
    pub async fn restart(&mut self) {
        self.process
            .restart()
            .await
            .unwrap_or_else(|e| panic!("restart mostrod: {e}"));
        self.keys = node_keys(&self.process);
    }
}

/// The keys of the node key file the daemon generated on its first start.
fn node_keys(process: &MostrodProcess) -> Keys {
    let secret = process.node_secret_key().expect("read the node key file");
    Keys::new(SecretKey::parse(&secret).expect("parse the node key"))
}
