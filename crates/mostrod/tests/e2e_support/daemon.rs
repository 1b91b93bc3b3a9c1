//! `mostrod` as its own process: a generated `settings.toml` in a temporary data
//! directory, output captured to a log file, SIGKILL and restart on the same data.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use nostr::key::{Keys, PublicKey, SecretKey};
use testnet::Network;

/// The node fee fraction of every e2e daemon.
pub const FEE_FRACTION: f64 = 0.006;

/// Log line the daemon prints once recovery is done and intake is open.
const READY_LINE: &str = "mostrod running";

/// How long a start may take (LND connection, recovery) on a loaded machine.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// A `mostrod` process on its own data directory.
#[derive(Debug)]
pub struct Daemon {
    dir: Option<tempfile::TempDir>,
    log: PathBuf,
    child: Option<Child>,
    keys: Keys,
    starts: usize,
}

/// Per-party fee of an order of `sats`: `round(fee × sats / 2)` (PROTOCOL.md §10.2).
pub fn party_fee(sats: u64) -> u64 {
    // Exact for the amounts used in these tests (well inside f64's integer range).
    (FEE_FRACTION * sats as f64 / 2.0).round() as u64
}

/// Settings a test adds to the generated `settings.toml`: lines inside the
/// `[mostro]` and `[lightning]` sections (e.g. `expiration_seconds = 10`) and whole
/// extra sections (e.g. `[price]` …).
#[derive(Debug, Clone, Default)]
pub struct Tuning {
    /// Lines appended to `[mostro]`.
    pub mostro: Vec<String>,
    /// Lines appended to `[lightning]`.
    pub lightning: Vec<String>,
    /// Text appended after every section (complete TOML sections).
    pub sections: String,
}

impl Tuning {
    /// Adds `line` to `[mostro]`.
    pub fn mostro(mut self, line: impl Into<String>) -> Self {
        self.mostro.push(line.into());
        self
    }

    /// Adds `line` to `[lightning]`.
    pub fn lightning(mut self, line: impl Into<String>) -> Self {
        self.lightning.push(line.into());
        self
    }

    /// Appends a complete section (`[name]` header included).
    pub fn section(mut self, text: &str) -> Self {
        self.sections.push('\n');
        self.sections.push_str(text);
        self.sections.push('\n');
        self
    }
}

fn settings_toml(net: &Network, relay_url: &str, tuning: &Tuning) -> String {
    let node = net.mostro();
    let lines = |extra: &[String]| -> String { extra.iter().map(|l| format!("{l}\n")).collect() };
    format!(
        "[mostro]\nfee = {FEE_FRACTION}\n{}\n\
         [lightning]\nlnd_grpc_host = \"https://{}\"\nlnd_cert_file = {:?}\nlnd_macaroon_file = {:?}\n{}\n\
         [nostr]\nrelays = [{:?}]\n{}",
        lines(&tuning.mostro),
        node.rpc_addr(),
        node.tls_cert_path().display().to_string(),
        node.macaroon_path().display().to_string(),
        lines(&tuning.lightning),
        relay_url,
        tuning.sections,
    )
}

impl Daemon {
    /// Writes the settings and starts the daemon; returns once it is running.
    pub async fn start(net: &Network, relay_url: &str) -> Self {
        Self::start_tuned(net, relay_url, &Tuning::default()).await
    }

    /// [`Daemon::start`] with `tuning` added to the settings.
    pub async fn start_tuned(net: &Network, relay_url: &str, tuning: &Tuning) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("mostrod-e2e-")
            .tempdir()
            .expect("temporary data dir");
        std::fs::write(
            dir.path().join("settings.toml"),
            settings_toml(net, relay_url, tuning),
        )
        .expect("write settings.toml");
        let log = dir.path().join("mostrod.log");
        let mut daemon = Self {
            log,
            dir: Some(dir),
            child: None,
            keys: Keys::generate(),
            starts: 0,
        };
        daemon.spawn().await;
        daemon
    }

    fn data_dir(&self) -> &Path {
        self.dir
            .as_ref()
            .map_or_else(|| Path::new("."), |d| d.path())
    }

    /// The daemon's Nostr public key.
    pub fn pubkey(&self) -> PublicKey {
        self.keys.public_key()
    }

    /// The log file (stdout and stderr of every start, appended).
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// The last `lines` lines of the log.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    async fn spawn(&mut self) {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("open the daemon log");
        let err = log.try_clone().expect("clone the log handle");
        let child = Command::new(env!("CARGO_BIN_EXE_mostrod"))
            .arg("--data-dir")
            .arg(self.data_dir())
            .arg("--log")
            .arg("info,mostrod=debug")
            .env("NO_COLOR", "1")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(err))
            .spawn()
            .expect("spawn mostrod");
        self.child = Some(child);
        self.starts += 1;
        self.wait_ready().await;
        let secret = std::fs::read_to_string(self.data_dir().join("mostro.key"))
            .expect("read the node key file");
        self.keys = Keys::new(SecretKey::parse(secret.trim()).expect("parse the node key"));
    }

    async fn wait_ready(&mut self) {
        let deadline = tokio::time::Instant::now() + START_TIMEOUT;
        loop {
            let text = std::fs::read_to_string(&self.log).unwrap_or_default();
            if text.matches(READY_LINE).count() >= self.starts {
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
            if tokio::time::Instant::now() >= deadline {
                panic!(
                    "mostrod not ready within {START_TIMEOUT:?}; log {}:\n{}",
                    self.log.display(),
                    self.log_tail(40)
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGKILLs the process (no shutdown path runs) and reaps it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            // `Child::kill` is SIGKILL on Unix.
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the daemon again on the same data directory and key.
    pub async fn restart(&mut self) {
        self.kill();
        self.spawn().await;
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.kill();
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
