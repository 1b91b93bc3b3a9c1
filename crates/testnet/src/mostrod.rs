//! `mostrod` as a process of a regtest network, for end-to-end tests.
//!
//! [`MostrodProcess::start`] writes a `settings.toml` for the network's `mostro`
//! node into a fresh temporary data directory, spawns the daemon through
//! [`crate::process::spawn_daemon_with_env`] (PID file, output appended to a log
//! file, a watchdog that stops it if the test process dies) and returns once the
//! log shows its ready line. [`MostrodProcess::kill`] is a SIGKILL (no shutdown
//! path runs), [`MostrodProcess::restart`] starts it again on the same data. The
//! data directory is removed on drop, or kept (and its log printed) when the
//! thread is panicking or a start failed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Result, TestnetError};
use crate::node::Node;
use crate::process;

/// The node fee fraction of every test daemon.
pub const FEE_FRACTION: f64 = 0.006;

/// Log line the daemon prints once recovery is done and intake is open.
pub const READY_LINE: &str = "mostrod running";

/// How long a start may take (LND connection, recovery) on a loaded machine.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// The daemon's log filter (`--log`).
const LOG_FILTER: &str = "info,mostrod=debug";

/// Log lines quoted when a start fails.
const FAILURE_TAIL: usize = 40;

/// Log lines printed when the data directory is kept.
const KEPT_TAIL: usize = 60;

/// Per-party fee of an order of `sats` at [`FEE_FRACTION`]: `round(fee × sats / 2)`
/// (PROTOCOL.md §10.2).
pub fn party_fee(sats: u64) -> u64 {
    // Exact for the amounts used in tests (well inside f64's integer range).
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

/// The `settings.toml` of a test daemon: [`FEE_FRACTION`], LND `node`, the relay
/// at `relay_url`, and `tuning`.
pub fn settings_toml(node: &Node, relay_url: &str, tuning: &Tuning) -> String {
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

/// A `mostrod` process on its own temporary data directory; killed on drop.
#[derive(Debug)]
pub struct MostrodProcess {
    program: PathBuf,
    dir: Option<tempfile::TempDir>,
    data_dir: PathBuf,
    log: PathBuf,
    pid_file: PathBuf,
    pid: Option<u32>,
    starts: usize,
    failed: bool,
}

impl MostrodProcess {
    /// Writes the settings for `node` into a new data directory named
    /// `<dir_prefix>…` and starts `program`; returns once it is running.
    pub async fn start(
        program: &Path,
        dir_prefix: &str,
        node: &Node,
        relay_url: &str,
        tuning: &Tuning,
    ) -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix(dir_prefix)
            .tempdir()
            .map_err(|e| TestnetError::io(std::env::temp_dir(), e))?;
        let data_dir = dir.path().to_path_buf();
        let settings = data_dir.join("settings.toml");
        std::fs::write(&settings, settings_toml(node, relay_url, tuning))
            .map_err(|e| TestnetError::io(&settings, e))?;
        let pids = data_dir.join("pids");
        let mut daemon = Self {
            program: program.to_path_buf(),
            log: data_dir.join("mostrod.log"),
            pid_file: pids.join("mostrod.pid"),
            dir: Some(dir),
            data_dir,
            pid: None,
            starts: 0,
            failed: false,
        };
        // Stops the daemon should this test process die without dropping it.
        process::spawn_watchdog(std::process::id(), &daemon.data_dir, &pids, &[])?;
        daemon.spawn().await?;
        Ok(daemon)
    }

    /// The data directory (`settings.toml`, `mostro.key`, the database, the log).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
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

    /// The node's Nostr secret key as the daemon stored it in `mostro.key`
    /// (generated on its first start), trimmed.
    pub fn node_secret_key(&self) -> Result<String> {
        let path = self.data_dir.join("mostro.key");
        let text = std::fs::read_to_string(&path).map_err(|e| TestnetError::io(&path, e))?;
        Ok(text.trim().to_owned())
    }

    /// The PID of the running daemon, if it runs.
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// SIGKILLs the daemon (no shutdown path runs) and reaps it.
    pub fn kill(&mut self) {
        if let Some(pid) = self.pid.take() {
            process::kill_child(pid);
            // The PID is gone: nothing for the watchdog to signal.
            let _ = std::fs::remove_file(&self.pid_file);
        }
    }

    /// Kills the daemon and starts it again on the same data directory.
    pub async fn restart(&mut self) -> Result<()> {
        self.kill();
        self.spawn().await
    }

    async fn spawn(&mut self) -> Result<()> {
        let args = vec![
            "--data-dir".to_owned(),
            self.data_dir.display().to_string(),
            "--log".to_owned(),
            LOG_FILTER.to_owned(),
        ];
        let env = [("NO_COLOR", Some("1")), ("RUST_LOG", None)];
        let pid =
            process::spawn_daemon_with_env(&self.program, &args, &env, &self.log, &self.pid_file)?;
        self.pid = Some(pid);
        self.starts += 1;
        let ready = self.wait_ready(pid).await;
        self.failed |= ready.is_err();
        ready
    }

    /// Waits until the log holds one ready line per start.
    async fn wait_ready(&self, pid: u32) -> Result<()> {
        let deadline = tokio::time::Instant::now() + START_TIMEOUT;
        loop {
            let text = std::fs::read_to_string(&self.log).unwrap_or_default();
            if text.matches(READY_LINE).count() >= self.starts {
                return Ok(());
            }
            if let Some(status) = process::try_exit_status(pid) {
                return Err(
                    self.not_ready(format!("mostrod exited with {status} before it was ready"))
                );
            }
            if !process::is_alive(pid) {
                return Err(self.not_ready("mostrod exited before it was ready".to_owned()));
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(self.not_ready(format!("mostrod not ready within {START_TIMEOUT:?}")));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn not_ready(&self, what: String) -> TestnetError {
        TestnetError::NotReady {
            what,
            log: self.log.clone(),
            tail: self.log_tail(FAILURE_TAIL),
        }
    }
}

impl Drop for MostrodProcess {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() || self.failed {
            if let Some(dir) = self.dir.take() {
                let kept = dir.keep();
                eprintln!(
                    "mostrod data dir kept at {}; log {}; last lines:\n{}",
                    kept.display(),
                    self.log.display(),
                    self.log_tail(KEPT_TAIL)
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn party_fee_is_half_the_node_fee_rounded() {
        // 0.006 × 100 000 / 2 = 300; 0.006 × 1 001 / 2 = 3.003 → 3; 0.006 × 250 / 2 = 0.75 → 1.
        assert_eq!(party_fee(100_000), 300);
        assert_eq!(party_fee(1_001), 3);
        assert_eq!(party_fee(250), 1);
        assert_eq!(party_fee(0), 0);
    }

    #[test]
    fn tuning_adds_lines_to_their_sections() {
        let tuning = Tuning::default()
            .mostro("expiration_seconds = 10")
            .lightning("hold_invoice_cltv_delta = 144")
            .section("[price]\nurl = \"http://127.0.0.1:1\"");
        assert_eq!(tuning.mostro, ["expiration_seconds = 10"]);
        assert_eq!(tuning.lightning, ["hold_invoice_cltv_delta = 144"]);
        assert_eq!(tuning.sections, "\n[price]\nurl = \"http://127.0.0.1:1\"\n");
    }
}
