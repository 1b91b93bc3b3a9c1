//! `mostrod` as its own process: built once per test binary with cargo, run on a
//! generated `settings.toml` in a temporary data directory, output to a log file.
//!
//! The process itself is [`testnet::MostrodProcess`], as in mostrod's own e2e
//! harness. A binary of another package has no `CARGO_BIN_EXE_*`, so
//! [`mostrod_binary`] asks cargo to build it (a no-op when it is up to date) and
//! reads the path from cargo's JSON messages.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use nostr::key::{Keys, SecretKey};
use testnet::{MostrodProcess, Network, Tuning};
use tokio::sync::OnceCell;

pub use testnet::mostrod::{party_fee, FEE_FRACTION};

/// Use this `mostrod` executable instead of building one.
pub const MOSTROD_BIN_ENV: &str = "MOSTROD_BIN";

/// The `mostrod` executable: `$MOSTROD_BIN`, else built by cargo (once per process).
pub async fn mostrod_binary() -> &'static Path {
    static BIN: OnceCell<PathBuf> = OnceCell::const_new();
    BIN.get_or_init(|| async {
        if let Some(bin) = std::env::var_os(MOSTROD_BIN_ENV).filter(|b| !b.is_empty()) {
            return PathBuf::from(bin);
        }
        tokio::task::spawn_blocking(build_mostrod)
            .await
            .expect("the build task")
    })
    .await
}

/// `cargo build -p mostrod --bin mostrod`, returning the executable's path.
fn build_mostrod() -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
    let out = Command::new(cargo)
        .args(["build", "-p", "mostrod", "--bin", "mostrod"])
        .args(["--message-format", "json-render-diagnostics"])
        .arg("--manifest-path")
        .arg(&manifest)
        .stderr(Stdio::inherit())
        .output()
        .expect("run cargo build for mostrod");
    assert!(out.status.success(), "cargo build -p mostrod failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|msg| msg["reason"] == "compiler-artifact" && msg["target"]["name"] == "mostrod")
        .filter_map(|msg| msg["executable"].as_str().map(PathBuf::from))
        .next_back()
        .expect("cargo reported no mostrod executable")
}

/// A `mostrod` process on its own data directory; killed on drop.
#[derive(Debug)]
pub struct Daemon {
    process: MostrodProcess,
    keys: Keys,
}

impl Daemon {
    /// Writes the settings and starts the daemon; returns once it is running.
    pub async fn start(net: &Network, relay_url: &str) -> Self {
        let bin = mostrod_binary().await;
        let process = MostrodProcess::start(
            bin,
            "cli-e2e-mostrod-",
            net.mostro(),
            relay_url,
            &Tuning::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("start mostrod: {e}"));
        let secret = process.node_secret_key().expect("read the node key file");
        let keys = Keys::new(SecretKey::parse(&secret).expect("parse the node key"));
        Self { process, keys }
    }

    /// The node key (admin): signs `admin-add-solver`.
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// The daemon's Nostr public key, hex (what `--mostro` takes).
    pub fn pubkey_hex(&self) -> String {
        self.keys.public_key().to_hex()
    }

    /// The last `lines` lines of the log.
    pub fn log_tail(&self, lines: usize) -> String {
        self.process.log_tail(lines)
    }
}
