//! The compiled `mostro-cli` binary against a real relay on 127.0.0.1 and a
//! scripted fake daemon.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use common::{pool, run_raw, CliUser, FakeDaemon, Replies, Script};
use devrelay::DevRelay;
use mostro_client::explain;
use mostro_protocol::envelope::{Transport, Unwrapped};
use mostro_protocol::events::{OrderEventBuilder, OrderRating};
use mostro_protocol::{
    Action, CantDoReason, Kind, Message, MessageKind, Payload, SmallOrder, Status,
};
use nostr::prelude::{Keys, Timestamp};
use uuid::Uuid;

/// Subcommand names listed under "Commands:" in a help text.
fn listed_commands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .filter(|c| c != "help")
        .collect()
}

#[tokio::test]
async fn every_command_has_help_with_an_example() {
    let top = run_raw(&["--help"]).await;
    assert_eq!(top.code, 0);
    assert!(top.stdout.contains("Example"), "{}", top.stdout);
    assert!(top.stdout.contains("Exit codes"), "{}", top.stdout);
    let commands = listed_commands(&top.stdout);
    assert!(commands.len() >= 19, "{commands:?}");
    // Command groups: each subcommand's help carries the example.
    let groups: [(&str, &[&str]); 2] = [
        (
            "chat",
            &["send", "read", "follow", "export-key", "disclose"],
        ),
        (
            "solver",
            &[
                "disputes", "take", "settle", "cancel", "chat", "read", "evidence", "cases",
            ],
        ),
    ];
    let mut checked = 0;
    let mut expected = 0;
    for command in &commands {
        let help = run_raw(&[command, "--help"]).await;
        assert_eq!(help.code, 0, "{command}: {}", help.stderr);
        if let Some((_, expected_subs)) = groups.iter().find(|(g, _)| g == command) {
            let subs = listed_commands(&help.stdout);
            assert_eq!(subs, *expected_subs, "{command}");
            expected += subs.len();
            for sub in subs {
                let h = run_raw(&[command, &sub, "--help"]).await;
                assert!(
                    h.stdout.contains("Example:"),
                    "{command} {sub}:\n{}",
                    h.stdout
                );
                checked += 1;
            }
        } else {
            assert!(
                help.stdout.contains("Example"),
                "{command}:\n{}",
                help.stdout
            );
            checked += 1;
            expected += 1;
        }
    }
    assert_eq!(checked, expected);
    assert!(commands.iter().any(|c| c == "dispute-chat"), "{commands:?}");
}

#[cfg(unix)]
#[tokio::test]
async fn init_creates_private_files_and_shows_the_mnemonic_once() {
    use std::os::unix::fs::PermissionsExt;
    let user = CliUser::new(vec![], None);
    let first = user.run(&["init"]).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&user.data_dir()), 0o700);
    let file = user.data_dir().join("mnemonic");
    assert_eq!(mode(&file), 0o600);
    let words = std::fs::read_to_string(&file).unwrap();
    let words = words.trim();
    assert_eq!(words.split_whitespace().count(), 12);
    assert!(first.stdout.contains(words), "{}", first.stdout);
    assert!(first.stdout.contains("Write these words down"));

    let again = user.run(&["init"]).await;
    assert_eq!(again.code, 0);
    assert!(
        !again.stdout.contains(words),
        "shown twice:\n{}",
        again.stdout
    );
    let json = user.json(&["init"]).await;
    assert_eq!(json["created"], false);
    assert!(json["mnemonic"].is_null());

    let shown = user.json(&["mnemonic", "--show"]).await;
    assert_eq!(shown["mnemonic"], words);
    assert_eq!(shown["identity"], json["identity"]);
}

#[tokio::test]
async fn init_import_rejects_a_bad_mnemonic_and_accepts_a_good_one() {
    let user = CliUser::new(vec![], None);
    let bad = user.run(&["init", "--import", "apple banana cherry"]).await;
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("mnemonic"), "{}", bad.stderr);
    assert!(!user.data_dir().join("mnemonic").exists());

    let phrase = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
    let good = user.json(&["init", "--import", phrase]).await;
    assert_eq!(good["created"], true);
    assert!(good["mnemonic"].is_null(), "imported words are not echoed");
    let other = CliUser::new(vec![], None);
    let same = other.json(&["init", "--import", phrase]).await;
    assert_eq!(
        same["identity"], good["identity"],
        "same words, same identity"
    );

    let different = user
        .run(&[
            "init",
            "--import",
            "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong",
        ])
        .await;
    assert_eq!(different.code, 2, "{}", different.stderr);
}

#[tokio::test]
async fn missing_daemon_or_relay_is_a_usage_error() {
    let no_daemon = CliUser::new(vec!["ws://127.0.0.1:9".into()], None);
    let run = no_daemon.run(&["orders"]).await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--mostro"), "{}", run.stderr);
    let no_relay = CliUser::new(vec![], Some(Keys::generate().public_key()));
    let run = no_relay.run(&["--json", "info"]).await;
    assert_eq!(run.code, 2);
    assert_eq!(run.json()["error"]["category"], "usage");
}

/// Publishes one order revision by `mostro` with the daemon's event builder.
async fn publish_order(
    relay: &DevRelay,
    mostro: &Keys,
    kind: Kind,
    status: Status,
    small: SmallOrder,
) -> Uuid {
    let id = Uuid::new_v4();
    let mut order = small;
    order.id = Some(id);
    order.kind = Some(kind);
    order.status = Some(status);
    order.created_at = Some(i64::try_from(Timestamp::now().as_secs()).unwrap());
    order.expires_at = Some(i64::try_from(Timestamp::now().as_secs() + 23 * 3600 + 600).unwrap());
    let builder = OrderEventBuilder {
        networks: vec!["regtest".into()],
        relays: vec![relay.url()],
        mostro_pubkey: mostro.public_key(),
        instance_name: Some("test".into()),
        order_days: 10,
    };
    let rating = OrderRating {
        days: 30,
        total_rating: 4.5,
        total_reviews: 8,
    };
    let event = builder
        .event_for(&order, rating, Timestamp::now())
        .unwrap()
        .unwrap()
        .build(mostro, Timestamp::now())
        .unwrap();
    assert!(pool(relay).await.publish(&event).await.any_accepted());
    id
}

#[tokio::test(flavor = "multi_thread")]
async fn order_book_renders_a_table_and_stable_json() {
    let relay = DevRelay::start_local().await.unwrap();
    let mostro = Keys::generate();
    let sell = publish_order(
        &relay,
        &mostro,
        Kind::Sell,
        Status::Pending,
        SmallOrder::new(0, "USD", 100, "bank transfer,cash", 1),
    )
    .await;
    let mut range = SmallOrder::new(0, "EUR", 0, "SEPA", -2);
    range.min_amount = Some(10);
    range.max_amount = Some(50);
    let buy = publish_order(&relay, &mostro, Kind::Buy, Status::Pending, range).await;
    let taken = publish_order(
        &relay,
        &mostro,
        Kind::Sell,
        Status::WaitingPayment,
        SmallOrder::new(25_000, "USD", 20, "cash", 0),
    )
    .await;
    // Someone else's order must never show up.
    publish_order(
        &relay,
        &Keys::generate(),
        Kind::Sell,
        Status::Pending,
        SmallOrder::new(0, "USD", 5, "cash", 0),
    )
    .await;
    let user = CliUser::new(vec![relay.url()], Some(mostro.public_key()));

    let table = user.run(&["orders"]).await;
    assert_eq!(table.code, 0, "{}", table.stderr);
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("PRICE"),
        "{}",
        table.stdout
    );
    let sell_line = lines
        .iter()
        .find(|l| l.contains(&sell.to_string()))
        .unwrap();
    for cell in [
        "sell",
        "100 USD",
        "market +1%",
        "bank transfer, cash",
        "4.5/5 (8)",
        "in 23 h",
    ] {
        assert!(
            sell_line.contains(cell),
            "{cell:?} missing in {sell_line:?}"
        );
    }
    let buy_line = lines.iter().find(|l| l.contains(&buy.to_string())).unwrap();
    assert!(
        buy_line.contains("10-50 EUR") && buy_line.contains("market -2%"),
        "{buy_line}"
    );
    assert!(
        !table.stdout.contains(&taken.to_string()),
        "only pending by default"
    );
    // Columns line up: every row starts its second column at the same offset.
    let col = lines[0].find("TYPE").unwrap();
    assert_eq!(&sell_line[col..col + 4], "sell");

    let json = user.json(&["orders"]).await;
    assert_eq!(json["mostro"], mostro.public_key().to_hex());
    let orders = json["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 2);
    let s = orders.iter().find(|o| o["id"] == sell.to_string()).unwrap();
    assert_eq!(s["kind"], "sell");
    assert_eq!(s["status"], "pending");
    assert_eq!(s["fiat_code"], "USD");
    assert_eq!(s["fiat_amount"], 100.0);
    assert!(s["fiat_min"].is_null());
    assert_eq!(s["amount_sats"], 0);
    assert_eq!(s["premium"], 1.0);
    assert_eq!(
        s["payment_methods"],
        serde_json::json!(["bank transfer", "cash"])
    );
    assert_eq!(s["maker_rating"], 4.5);
    assert_eq!(s["maker_reviews"], 8);
    assert!(s["expires_at"].as_u64().unwrap() > Timestamp::now().as_secs());
    let b = orders.iter().find(|o| o["id"] == buy.to_string()).unwrap();
    assert_eq!(
        (b["fiat_min"].clone(), b["fiat_max"].clone()),
        (10.0.into(), 50.0.into())
    );

    let eur = user
        .json(&["orders", "--currency", "eur", "--kind", "buy"])
        .await;
    assert_eq!(eur["orders"].as_array().unwrap().len(), 1);
    let cash = user.json(&["orders", "--payment-method", "CASH"]).await;
    assert_eq!(cash["orders"][0]["id"], sell.to_string());
    let all = user.json(&["orders", "--status", "all"]).await;
    assert_eq!(all["orders"].as_array().unwrap().len(), 3);
    let active = &all["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == taken.to_string())
        .unwrap()
        .clone();
    assert_eq!(active["status"], "in-progress");
    assert_eq!(active["amount_sats"], 25_000);
}

#[tokio::test(flavor = "multi_thread")]
async fn info_json_and_table_show_the_daemon_terms() {
    let relay = DevRelay::start_local().await.unwrap();
    let mostro = Keys::generate();
    let info = common::info_event(&mostro, 2);
    assert!(pool(&relay).await.publish(&info).await.any_accepted());
    let user = CliUser::new(vec![relay.url()], Some(mostro.public_key()));
    let json = user.json(&["info"]).await;
    assert_eq!(json["mostro"], mostro.public_key().to_hex());
    assert_eq!(json["protocol_version"], 2);
    assert_eq!(json["fee"], 0.006);
    assert_eq!(json["min_order_sats"], 1000);
    assert_eq!(json["max_order_sats"], 2_000_000);
    assert_eq!(json["fiat_currencies"], serde_json::json!(["USD", "EUR"]));
    assert_eq!(json["step_timeout_seconds"], 900);
    let text = user.run(&["info"]).await;
    assert!(
        text.stdout.contains("0.6% of the amount"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("1,000 sats to 2,000,000 sats"),
        "{}",
        text.stdout
    );

    let unknown = CliUser::new(vec![relay.url()], Some(Keys::generate().public_key()));
    let missing = unknown.run(&["--timeout", "3", "info"]).await;
    assert_eq!(missing.code, 4, "{}", missing.stderr);
    assert!(missing.stderr.contains(&relay.url()), "{}", missing.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_relay_is_named_with_the_relay_exit_code() {
    let url = "ws://127.0.0.1:1";
    let user = CliUser::new(vec![url.into()], Some(Keys::generate().public_key()));
    let run = user.run(&["--timeout", "2", "orders"]).await;
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(run.stderr.contains(url), "{}", run.stderr);
    assert!(run.stderr.contains("within 2 s"), "{}", run.stderr);
    let json = user.run(&["--timeout", "2", "--json", "orders"]).await;
    assert_eq!(json.code, 5);
    assert_eq!(json.json()["error"]["category"], "relay");
    assert_eq!(json.json()["error"]["exit_code"], 5);
}

const HOLD_INVOICE: &str = "lnbcrt10u1pjtestholdinvoicexyzqqqqqqqqqqqqqqqqqqqqqqqqqqqqq";

/// Accepts new orders, hands out a hold invoice on take-buy, refuses take-sell.
fn script() -> Script {
    Arc::new(|u: &Unwrapped| -> Replies {
        let m = u.message.inner();
        let kind = |action: Action| {
            MessageKind::new(action)
                .with_id(m.id)
                .with_request_id(m.request_id)
        };
        match m.action {
            Action::NewOrder => {
                let Some(Payload::Order(order)) = &m.payload else {
                    return vec![];
                };
                let id = Uuid::new_v4();
                let mut order = order.clone();
                order.id = Some(id);
                order.created_at = Some(1_700_000_000);
                let body = MessageKind::new(Action::NewOrder)
                    .with_id(id)
                    .with_request_id(m.request_id)
                    .with_trade_index(m.trade_index)
                    .with_payload(Payload::Order(order));
                vec![(Message::new_order(body), u.sender)]
            }
            Action::TakeBuy => {
                let mut order = SmallOrder::new(10_060, "USD", 10, "cash", 0);
                order.id = m.id;
                order.kind = Some(Kind::Buy);
                order.status = Some(Status::WaitingPayment);
                let payload = Payload::PaymentRequest(Some(order), HOLD_INVOICE.into(), None);
                vec![(
                    Message::new_order(kind(Action::PayInvoice).with_payload(payload)),
                    u.sender,
                )]
            }
            Action::TakeSell => vec![(
                Message::cant_do(m.id, m.request_id, Some(CantDoReason::PendingOrderExists)),
                u.sender,
            )],
            _ => vec![],
        }
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn new_order_is_confirmed_and_listed_as_mine() {
    let relay = DevRelay::start_local().await.unwrap();
    let daemon = FakeDaemon::start(&relay, Transport::V1, script()).await;
    let user = CliUser::new(vec![relay.url()], Some(daemon.pubkey()));
    assert_eq!(user.run(&["init"]).await.code, 0);
    let created = user
        .json(&[
            "sell",
            "--fiat",
            "100",
            "--currency",
            "usd",
            "--method",
            "bank transfer",
            "--premium",
            "2",
        ])
        .await;
    assert_eq!(created["update"]["code"], "new-order");
    let order = &created["order"];
    let id = order["id"].as_str().unwrap().to_owned();
    assert_eq!(order["side"], "seller");
    assert_eq!(order["is_maker"], true);
    assert_eq!(order["status"], "pending");
    assert_eq!(order["fiat_code"], "USD");
    assert_eq!(order["premium"], 2);
    assert_eq!(order["trade_index"], 1);
    assert_eq!(order["next_step"]["code"], "wait-for-taker");

    let mine = user.json(&["my-orders"]).await;
    assert_eq!(mine["orders"][0]["id"], id);
    let text = user.run(&["my-orders"]).await;
    assert!(text.stdout.contains("seller (maker)"), "{}", text.stdout);
    assert!(text.stdout.contains("in the book"), "{}", text.stdout);
    // Nothing to pay on a pending sell order.
    let none = user.run(&["show-invoice", &id[..8]]).await;
    assert_eq!(none.code, 2, "{}", none.stderr);

    let bad = user
        .run(&[
            "sell",
            "--fiat",
            "10-20",
            "--sats",
            "5",
            "--currency",
            "USD",
            "--method",
            "x",
        ])
        .await;
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn take_buy_shows_the_hold_invoice_and_its_qr_code() {
    let relay = DevRelay::start_local().await.unwrap();
    let daemon = FakeDaemon::start(&relay, Transport::V2, script()).await;
    let user = CliUser::new(vec![relay.url()], Some(daemon.pubkey()));
    let id = Uuid::new_v4().to_string();
    let run = user.run(&["take-buy", &id]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(HOLD_INVOICE), "{}", run.stdout);
    assert!(run.stdout.contains("10,060 sats"), "{}", run.stdout);
    assert!(
        run.stdout.contains('█') || run.stdout.contains('▀'),
        "no QR:\n{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("mostro-cli show-invoice"),
        "{}",
        run.stdout
    );

    let shown = user.json(&["show-invoice", &id[..6]]).await;
    assert_eq!(shown["invoice"], HOLD_INVOICE);
    let mine = user.json(&["my-orders"]).await;
    assert_eq!(mine["orders"][0]["next_step"]["code"], "pay-hold-invoice");
    assert_eq!(mine["orders"][0]["hold_invoice"], HOLD_INVOICE);
}

#[tokio::test(flavor = "multi_thread")]
async fn cant_do_is_explained_with_its_exit_code() {
    let relay = DevRelay::start_local().await.unwrap();
    let daemon = FakeDaemon::start(&relay, Transport::V2, script()).await;
    let user = CliUser::new(vec![relay.url()], Some(daemon.pubkey()));
    let id = Uuid::new_v4().to_string();
    let run = user.run(&["take-sell", &id]).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(explain(CantDoReason::PendingOrderExists)),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("take-sell"), "{}", run.stderr);

    let json = user.run(&["--json", "take-sell", &id]).await;
    assert_eq!(json.code, 3);
    let error = &json.json()["error"];
    assert_eq!(error["category"], "cant-do");
    assert_eq!(error["reason"], "pending_order_exists");
}

#[tokio::test(flavor = "multi_thread")]
async fn silent_daemon_times_out_naming_the_daemon_and_relay() {
    let relay = DevRelay::start_local().await.unwrap();
    let silent = Keys::generate();
    let user = CliUser::new(vec![relay.url()], Some(silent.public_key()));
    let run = user
        .run(&["--timeout", "2", "take-sell", &Uuid::new_v4().to_string()])
        .await;
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr.contains(&silent.public_key().to_string()),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(&relay.url()), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn watch_prints_updates_with_the_next_step_as_json_lines() {
    let relay = DevRelay::start_local().await.unwrap();
    let daemon = FakeDaemon::start(&relay, Transport::V1, script()).await;
    let user = CliUser::new(vec![relay.url()], Some(daemon.pubkey()));
    let created = user
        .json(&[
            "sell",
            "--fiat",
            "10",
            "--currency",
            "USD",
            "--method",
            "cash",
        ])
        .await;
    let id = Uuid::parse_str(created["order"]["id"].as_str().unwrap()).unwrap();
    let trade_key = *daemon.senders.lock().unwrap().last().unwrap();
    // A buyer takes the order: Mostro asks the seller for the escrow.
    let mut order = SmallOrder::new(10_060, "USD", 10, "cash", 0);
    order.id = Some(id);
    order.kind = Some(Kind::Sell);
    order.status = Some(Status::WaitingPayment);
    let body = MessageKind::new(Action::PayInvoice)
        .with_id(Some(id))
        .with_payload(Payload::PaymentRequest(
            Some(order),
            HOLD_INVOICE.into(),
            None,
        ));
    daemon.send(Message::new_order(body), trade_key).await;

    let run = user.run(&["--json", "watch", "--for", "4"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let pay = lines
        .iter()
        .find(|l| l["update"]["code"] == "pay-invoice")
        .unwrap_or_else(|| panic!("no pay-invoice line in {}", run.stdout));
    assert_eq!(pay["update"]["invoice"], HOLD_INVOICE);
    assert_eq!(pay["order"]["id"], id.to_string());
    assert_eq!(pay["order"]["status"], "waiting-payment");
    assert_eq!(pay["order"]["next_step"]["code"], "pay-hold-invoice");
    assert_eq!(
        pay["order"]["next_step"]["command"],
        format!("mostro-cli show-invoice {id}")
    );
    // The update was applied locally: the invoice is there for show-invoice.
    let shown = user.json(&["show-invoice", &id.to_string()]).await;
    assert_eq!(shown["invoice"], HOLD_INVOICE);
    // Each message is reported once, even when watching again.
    let again = user.run(&["--json", "watch", "--for", "2"]).await;
    assert!(!again.stdout.contains("pay-invoice"), "{}", again.stdout);
}
