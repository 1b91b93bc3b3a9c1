//! `mostro-admin` against a real daemon: the mostrod runtime in-process (real relay,
//! fake Lightning, SQLite file) with its admin interface on an ephemeral loopback
//! port, and the built binary run as a process.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use devrelay::DevRelay;
use mostro_protocol::envelope::{wrap_message, PrivacyMode, Transport, WrapOptions};
use mostro_protocol::order::Kind as OrderKind;
use mostro_protocol::{Action, Message, MessageKind, Payload, SmallOrder, Status};
use mostro_relay::{PoolOptions, RelayPool};
use mostrod::admin::AdminServer;
use mostrod::config::{AdminSettings, Settings};
use mostrod::lightning::fake::FakeLightning;
use mostrod::lightning::NodeBalance;
use mostrod::runtime::Mostro;
use mostrod::store::Store;
use nostr::key::Keys;
use nostr::nips::nip19::ToBech32;
use nostr::types::Timestamp;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

/// A daemon with its admin interface.
struct Daemon {
    relay: DevRelay,
    dir: tempfile::TempDir,
    url: String,
    keys: Keys,
    ln: FakeLightning,
    relays: RelayPool,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl Daemon {
    async fn start() -> Self {
        let relay = DevRelay::start_local().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::default();
        settings.nostr.relays = vec![relay.url()];
        settings.data_dir = dir.path().to_owned();
        let relays = RelayPool::new([relay.url()], PoolOptions::default()).unwrap();
        relays
            .wait_for_connection(Duration::from_secs(10))
            .await
            .unwrap();
        let ln = FakeLightning::new();
        let keys = Keys::generate();
        let mostro = Mostro::builder(settings)
            .store(Store::open(dir.path().join("mostro.db")).unwrap())
            .lightning(std::sync::Arc::new(ln.clone()))
            .relays(relays.clone())
            .keys(keys.clone())
            .build()
            .await
            .unwrap();
        let admin = AdminSettings {
            listen: "127.0.0.1:0".into(),
            ..AdminSettings::default()
        };
        let server = AdminServer::bind(&admin, dir.path(), mostro.admin_handle())
            .await
            .unwrap();
        let url = format!("http://{}", server.local_addr().unwrap());
        let stop = CancellationToken::new();
        let task = {
            let stop = stop.clone();
            tokio::spawn(async move {
                let serving = tokio::spawn(server.serve(stop.clone()));
                mostro.run(stop).await.unwrap();
                serving.await.unwrap().unwrap();
            })
        };
        // Intake subscribes right after recovery; give it a moment.
        tokio::time::sleep(Duration::from_millis(500)).await;
        Self {
            relay,
            dir,
            url,
            keys,
            ln,
            relays,
            stop,
            task,
        }
    }

    /// Runs `mostro-admin --url <daemon> --data-dir <dir> <args>`.
    async fn cli(&self, args: &[&str]) -> Output {
        self.cli_with(&self.url, self.dir.path(), args).await
    }

    async fn cli_with(&self, url: &str, data_dir: &Path, args: &[&str]) -> Output {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_mostro-admin"))
            .arg("--url")
            .arg(url)
            .arg("--data-dir")
            .arg(data_dir)
            .args(args)
            .env_remove("MOSTRO_ADMIN_URL")
            .env_remove("MOSTRO_ADMIN_TOKEN_FILE")
            .output()
            .await
            .unwrap()
    }

    /// Publishes a `new-order` for a fixed-price sell order of `sats`.
    async fn new_order(&self, sats: i64) {
        let order = SmallOrder {
            id: None,
            kind: Some(OrderKind::Sell),
            status: Some(Status::Pending),
            amount: sats,
            fiat_code: "USD".to_owned(),
            min_amount: None,
            max_amount: None,
            fiat_amount: 30,
            payment_method: "cash".to_owned(),
            premium: 0,
            buyer_trade_pubkey: None,
            seller_trade_pubkey: None,
            buyer_invoice: None,
            created_at: Some(0),
            expires_at: None,
        };
        let kind = MessageKind::new(Action::NewOrder)
            .with_trade_index(1)
            .with_payload(Payload::Order(order));
        let identity = Keys::generate();
        let event = wrap_message(
            Transport::V2,
            &Message::new_order(kind),
            &Keys::generate(),
            PrivacyMode::Reputation {
                identity: &identity,
            },
            &self.keys.public_key(),
            &WrapOptions::default(),
            Timestamp::now(),
        )
        .unwrap();
        assert!(self.relays.publish(&event).await.any_accepted());
    }

    async fn stop(self) {
        self.stop.cancel();
        tokio::time::timeout(Duration::from_secs(30), self.task)
            .await
            .unwrap()
            .unwrap();
        self.relays.shutdown().await;
        drop(self.relay);
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_the_daemon_as_tables_and_json() {
    let daemon = Daemon::start().await;

    let health = daemon.cli(&["health"]).await;
    assert!(health.status.success(), "{}", stderr(&health));
    let text = stdout(&health);
    assert!(text.contains("status"), "{text}");
    assert!(text.contains("ok"), "{text}");
    assert!(text.contains(&daemon.keys.public_key().to_hex()), "{text}");
    assert!(text.contains("1/1 connected"), "{text}");

    let empty = daemon.cli(&["orders"]).await;
    assert!(empty.status.success());
    assert_eq!(stdout(&empty).trim(), "no orders");

    daemon.new_order(25_000).await;
    let mut listed = Value::Null;
    for _ in 0..100 {
        let out = daemon.cli(&["--json", "orders"]).await;
        assert!(out.status.success(), "{}", stderr(&out));
        listed = serde_json::from_str(&stdout(&out)).unwrap();
        if listed.as_array().is_some_and(|a| !a.is_empty()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let id = listed[0]["id"].as_str().expect("order listed").to_owned();
    assert_eq!(listed[0]["amount"], 25_000);

    let table = stdout(&daemon.cli(&["orders", "--status", "pending"]).await);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("ID"), "{table}");
    assert!(lines[1].contains(&id) && lines[1].contains("pending") && lines[1].contains("25000"));
    let none = stdout(&daemon.cli(&["orders", "--status", "active"]).await);
    assert_eq!(none.trim(), "no orders");

    let one = stdout(&daemon.cli(&["order", &id]).await);
    assert!(one.contains("25000 sats"), "{one}");
    assert!(one.contains("30 USD"), "{one}");

    // Not in dispute: the engine refuses the operator's settle and cancel (exit 6).
    for action in ["settle", "cancel"] {
        let refused = daemon.cli(&[action, &id]).await;
        assert_eq!(refused.status.code(), Some(6), "{}", stderr(&refused));
        assert!(stderr(&refused).contains("refused"), "{}", stderr(&refused));
    }
    let still = stdout(&daemon.cli(&["order", &id]).await);
    assert!(still.contains("pending"), "{still}");

    daemon.ln.set_balance(NodeBalance {
        onchain_confirmed_sat: 4_321,
        ..NodeBalance::default()
    });
    let balance = stdout(&daemon.cli(&["balance"]).await);
    assert!(balance.contains("4321 sats"), "{balance}");
    let channels = stdout(&daemon.cli(&["channels"]).await);
    assert_eq!(channels.trim(), "no channels");
    let disputes = stdout(&daemon.cli(&["disputes"]).await);
    assert_eq!(disputes.trim(), "no open disputes");
    let outbox = daemon.cli(&["--json", "outbox"]).await;
    assert!(outbox.status.success());
    let outbox: Value = serde_json::from_str(&stdout(&outbox)).unwrap();
    assert!(outbox.is_array());
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manages_solvers_and_reports_failures_with_exit_codes() {
    let daemon = Daemon::start().await;
    let solver = Keys::generate().public_key();
    let npub = solver.to_bech32().unwrap();

    let added = daemon.cli(&["add-solver", &npub, "--read-only"]).await;
    assert!(added.status.success(), "{}", stderr(&added));
    assert!(stdout(&added).contains("(read)"));
    let listed = stdout(&daemon.cli(&["solvers"]).await);
    assert!(
        listed.contains(&npub) && listed.contains("read"),
        "{listed}"
    );
    let removed = daemon.cli(&["remove-solver", &npub]).await;
    assert!(removed.status.success(), "{}", stderr(&removed));
    assert_eq!(stdout(&daemon.cli(&["solvers"]).await).trim(), "no solvers");

    // Not found: 5.
    let again = daemon.cli(&["remove-solver", &npub]).await;
    assert_eq!(again.status.code(), Some(5), "{}", stderr(&again));
    let unknown = uuid::Uuid::new_v4().to_string();
    let order = daemon.cli(&["order", &unknown]).await;
    assert_eq!(order.status.code(), Some(5));
    let settle = daemon.cli(&["settle", &unknown]).await;
    assert_eq!(settle.status.code(), Some(5));

    // Refused: 6.
    let bad = daemon.cli(&["add-solver", "not-a-key"]).await;
    assert_eq!(bad.status.code(), Some(6), "{}", stderr(&bad));

    // Wrong token: 4, with a hint.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("admin.token"), "00".repeat(32)).unwrap();
    let denied = daemon
        .cli_with(&daemon.url, other.path(), &["health"])
        .await;
    assert_eq!(denied.status.code(), Some(4));
    assert!(stderr(&denied).contains("unauthorized: wrong token file?"));
    let missing = daemon
        .cli_with(&daemon.url, &other.path().join("nowhere"), &["health"])
        .await;
    assert_eq!(missing.status.code(), Some(4));
    assert!(stderr(&missing).contains("cannot read the admin token file"));

    // Nobody listening: 3, with a hint.
    let closed = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap()
    };
    let url = format!("http://{closed}");
    let down = daemon.cli_with(&url, daemon.dir.path(), &["health"]).await;
    assert_eq!(down.status.code(), Some(3));
    assert!(
        stderr(&down).contains("is mostrod running?"),
        "{}",
        stderr(&down)
    );

    // Help documents the exit codes.
    let help = daemon.cli(&["--help"]).await;
    assert!(stdout(&help).contains("Exit codes"));
    daemon.stop().await;
}
