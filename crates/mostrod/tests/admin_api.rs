//! The admin interface over HTTP against an in-process daemon (real relay, fake
//! Lightning, SQLite file): authentication on every endpoint, the loopback default,
//! the token file, the read endpoints after trade steps, solvers, and the dispute
//! actions performed as the node key through the order's writer.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use devrelay::DevRelay;
use mostro_protocol::envelope::Transport;
use mostro_protocol::order::Kind as OrderKind;
use mostro_protocol::{Action, Message, Payload};
use mostrod::admin::AdminServer;
use mostrod::config::{AdminSettings, ADMIN_TOKEN_FILE};
use mostrod::lightning::fake::{FakeFailure, FakeLightning, FakeOp};
use mostrod::lightning::{ChannelSummary, NodeBalance};
use mostrod::store::OutboxItem;
use nostr::event::{EventBuilder, FinalizeEvent, Kind, Tag};
use nostr::key::Keys;
use nostr::nips::nip19::ToBech32;
use nostr::types::Timestamp;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::flows::{create_order, fixed_order, pay_invoice_bolt11};
use support::{body, fake_hold_hash, regtest_invoice, TestDaemon, TestUser};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Every endpoint, with a syntactically valid id where one is needed.
fn endpoints() -> Vec<(Method, String)> {
    let id = Uuid::new_v4();
    let key = Keys::generate().public_key().to_hex();
    vec![
        (Method::GET, "/v1/health".into()),
        (Method::GET, "/v1/orders".into()),
        (Method::GET, format!("/v1/orders/{id}")),
        (Method::GET, "/v1/disputes".into()),
        (Method::GET, format!("/v1/disputes/{id}")),
        (Method::GET, "/v1/solvers".into()),
        (Method::POST, "/v1/solvers".into()),
        (Method::DELETE, format!("/v1/solvers/{key}")),
        (Method::GET, "/v1/outbox".into()),
        (Method::GET, "/v1/lightning/balance".into()),
        (Method::GET, "/v1/lightning/channels".into()),
        (Method::POST, format!("/v1/disputes/{id}/take")),
        (Method::POST, format!("/v1/orders/{id}/settle")),
        (Method::POST, format!("/v1/orders/{id}/cancel")),
        // Unknown paths are refused the same way: nothing is revealed.
        (Method::GET, "/v1/nope".into()),
        (Method::PUT, "/v1/health".into()),
    ]
}

/// A daemon with its admin interface on an ephemeral loopback port.
struct Admin {
    daemon: TestDaemon,
    ln: FakeLightning,
    _relay: DevRelay,
    dir: tempfile::TempDir,
    base: String,
    token: String,
    http: reqwest::Client,
    stop: CancellationToken,
}

impl Admin {
    async fn start() -> Self {
        let relay = DevRelay::start_local().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let ln = FakeLightning::new();
        let daemon =
            TestDaemon::start(&relay.url(), dir.path(), ln.clone(), Keys::generate()).await;
        let addr = serve(dir.path(), &daemon).await;
        let stop = addr.1;
        let token = std::fs::read_to_string(dir.path().join(ADMIN_TOKEN_FILE)).unwrap();
        Self {
            daemon,
            ln,
            _relay: relay,
            dir,
            base: format!("http://{}", addr.0),
            token: token.trim().to_owned(),
            http: reqwest::Client::new(),
            stop,
        }
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
        };
        (status, value)
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::POST, path, None).await
    }

    async fn stop(self) {
        self.stop.cancel();
        self.daemon.stop().await;
    }
}

/// Binds an admin server for `daemon` on 127.0.0.1:0 and serves it.
async fn serve(data_dir: &Path, daemon: &TestDaemon) -> (SocketAddr, CancellationToken) {
    let settings = AdminSettings {
        listen: "127.0.0.1:0".into(),
        ..AdminSettings::default()
    };
    let server = AdminServer::bind(&settings, data_dir, daemon.mostro.admin_handle())
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    let stop = CancellationToken::new();
    tokio::spawn(server.serve(stop.clone()));
    (addr, stop)
}

/// Seller's sell order taken by a buyer and paid into escrow: the order is active.
async fn active_trade(admin: &Admin, relay: &str) -> (Uuid, TestUser, TestUser) {
    let node = admin.daemon.pubkey();
    let mut seller = TestUser::new(relay, node, Transport::V2).await;
    let mut buyer = TestUser::new(relay, node, Transport::V2).await;
    let id = create_order(&mut seller, fixed_order(OrderKind::Sell, 20_000)).await;
    let take = body(buyer.transport, Action::TakeSell)
        .with_id(id)
        .with_trade_index(1);
    buyer.send(Message::new_order(take)).await;
    buyer.expect(Action::AddInvoice).await;
    let add = body(buyer.transport, Action::AddInvoice)
        .with_id(id)
        .with_payload(Payload::PaymentRequest(
            None,
            regtest_invoice(Some(20_000)),
            None,
        ));
    buyer.send(Message::new_order(add)).await;
    let hold = loop {
        let pay = seller.expect(Action::PayInvoice).await;
        if matches!(pay.payload(), Some(Payload::PaymentRequest(..))) {
            break pay_invoice_bolt11(&pay);
        }
    };
    admin.ln.accept_payment(fake_hold_hash(&hold)).unwrap();
    buyer.expect(Action::HoldInvoicePaymentAccepted).await;
    (id, seller, buyer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_refuses_missing_and_wrong_tokens() {
    let admin = Admin::start().await;
    let mut wrong = admin.token.clone();
    let last = if wrong.ends_with('0') { '1' } else { '0' };
    wrong.pop();
    wrong.push(last);
    for (method, path) in endpoints() {
        let url = format!("{}{path}", admin.base);
        let attempts = [
            admin.http.request(method.clone(), &url),
            admin.http.request(method.clone(), &url).bearer_auth(&wrong),
            admin
                .http
                .request(method.clone(), &url)
                .header("authorization", admin.token.clone()),
            admin
                .http
                .request(method.clone(), &url)
                .basic_auth("admin", Some(&admin.token)),
        ];
        for attempt in attempts {
            let response = attempt.send().await.unwrap();
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path}"
            );
            let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
            assert_eq!(
                body,
                json!({"error": "unauthorized", "message": "unauthorized"})
            );
        }
    }
    // The right token opens the same door.
    let (status, _) = admin.get("/v1/orders").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = admin.get("/v1/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");
    admin.stop().await;
}

#[tokio::test]
async fn the_default_bind_refuses_non_loopback_addresses() {
    let defaults = AdminSettings::default();
    assert!(defaults.enabled);
    let addr = defaults.listen_addr().unwrap();
    assert!(addr.ip().is_loopback());
    for listen in ["0.0.0.0:8383", "192.168.1.10:8383", "[::]:8383"] {
        let remote = AdminSettings {
            listen: listen.into(),
            ..AdminSettings::default()
        };
        let error = remote.listen_addr().unwrap_err().to_string();
        assert!(error.contains("admin.listen"), "{error}");
        assert!(error.contains("allow_remote"), "{error}");
        let allowed = AdminSettings {
            allow_remote: true,
            ..remote
        };
        assert!(!allowed.listen_addr().unwrap().ip().is_loopback());
    }
    for listen in ["[::1]:8383", "127.0.0.2:9000"] {
        let local = AdminSettings {
            listen: listen.into(),
            ..AdminSettings::default()
        };
        assert!(local.listen_addr().is_ok(), "{listen}");
    }
    let garbage = AdminSettings {
        listen: "localhost".into(),
        ..AdminSettings::default()
    };
    assert!(garbage.listen_addr().is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_file_is_created_owner_only_and_kept() {
    let relay = DevRelay::start_local().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let daemon = TestDaemon::start(
        &relay.url(),
        dir.path(),
        FakeLightning::new(),
        Keys::generate(),
    )
    .await;
    let path = dir.path().join(ADMIN_TOKEN_FILE);
    assert!(!path.exists());
    let (_, stop) = serve(dir.path(), &daemon).await;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let first = std::fs::read_to_string(&path).unwrap();
    assert_eq!(first.trim().len(), 64);
    assert!(first.trim().bytes().all(|b| b.is_ascii_hexdigit()));
    stop.cancel();

    // A restart reads the same token.
    let (_, stop) = serve(dir.path(), &daemon).await;
    assert_eq!(std::fs::read_to_string(&path).unwrap(), first);
    stop.cancel();

    // A token file others can read is refused, like the node key.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let settings = AdminSettings {
        listen: "127.0.0.1:0".into(),
        ..AdminSettings::default()
    };
    let error = AdminServer::bind(&settings, dir.path(), daemon.mostro.admin_handle())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("644"), "{error}");
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_balance_channels_and_outbox_report_the_node() {
    let admin = Admin::start().await;
    let (status, health) = admin.get("/v1/health").await;
    assert_eq!(status, StatusCode::OK, "{health}");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["node_pubkey"], admin.daemon.pubkey().to_hex());
    assert_eq!(health["lightning"]["reachable"], true);
    assert_eq!(health["lightning"]["block_height"], 100);
    assert_eq!(health["relays"]["connected"].as_array().unwrap().len(), 1);
    assert_eq!(health["database"]["ok"], true);
    assert!(health["version"].as_str().is_some());

    // LND unreachable: degraded, 503, same shape.
    admin
        .ln
        .fail_next(FakeOp::NodeInfo, FakeFailure::Unavailable);
    let (status, health) = admin.get("/v1/health").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(health["status"], "degraded");
    assert_eq!(health["lightning"]["reachable"], false);
    assert!(health["lightning"]["error"].as_str().is_some());
    assert_eq!(health["database"]["ok"], true);
    admin.ln.fail_next(FakeOp::NodeInfo, FakeFailure::Rejected);
    let (status, error) = admin.get("/v1/lightning/balance").await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(error["error"], "lightning_unavailable");

    // The chain moves: health follows.
    admin.ln.set_chain_height(321);
    let (_, health) = admin.get("/v1/health").await;
    assert_eq!(health["lightning"]["block_height"], 321);

    admin.ln.set_balance(NodeBalance {
        onchain_confirmed_sat: 1_000,
        onchain_unconfirmed_sat: 2,
        channel_local_sat: 500_000,
        channel_remote_sat: 400_000,
        channel_pending_open_local_sat: 7,
    });
    let (status, balance) = admin.get("/v1/lightning/balance").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(balance["onchain_confirmed_sat"], 1_000);
    assert_eq!(balance["channel_local_sat"], 500_000);
    assert_eq!(balance["channel_pending_open_local_sat"], 7);

    admin.ln.set_channels(vec![ChannelSummary {
        channel_point: "ab:0".into(),
        remote_pubkey: "03cd".into(),
        capacity_sat: 1_000_000,
        local_balance_sat: 600_000,
        remote_balance_sat: 390_000,
        active: true,
        private: false,
    }]);
    let (_, channels) = admin.get("/v1/lightning/channels").await;
    assert_eq!(channels.as_array().unwrap().len(), 1);
    assert_eq!(channels[0]["channel_point"], "ab:0");
    assert_eq!(channels[0]["local_balance_sat"], 600_000);

    // An event queued for later: listed with its recipient, never its content.
    let user = Keys::generate();
    let order_id = Uuid::new_v4();
    let event = EventBuilder::new(Kind::PrivateDirectMessage, "secret-content")
        .tag(Tag::public_key(user.public_key()))
        .finalize(&admin.daemon.keys)
        .unwrap();
    let mut item = OutboxItem::new(&event, Some(order_id), Timestamp::now()).unwrap();
    item.next_attempt_at = Timestamp::now() + 86_400;
    let outbox = admin.daemon.mostro.store().outbox();
    outbox.push(vec![item]).await.unwrap();
    let (status, listed) = admin.get("/v1/outbox").await;
    assert_eq!(status, StatusCode::OK);
    let row = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == event.id.to_hex())
        .expect("queued item listed");
    assert_eq!(row["order_id"], order_id.to_string());
    assert_eq!(row["recipient"], user.public_key().to_hex());
    assert_eq!(row["kind"], 14);
    assert_eq!(row["attempts"], 0);
    assert!(!listed.to_string().contains("secret-content"));
    let (_, health) = admin.get("/v1/health").await;
    assert!(health["outbox_depth"].as_u64().unwrap() >= 1);
    admin.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_and_disputes_follow_the_trade_and_hide_secrets() {
    let admin = Admin::start().await;
    let relay = admin._relay.url();
    let node = admin.daemon.pubkey();
    let mut maker = TestUser::new(&relay, node, Transport::V2).await;
    let id = create_order(&mut maker, fixed_order(OrderKind::Sell, 15_000)).await;

    let (status, orders) = admin.get("/v1/orders").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(orders.as_array().unwrap().len(), 1);
    assert_eq!(orders[0]["id"], id.to_string());
    assert_eq!(orders[0]["status"], "pending");
    assert_eq!(orders[0]["amount"], 15_000);
    assert_eq!(
        orders[0]["maker"]["trade_pubkey"],
        maker.trade.public_key().to_hex()
    );
    let (_, none) = admin.get("/v1/orders?status=active").await;
    assert_eq!(none, json!([]));
    let (_, pending) = admin.get("/v1/orders?status=pending&limit=1").await;
    assert_eq!(pending.as_array().unwrap().len(), 1);
    for query in ["status=bogus", "limit=ten", "colour=red"] {
        let (status, bad) = admin.get(&format!("/v1/orders?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(bad["error"], "bad_request");
    }
    let (status, _) = admin.get(&format!("/v1/orders/{}", Uuid::new_v4())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = admin.get("/v1/orders/not-a-uuid").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A trade in escrow: the order shows the hold invoice without its preimage.
    let (trade, _seller, _buyer) = active_trade(&admin, &relay).await;
    let (status, order) = admin.get(&format!("/v1/orders/{trade}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(order["status"], "active");
    let stored = admin
        .daemon
        .mostro
        .store()
        .orders()
        .get(trade)
        .await
        .unwrap()
        .unwrap();
    let hold = stored.hold_invoice.as_ref().unwrap();
    assert_eq!(
        order["hold_invoice"]["payment_hash"],
        hex::encode(hold.hash)
    );
    let text = order.to_string();
    assert!(
        !text.contains(&hex::encode(hold.preimage)),
        "preimage leaked"
    );
    let invoice = stored.buyer_invoice.as_ref().unwrap();
    assert!(!text.contains(invoice.as_str()), "whole invoice shown");
    assert!(order["buyer_invoice"].as_str().unwrap().contains('…'));

    let (_, disputes) = admin.get("/v1/disputes").await;
    assert_eq!(disputes, json!([]));
    let (status, _) = admin.get(&format!("/v1/disputes/{}", Uuid::new_v4())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    admin.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn solvers_are_added_listed_and_removed() {
    let admin = Admin::start().await;
    let solver = Keys::generate().public_key();
    let npub = solver.to_bech32().unwrap();
    let (status, added) = admin
        .call(
            Method::POST,
            "/v1/solvers",
            Some(json!({"pubkey": npub, "rights": "read"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["pubkey"], solver.to_hex());
    assert_eq!(added["rights"], "read");
    let (_, listed) = admin.get("/v1/solvers").await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["npub"], npub);

    // Same key in hex: rights upgraded, still one row.
    let (status, _) = admin
        .call(
            Method::POST,
            "/v1/solvers",
            Some(json!({"pubkey": solver.to_hex(), "rights": "read-write"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, listed) = admin.get("/v1/solvers").await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["rights"], "read-write");
    let stored = admin
        .daemon
        .mostro
        .store()
        .solvers()
        .get(solver)
        .await
        .unwrap();
    assert!(stored.is_some(), "written to the daemon's store");

    for bad in [
        json!({"pubkey": "npub1nope"}),
        json!({"pubkey": solver.to_hex(), "rights": "admin"}),
        json!({"pubkey": solver.to_hex(), "extra": 1}),
    ] {
        let (status, error) = admin.call(Method::POST, "/v1/solvers", Some(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
        assert_eq!(error["error"], "bad_request");
    }

    let (status, _) = admin
        .call(Method::DELETE, &format!("/v1/solvers/{npub}"), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, listed) = admin.get("/v1/solvers").await;
    assert_eq!(listed, json!([]));
    let (status, _) = admin
        .call(Method::DELETE, &format!("/v1/solvers/{npub}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    admin.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispute_actions_go_through_the_engine_as_the_node_key() {
    let admin = Admin::start().await;
    let relay = admin._relay.url();
    let node = admin.daemon.pubkey();

    // Unknown ids: nothing to route to.
    let (status, _) = admin
        .post(&format!("/v1/disputes/{}/take", Uuid::new_v4()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = admin
        .post(&format!("/v1/orders/{}/settle", Uuid::new_v4()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // No dispute on a pending order: the engine refuses, nothing changes.
    let mut maker = TestUser::new(&relay, node, Transport::V2).await;
    let pending = create_order(&mut maker, fixed_order(OrderKind::Sell, 12_000)).await;
    for action in ["settle", "cancel"] {
        let (status, body) = admin.post(&format!("/v1/orders/{pending}/{action}")).await;
        assert_eq!(status, StatusCode::CONFLICT, "{action}: {body}");
        assert_eq!(body["error"], "refused");
        // The engine's cant-do reason reaches the operator.
        assert_eq!(body["reason"], "is_not_your_dispute", "{action}: {body}");
    }
    let (_, order) = admin.get(&format!("/v1/orders/{pending}")).await;
    assert_eq!(order["status"], "pending");

    // A disputed trade: the node key takes the dispute, then settles.
    let (trade, _seller, mut buyer) = active_trade(&admin, &relay).await;
    buyer
        .send(Message::new_order(
            body(buyer.transport, Action::Dispute).with_id(trade),
        ))
        .await;
    buyer.expect(Action::DisputeInitiatedByYou).await;
    let (_, disputes) = admin.get("/v1/disputes").await;
    let disputes = disputes.as_array().unwrap();
    assert_eq!(disputes.len(), 1);
    assert_eq!(disputes[0]["order_id"], trade.to_string());
    assert_eq!(disputes[0]["status"], "initiated");
    assert_eq!(disputes[0]["initiator"], "buyer");
    let dispute = disputes[0]["id"].as_str().unwrap().to_owned();

    // Settling before taking the dispute is refused.
    let (status, body) = admin.post(&format!("/v1/orders/{trade}/settle")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["reason"], "is_not_your_dispute", "{body}");

    let (status, taken) = admin.post(&format!("/v1/disputes/{dispute}/take")).await;
    assert_eq!(status, StatusCode::OK, "{taken}");
    assert_eq!(taken["outcome"], "applied");
    assert_eq!(taken["order_id"], trade.to_string());
    assert_eq!(taken["status"], "dispute");
    assert_eq!(taken["disputes"][0]["status"], "in-progress");
    assert_eq!(taken["disputes"][0]["solver_pubkey"], node.to_hex());
    let (_, shown) = admin.get(&format!("/v1/disputes/{dispute}")).await;
    assert_eq!(shown["status"], "in-progress");

    let (status, settled) = admin.post(&format!("/v1/orders/{trade}/settle")).await;
    assert_eq!(status, StatusCode::OK, "{settled}");
    assert_eq!(settled["previous_status"], "dispute");
    assert_eq!(settled["disputes"][0]["status"], "settled");
    let (_, open) = admin.get("/v1/disputes").await;
    assert_eq!(open, json!([]));
    buyer.expect(Action::AdminSettled).await;

    // The order is no longer in dispute: a second settle is refused.
    let (status, body) = admin.post(&format!("/v1/orders/{trade}/settle")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["reason"], "invalid_order_status", "{body}");
    let _ = &admin.dir;
    admin.stop().await;
}

#[test]
fn mostrod_exits_with_code_2_on_a_non_loopback_admin_address() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tls.cert"), "cert").unwrap();
    std::fs::write(dir.path().join("admin.macaroon"), "mac").unwrap();
    let settings = format!(
        "[lightning]\nlnd_cert_file = {:?}\nlnd_macaroon_file = {:?}\n\
         [nostr]\nrelays = [\"ws://127.0.0.1:1\"]\n",
        dir.path().join("tls.cert"),
        dir.path().join("admin.macaroon"),
    );
    let run = |file: &str, env: &[(&str, &str)]| {
        std::fs::write(dir.path().join("settings.toml"), file).unwrap();
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_mostrod"));
        command.arg("--data-dir").arg(dir.path());
        for (key, _) in std::env::vars() {
            if key.starts_with("MOSTROD_") {
                command.env_remove(key);
            }
        }
        command.envs(env.iter().copied());
        command.output().unwrap()
    };
    let in_file = run(
        &format!("{settings}[admin]\nlisten = \"0.0.0.0:8383\"\n"),
        &[],
    );
    assert_eq!(in_file.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&in_file.stderr);
    assert!(stderr.contains("admin.listen"), "{stderr}");
    assert!(stderr.contains("allow_remote"), "{stderr}");

    let from_env = run(&settings, &[("MOSTROD_ADMIN_LISTEN", "10.0.0.1:8383")]);
    assert_eq!(from_env.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&from_env.stderr).contains("admin.listen"));
    // No token is written for a daemon that refused to start.
    assert!(!dir.path().join(ADMIN_TOKEN_FILE).exists());
}
