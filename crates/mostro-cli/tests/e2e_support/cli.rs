//! A user driving the compiled `mostro-cli` binary: their own data directory,
//! the e2e relay and daemon, `--json` output parsed, and `watch --json` read
//! line by line until the awaited update arrives.
//!
//! Mirrors the idea of `tests/common/mod.rs` (`CliUser`), with longer timeouts,
//! an optional forced transport and a streaming `watch`.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// Environment variables the CLI reads; cleared so the host cannot leak in.
const CLI_ENV: [&str; 6] = [
    "MOSTRO_PUBKEY",
    "MOSTRO_RELAYS",
    "MOSTRO_DATA_DIR",
    "MOSTRO_FULL_PRIVACY",
    "MOSTRO_TIMEOUT",
    "RUST_LOG",
];

/// Seconds the CLI waits for Mostro's reply (`--timeout`) on a loaded machine.
const REPLY_TIMEOUT_SECS: &str = "60";

/// How long a test waits for an update on `watch`, or for a polled condition.
pub const WAIT: Duration = Duration::from_secs(120);

/// What a CLI run produced.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// One CLI user.
#[derive(Debug)]
pub struct CliUser {
    name: &'static str,
    dir: tempfile::TempDir,
    relay: String,
    mostro: String,
    transport: Option<&'static str>,
}

impl CliUser {
    /// A user of `mostro` (hex) on `relay`; `transport` forces `--transport`.
    pub fn new(
        name: &'static str,
        relay: &str,
        mostro: &str,
        transport: Option<&'static str>,
    ) -> Self {
        Self {
            name,
            dir: tempfile::Builder::new()
                .prefix(&format!("cli-e2e-{name}-"))
                .tempdir()
                .expect("user temp dir"),
            relay: relay.to_owned(),
            mostro: mostro.to_owned(),
            transport,
        }
    }

    /// The same person on a new device: a fresh, empty data directory.
    pub fn on_new_device(&self, name: &'static str) -> Self {
        Self::new(name, &self.relay, &self.mostro, self.transport)
    }

    /// The data directory (inside the temp dir, so `init` creates it).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The command with global options; `args` follow.
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mostro-cli"));
        for var in CLI_ENV {
            cmd.env_remove(var);
        }
        cmd.arg("--data-dir")
            .arg(self.data_dir())
            .args(["--relay", &self.relay, "--mostro", &self.mostro])
            .args(["--timeout", REPLY_TIMEOUT_SECS]);
        if let Some(t) = self.transport {
            cmd.args(["--transport", t]);
        }
        cmd.args(args).stdin(Stdio::null()).kill_on_drop(true);
        cmd
    }

    /// Runs `mostro-cli <globals> <args>`.
    pub async fn run(&self, args: &[&str]) -> Run {
        let out = self.command(args).output().await.expect("run mostro-cli");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs with `--json`, asserts exit code 0 and parses stdout as one document.
    pub async fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let run = self.run(&all).await;
        assert_eq!(
            run.code,
            0,
            "{}: `mostro-cli {}` failed\nstdout:\n{}\nstderr:\n{}",
            self.name,
            all.join(" "),
            run.stdout,
            run.stderr
        );
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
            panic!(
                "{}: stdout of `{}` is not one JSON document ({e}):\n{}",
                self.name,
                all.join(" "),
                run.stdout
            )
        })
    }

    /// Runs `--json <args>` until `accept` holds for its output (or [`WAIT`]
    /// passes), for state that other parties change asynchronously.
    pub async fn json_until(&self, args: &[&str], accept: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let doc = self.json(args).await;
            if accept(&doc) {
                return doc;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{}: `{}` never gave the awaited output; last:\n{doc:#}",
                self.name,
                args.join(" ")
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// Runs `watch --json` and returns the first line (an `{"update", "order"}`
    /// document) about `order` whose `update.code` is `code` and that `accept`s;
    /// then stops the watch with SIGINT, as a user would with Ctrl-C.
    pub async fn watch_for(
        &self,
        order: &str,
        code: &str,
        accept: impl Fn(&Value) -> bool,
    ) -> Value {
        // A file, not a pipe: nobody reads stderr while the watch runs.
        let err_path = self.dir.path().join("watch.stderr");
        let err_file = std::fs::File::create(&err_path).expect("watch stderr file");
        let mut child = self
            .command(&["--json", "watch", "--lookback", "1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::from(err_file))
            .spawn()
            .expect("spawn mostro-cli watch");
        let stdout = child.stdout.take().expect("watch stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut seen: Vec<String> = Vec::new();
        let deadline = tokio::time::Instant::now() + WAIT;
        let found = loop {
            match tokio::time::timeout_at(deadline, lines.next_line()).await {
                Ok(Ok(Some(line))) => {
                    let doc: Value = serde_json::from_str(&line).unwrap_or_else(|e| {
                        panic!("{}: watch line is not JSON ({e}): {line}", self.name)
                    });
                    let matches = doc["update"]["code"] == code
                        && doc["order"]["id"] == order
                        && accept(&doc);
                    seen.push(line);
                    if matches {
                        break Some(doc);
                    }
                }
                Ok(Ok(None)) | Ok(Err(_)) | Err(_) => break None,
            }
        };
        interrupt(&mut child).await;
        let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
        found.unwrap_or_else(|| {
            panic!(
                "{}: no `{code}` for {order} on watch within {WAIT:?}; lines:\n{}\nstderr:\n{stderr}",
                self.name,
                seen.join("\n")
            )
        })
    }
}

/// Stops a child with SIGINT (its Ctrl-C path closes the relay connections and
/// the store cleanly); SIGKILL if it does not exit within a few seconds.
async fn interrupt(child: &mut tokio::process::Child) {
    if let Some(pid) = child.id() {
        let _ = Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .status()
            .await;
    }
    if tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .is_err()
    {
        let _ = child.kill().await;
    }
}

/// The one order with id `id` in a `{"orders": [TRADE]}` document.
pub fn trade<'a>(doc: &'a Value, id: &str) -> &'a Value {
    let orders = doc["orders"].as_array().expect("an `orders` array");
    let found: Vec<&Value> = orders.iter().filter(|o| o["id"] == id).collect();
    assert_eq!(found.len(), 1, "exactly one order {id} in {doc:#}");
    found[0]
}

/// Whether a `{"orders": [..]}` document lists `id` with status `status`.
pub fn has_status(doc: &Value, id: &str, status: &str) -> bool {
    doc["orders"]
        .as_array()
        .is_some_and(|all| all.iter().any(|o| o["id"] == id && o["status"] == status))
}
