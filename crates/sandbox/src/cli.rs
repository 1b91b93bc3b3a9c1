//! Driving the `mostro-cli` binary as a user would: one data directory per user,
//! `--json` output, and a long-running `watch` per user for what Mostro tells them.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::process::Command;

use crate::error::{within, Result, SandboxError};

/// Seconds `mostro-cli` waits for Mostro's reply.
const CLI_REPLY_SECS: u64 = 60;
/// Longest a single `mostro-cli` command may run.
const CLI_TIMEOUT: Duration = Duration::from_secs(120);
/// Seconds one `watch` poll listens for live updates after replaying.
const WATCH_POLL_SECS: u64 = 2;

/// Environment variables of `mostro-cli` that the sandbox sets through flags
/// instead (so the caller's shell cannot redirect the scripted trade).
const CLEARED_ENV: [&str; 5] = [
    "MOSTRO_DATA_DIR",
    "MOSTRO_RELAYS",
    "MOSTRO_PUBKEY",
    "MOSTRO_FULL_PRIVACY",
    "MOSTRO_TIMEOUT",
];

/// One trader: `mostro-cli` on its own data directory, pointed at the sandbox.
#[derive(Debug, Clone)]
pub struct CliUser {
    /// `seller` or `buyer`.
    pub name: String,
    /// The `mostro-cli` binary.
    pub bin: PathBuf,
    /// `--data-dir`.
    pub data_dir: PathBuf,
    /// `--relay`.
    pub relay: String,
    /// `--mostro` (hex).
    pub mostro: String,
}

impl CliUser {
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--data-dir")
            .arg(&self.data_dir)
            .arg("--relay")
            .arg(&self.relay)
            .arg("--mostro")
            .arg(&self.mostro)
            .arg("--timeout")
            .arg(CLI_REPLY_SECS.to_string())
            .arg("--json")
            .args(args)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .kill_on_drop(true);
        for var in CLEARED_ENV {
            cmd.env_remove(var);
        }
        cmd
    }

    /// Runs `mostro-cli --json <args>` and returns the JSON document it printed.
    pub async fn run(&self, args: &[&str]) -> Result<Value> {
        let shown = args.join(" ");
        let output = within(&format!("mostro-cli {shown}"), CLI_TIMEOUT, async {
            self.command(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .output()
                .await
                .map_err(|source| SandboxError::Spawn {
                    program: self.bin.display().to_string(),
                    source,
                })
        })
        .await?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let detail = if stderr.trim().is_empty() {
                stdout.trim().to_owned()
            } else {
                stderr.trim().to_owned()
            };
            return Err(SandboxError::Cli {
                user: self.name.clone(),
                command: shown,
                status: output.status.to_string(),
                stderr: detail,
            });
        }
        serde_json::from_str(stdout.trim()).map_err(|e| SandboxError::BadOutput {
            what: format!("mostro-cli {shown}"),
            detail: format!("{e}: {}", stdout.trim()),
        })
    }

    /// A [`Watcher`] of this user's updates; each poll's stderr goes to `log`.
    pub fn watch(&self, log: &Path) -> Result<Watcher> {
        Ok(Watcher {
            user: self.clone(),
            log: log.to_path_buf(),
            queue: VecDeque::new(),
            seen: Vec::new(),
        })
    }

    /// Runs `mostro-cli --json watch` for `secs` seconds and returns its lines.
    /// Each update is printed by one watch only (the client remembers what it
    /// applied), so consecutive polls never repeat a line.
    async fn poll_watch(&self, log: &Path, secs: u64) -> Result<Vec<Value>> {
        let err = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|e| SandboxError::io(log, e))?;
        let secs_text = secs.to_string();
        let output = within("mostro-cli watch", CLI_TIMEOUT, async {
            self.command(&["watch", "--lookback", "1", "--for", &secs_text])
                .stdout(Stdio::piped())
                .stderr(Stdio::from(err))
                .output()
                .await
                .map_err(|source| SandboxError::Spawn {
                    program: self.bin.display().to_string(),
                    source,
                })
        })
        .await?;
        if !output.status.success() {
            return Err(SandboxError::Cli {
                user: self.name.clone(),
                command: "watch".into(),
                status: output.status.to_string(),
                stderr: format!("see {}", log.display()),
            });
        }
        Ok(String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect())
    }
}

/// One user's updates, read by polling `mostro-cli watch` (short runs, as a
/// user would run it from time to time).
#[derive(Debug)]
pub struct Watcher {
    user: CliUser,
    log: PathBuf,
    queue: VecDeque<Value>,
    seen: Vec<String>,
}

/// `update.code` of a `watch` line or an action's result.
pub fn update_code(doc: &Value) -> &str {
    doc.pointer("/update/code")
        .and_then(Value::as_str)
        .unwrap_or("")
}

impl Watcher {
    /// Waits for the next update about `order` whose code is `code` (updates
    /// before it are consumed); fails naming `step` and every code seen so far
    /// after `timeout`.
    pub async fn expect(
        &mut self,
        step: &str,
        order: &str,
        code: &str,
        timeout: Duration,
    ) -> Result<Value> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            while let Some(doc) = self.queue.pop_front() {
                let about = doc.pointer("/order/id").and_then(Value::as_str);
                if update_code(&doc) == code && about.is_none_or(|id| id == order) {
                    return Ok(doc);
                }
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(SandboxError::step(
                    step,
                    format!(
                        "no `{code}` for the {} within {}s; saw {:?}",
                        self.user.name,
                        timeout.as_secs(),
                        self.seen
                    ),
                ));
            }
            for doc in self.user.poll_watch(&self.log, WATCH_POLL_SECS).await? {
                self.seen.push(update_code(&doc).to_owned());
                self.queue.push_back(doc);
            }
        }
    }

    /// Ends the watch (nothing runs between polls).
    pub async fn stop(self) {}
}
