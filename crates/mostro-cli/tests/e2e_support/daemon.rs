//! `mostrod` as its own process: built once per test binary with cargo, run on a
//! generated `settings.toml` in a temporary data directory, output to a log file.
//!
//! Mirrors `crates/mostrod/tests/e2e_support/daemon.rs`. A binary of another
//! package has no `CARGO_BIN_EXE_*`, so [`mostrod_binary`] asks cargo to build it
//! (a no-op when it is up to date) and reads the path from cargo's JSON messages.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use nostr::key::{Keys, SecretKey};
use testnet::Network;
use tokio::sync::OnceCell;

/// Use this `mostrod` executable instead of building one.
pub const MOSTROD_BIN_ENV: &str = "MOSTROD_BIN";

/// The node fee fraction of every e2e daemon.
pub const FEE_FRACTION: f64 = 0.006;

/// Log line the daemon prints once recovery is done and intake is open.
const READY_LINE: &str = "mostrod running";

/// How long a start may take (LND connection, recovery) on a loaded machine.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// Per-party fee of an order of `sats`: `round(fee × sats / 2)` (PROTOCOL.md §10.2).
pub fn party_fee(sats: u64) -> u64 {
    // Exact for the amounts used in these tests (well inside f64's integer range).
    (FEE_FRACTION * sats as f64 / 2.0).round() as u64
}

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

fn settings_toml(net: &Network, relay_url: &str) -> String {
    let node = net.mostro();
    format!(
        "[mostro]\nfee = {FEE_FRACTION}\n\n\
         [lightning]\nlnd_grpc_host = \"https://{}\"\nlnd_cert_file = {:?}\nlnd_macaroon_file = {:?}\n\n\
         [nostr]\nrelays = [{:?}]\n",
        node.rpc_addr(),
        node.tls_cert_path().display().to_string(),
        node.macaroon_path().display().to_string(),
        relay_url,
    )
}

/// A `mostrod` process on its own data directory; killed on drop.
#[derive(Debug)]
pub struct Daemon {
    dir: Option<tempfile::TempDir>,
    log: PathBuf,
    child: Option<Child>,
    keys: Keys,
}

impl Daemon {
    /// Writes the settings and starts the daemon; returns once it is running.
    pub async fn start(net: &Network, relay_url: &str) -> Self {
        let bin = mostrod_binary().await;
        let dir = tempfile::Builder::new()
            .prefix("cli-e2e-mostrod-")
            .tempdir()
            .expect("temporary data dir");
        std::fs::write(
            dir.path().join("settings.toml"),
            settings_toml(net, relay_url),
        )
        .expect("write settings.toml");
        let log = dir.path().join("mostrod.log");
        let out = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("open the daemon log");
        let err = out.try_clone().expect("clone the log handle");
        let child = Command::new(bin)
            .arg("--data-dir")
            .arg(dir.path())
            .arg("--log")
            .arg("info,mostrod=debug")
            .env("NO_COLOR", "1")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .expect("spawn mostrod");
        let mut daemon = Self {
            log,
            dir: Some(dir),
            child: Some(child),
            keys: Keys::generate(),
        };
        daemon.wait_ready().await;
        let key_file = daemon.data_dir().join("mostro.key");
        let secret = std::fs::read_to_string(key_file).expect("read the node key file");
        daemon.keys = Keys::new(SecretKey::parse(secret.trim()).expect("parse the node key"));
        daemon
    }

    fn data_dir(&self) -> &Path {
        self.dir
            .as_ref()
            .map_or_else(|| Path::new("."), |d| d.path())
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
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    async fn wait_ready(&mut self) {
        let deadline = tokio::time::Instant::now() + START_TIMEOUT;
        loop {
            let text = std::fs::read_to_string(&self.log).unwrap_or_default();
            if text.contains(READY_LINE) {
                return;
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!(
                    "mostrod exited with {status} before it was ready; log {}:\n{}",
                    self.log.display(),
                    self.log_tail(40)
                );
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "mostrod not ready within {START_TIMEOUT:?}; log {}:\n{}",
                self.log.display(),
                self.log_tail(40)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // `Child::kill` is SIGKILL on Unix; reap it so no zombie is left.
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            if let Some(dir) = self.dir.take() {
                let kept = dir.keep();
                eprintln!(
                    "mostrod data dir kept at {}; log {}; last lines:\n{}",
                    kept.display(),
                    self.log.display(),
                    self.log_tail(60)
                );
            }
        }
    }
}
