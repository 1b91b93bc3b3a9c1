//! Test support: run the compiled CLI against a local relay, and a small
//! scripted Mostro daemon that answers requests with canned replies.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Output;
use std::sync::Arc;
use std::time::Duration;

use devrelay::DevRelay;
use mostro_protocol::envelope::{unwrap_incoming, wrap_reply, Transport, Unwrapped};
use mostro_protocol::Message;
use mostro_relay::{PoolOptions, RelayPool};
use nostr::prelude::*;
use tempfile::TempDir;

/// Environment variables the CLI reads; cleared so the host cannot leak in.
const CLI_ENV: [&str; 6] = [
    "MOSTRO_PUBKEY",
    "MOSTRO_RELAYS",
    "MOSTRO_DATA_DIR",
    "MOSTRO_FULL_PRIVACY",
    "MOSTRO_TIMEOUT",
    "RUST_LOG",
];

/// One CLI user: a private data directory, relays and a daemon key.
pub struct CliUser {
    pub dir: TempDir,
    pub relays: Vec<String>,
    pub mostro: Option<String>,
}

/// What a CLI run produced.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from_output(out: Output) -> Self {
        Self {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// stdout parsed as one JSON document.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// Runs the CLI binary with exactly `args` and a clean environment.
pub async fn run_raw(args: &[&str]) -> Run {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_mostro-cli"));
    for var in CLI_ENV {
        cmd.env_remove(var);
    }
    let out = cmd.args(args).output().await.unwrap();
    Run::from_output(out)
}

impl CliUser {
    pub fn new(relays: Vec<String>, mostro: Option<PublicKey>) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            relays,
            mostro: mostro.map(|k| k.to_hex()),
        }
    }

    /// The data directory (inside the temp dir, so `init` creates it).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Runs `mostro-cli --data-dir .. --relay .. --mostro .. <args>`.
    pub async fn run(&self, args: &[&str]) -> Run {
        let data_dir = self.data_dir().display().to_string();
        let mut full: Vec<String> = vec!["--data-dir".into(), data_dir];
        for relay in &self.relays {
            full.push("--relay".into());
            full.push(relay.clone());
        }
        if let Some(mostro) = &self.mostro {
            full.push("--mostro".into());
            full.push(mostro.clone());
        }
        full.extend(args.iter().map(|s| (*s).to_owned()));
        let refs: Vec<&str> = full.iter().map(String::as_str).collect();
        run_raw(&refs).await
    }

    /// Runs with `--json`, asserts exit code 0 and parses stdout.
    pub async fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let run = self.run(&all).await;
        assert_eq!(
            run.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        );
        run.json()
    }
}

pub fn pool_options() -> PoolOptions {
    PoolOptions {
        reconnect_min: Duration::from_millis(50),
        reconnect_max: Duration::from_millis(400),
        publish_timeout: Duration::from_secs(5),
        ..PoolOptions::default()
    }
}

/// A connected pool on `relay`.
pub async fn pool(relay: &DevRelay) -> RelayPool {
    let pool = RelayPool::new([relay.url()], pool_options()).unwrap();
    pool.wait_for_connection(Duration::from_secs(5))
        .await
        .unwrap();
    pool
}

/// A kind-38385 info event with small limits and no proof of work.
pub fn info_event(keys: &Keys, protocol_version: u8) -> Event {
    let tag = |parts: &[&str]| Tag::parse(parts.iter().map(|s| (*s).to_owned())).unwrap();
    let d = keys.public_key().to_hex();
    let version = protocol_version.to_string();
    EventBuilder::new(Kind::Custom(38385), "")
        .tags([
            tag(&["d", &d]),
            tag(&["mostro_version", "0.1.0-test"]),
            tag(&["max_order_amount", "2000000"]),
            tag(&["min_order_amount", "1000"]),
            tag(&["expiration_hours", "24"]),
            tag(&["expiration_seconds", "900"]),
            tag(&["fiat_currencies_accepted", "USD,EUR"]),
            tag(&["fee", "0.006"]),
            tag(&["pow", "0"]),
            tag(&["protocol_version", &version]),
        ])
        .finalize(keys)
        .unwrap()
}

/// Replies the script wants sent: (message, recipient).
pub type Replies = Vec<(Message, PublicKey)>;
/// The fake daemon's behaviour.
pub type Script = Arc<dyn Fn(&Unwrapped) -> Replies + Send + Sync>;

/// A scripted Mostro on a relay.
pub struct FakeDaemon {
    pub keys: Keys,
    transport: Transport,
    pool: RelayPool,
    /// Trade keys that sent requests, in arrival order.
    pub senders: Arc<std::sync::Mutex<Vec<PublicKey>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeDaemon {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeDaemon {
    pub async fn start(relay: &DevRelay, transport: Transport, script: Script) -> Self {
        let keys = Keys::generate();
        let pool = pool(relay).await;
        let info = info_event(&keys, transport.protocol_version());
        assert!(pool.publish(&info).await.any_accepted());
        // v1 gift wraps are back-dated up to two days.
        let since = Timestamp::now().as_secs() - 3 * 24 * 3600;
        let mut sub = pool.subscribe(vec![Filter::new()
            .kind(transport.kind())
            .pubkey(keys.public_key())
            .since(Timestamp::from(since))]);
        let (k, p) = (keys.clone(), pool.clone());
        let senders = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = Arc::clone(&senders);
        let task = tokio::spawn(async move {
            let pool = p;
            while let Some(event) = sub.next_event().await {
                let Ok(Some(request)) = unwrap_incoming(&event, &k) else {
                    continue;
                };
                seen.lock().unwrap().push(request.sender);
                for (mut msg, to) in script(&request) {
                    msg.inner_mut().version = transport.protocol_version();
                    let ev = wrap_reply(transport, &msg, &k, &to, 30, Timestamp::now()).unwrap();
                    assert!(pool.publish(&ev).await.any_accepted());
                }
            }
        });
        Self {
            keys,
            transport,
            pool,
            senders,
            task,
        }
    }

    /// Sends an unsolicited message to `to`, as the daemon does when the
    /// counterparty acts.
    pub async fn send(&self, mut msg: Message, to: PublicKey) {
        msg.inner_mut().version = self.transport.protocol_version();
        let ev = wrap_reply(self.transport, &msg, &self.keys, &to, 30, Timestamp::now()).unwrap();
        assert!(self.pool.publish(&ev).await.any_accepted());
    }

    pub fn pubkey(&self) -> PublicKey {
        self.keys.public_key()
    }
}
