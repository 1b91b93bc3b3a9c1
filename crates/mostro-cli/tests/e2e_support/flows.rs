//! Trade steps shared by several tests, each one or more `mostro-cli --json`
//! runs whose output is checked field by field.

use serde_json::Value;
use testnet::PaymentHandle;

use super::lightning::decode;
use super::{has_status, party_fee, trade, CliUser, Env};

/// Fiat amount of every e2e order.
pub const FIAT: &str = "100";
/// Payment method of every e2e order.
pub const METHOD: &str = "bank transfer";

/// `init`: creates the mnemonic; returns its words.
pub async fn init(user: &CliUser) -> String {
    let doc = user.json(&["init"]).await;
    assert_eq!(doc["created"], true, "{doc:#}");
    assert!(
        doc["identity"]
            .as_str()
            .is_some_and(|i| i.starts_with("npub1")),
        "{doc:#}"
    );
    let words = doc["mnemonic"].as_str().expect("new mnemonic shown once");
    assert_eq!(words.split_whitespace().count(), 12, "{doc:#}");
    words.to_owned()
}

/// `info`: the e2e daemon's terms, as a user checks them first.
pub async fn check_info(env: &Env, user: &CliUser) {
    let doc = user
        .json_until(&["info"], |d| d["mostro"].is_string())
        .await;
    assert_eq!(doc["mostro"], env.daemon.pubkey_hex(), "{doc:#}");
    assert_eq!(doc["fee"], super::daemon::FEE_FRACTION, "{doc:#}");
    assert!(
        doc["lightning_networks"]
            .as_array()
            .is_some_and(|n| n.iter().any(|v| v == "regtest")),
        "{doc:#}"
    );
}

/// `sell`/`buy --sats <sats>`: publishes a fixed-price order; returns its id
/// once another user sees it in the order book.
pub async fn publish(maker: &CliUser, looker: &CliUser, kind: &str, sats: u64) -> String {
    let sats_arg = sats.to_string();
    let doc = maker
        .json(&[
            kind,
            "--fiat",
            FIAT,
            "--currency",
            "USD",
            "--method",
            METHOD,
            "--sats",
            &sats_arg,
        ])
        .await;
    assert_eq!(doc["update"]["code"], "new-order", "{doc:#}");
    let order = &doc["order"];
    assert_eq!(order["kind"], kind, "{doc:#}");
    assert_eq!(order["is_maker"], true, "{doc:#}");
    assert_eq!(order["status"], "pending", "{doc:#}");
    assert_eq!(order["amount_sats"], sats, "{doc:#}");
    assert_eq!(order["next_step"]["code"], "wait-for-taker", "{doc:#}");
    let expected_side = if kind == "sell" { "seller" } else { "buyer" };
    assert_eq!(order["side"], expected_side, "{doc:#}");
    let id = order["id"].as_str().expect("order id").to_owned();

    let book = looker
        .json_until(&["orders", "--kind", kind, "--currency", "USD"], |d| {
            d["orders"]
                .as_array()
                .is_some_and(|all| all.iter().any(|o| o["id"] == id.as_str()))
        })
        .await;
    let listed = trade(&book, &id);
    assert_eq!(listed["status"], "pending", "{book:#}");
    assert_eq!(listed["amount_sats"], sats, "{book:#}");
    assert_eq!(listed["fiat_amount"], 100.0, "{book:#}");
    assert_eq!(listed["payment_methods"][0], METHOD, "{book:#}");
    id
}

/// Checks a hold invoice (`sats + fee`, what `show-invoice` shows) and starts
/// paying it from the seller's LND node.
pub async fn pay_hold(
    env: &Env,
    seller: &CliUser,
    id: &str,
    hold: &str,
    sats: u64,
) -> PaymentHandle {
    let (amount, _) = decode(env.net.seller(), hold).await;
    assert_eq!(amount, sats + party_fee(sats), "escrow = amount + fee");
    let shown = seller.json(&["show-invoice", id]).await;
    assert_eq!(shown["order"], id, "{shown:#}");
    assert_eq!(shown["invoice"], hold, "{shown:#}");
    let mine = seller.json(&["my-orders"]).await;
    assert_eq!(
        trade(&mine, id)["next_step"]["code"],
        "pay-hold-invoice",
        "{mine:#}"
    );
    env.net
        .seller()
        .pay_invoice_background(hold)
        .expect("start paying the hold invoice")
}

/// The buyer's payout invoice for `sats` (created on the buyer's node), sent
/// with `add-invoice`; returns its payment hash and the command's output.
pub async fn add_invoice(env: &Env, buyer: &CliUser, id: &str, sats: u64) -> (String, Value) {
    let payout = env
        .net
        .buyer()
        .create_invoice(sats - party_fee(sats), "cli e2e payout")
        .await
        .expect("buyer invoice");
    let doc = buyer
        .json(&["add-invoice", id, &payout.payment_request])
        .await;
    assert_eq!(doc["order"]["id"], id, "{doc:#}");
    (payout.payment_hash, doc)
}

/// Both parties learn that the trade is active, each with the other's trade
/// key (which the chat needs): the seller on `watch`; the buyer from the reply
/// to `add-invoice` when the escrow was already locked (`buyer_reply`), else on
/// `watch`.
pub async fn both_active(seller: &CliUser, buyer: &CliUser, id: &str, buyer_reply: &Value) {
    let s = seller.watch_for(id, "active", |_| true).await;
    let b = if buyer_reply["update"]["code"] == "active" {
        buyer_reply.clone()
    } else {
        buyer.watch_for(id, "active", |_| true).await
    };
    for (doc, side) in [(&s, "seller"), (&b, "buyer")] {
        assert_eq!(doc["order"]["status"], "active", "{doc:#}");
        assert_eq!(doc["order"]["side"], side, "{doc:#}");
        assert!(doc["order"]["peer_pubkey"].is_string(), "{doc:#}");
        assert!(doc["order"]["hold_invoice"].is_null(), "{doc:#}");
    }
    assert_ne!(s["order"]["peer_pubkey"], b["order"]["peer_pubkey"]);
    let seller_next = &s["order"]["next_step"]["code"];
    let buyer_next = &b["order"]["next_step"]["code"];
    assert_eq!(seller_next, "wait-for-fiat", "{s:#}");
    assert_eq!(buyer_next, "send-fiat", "{b:#}");
}

/// `from` sends `text`; `to` reads it as the peer's, and `from` reads it as its own.
async fn chat_one_way(from: &CliUser, to: &CliUser, id: &str, text: &str) {
    let sent = from.json(&["chat", "send", id, text]).await;
    assert_eq!(sent["order"], id, "{sent:#}");
    assert!(sent["event_id"].is_string(), "{sent:#}");
    let has = |who: &'static str| {
        move |d: &Value| {
            d["messages"]
                .as_array()
                .is_some_and(|m| m.iter().any(|m| m["text"] == text && m["from"] == who))
        }
    };
    to.json_until(&["chat", "read", id], has("peer")).await;
    from.json_until(&["chat", "read", id], has("me")).await;
}

/// The buyer writes to the seller and the seller answers.
pub async fn chat_both_ways(seller: &CliUser, buyer: &CliUser, id: &str) {
    chat_one_way(
        buyer,
        seller,
        id,
        "Hi! Sending 100 USD by bank transfer now.",
    )
    .await;
    // Message times are whole seconds: answer in a later second, as people do,
    // so "oldest first" is a real order.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    chat_one_way(seller, buyer, id, "Thanks, I will check my account.").await;
    let log = buyer.json(&["chat", "read", id]).await;
    let texts: Vec<&str> = log["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["text"].as_str())
        .collect();
    assert_eq!(
        texts,
        [
            "Hi! Sending 100 USD by bank transfer now.",
            "Thanks, I will check my account."
        ],
        "oldest first: {log:#}"
    );
}

/// `fiat-sent`, `release`, the buyer's payout, `success` in both parties'
/// `my-orders`, and both ratings. `payout_hash` is the buyer's invoice.
pub async fn settle_and_rate(
    env: &Env,
    seller: &CliUser,
    buyer: &CliUser,
    id: &str,
    payout_hash: &str,
) {
    let sent = buyer.json(&["fiat-sent", id]).await;
    assert_eq!(sent["update"]["code"], "fiat-sent-ok", "{sent:#}");
    seller.watch_for(id, "fiat-sent-ok", |_| true).await;
    let mine = seller.json(&["my-orders"]).await;
    assert_eq!(trade(&mine, id)["next_step"]["code"], "release", "{mine:#}");

    let released = seller.json(&["release", id]).await;
    let code = released["update"]["code"].as_str().unwrap_or_default();
    assert!(
        [
            "hold-invoice-payment-settled",
            "released",
            "purchase-completed"
        ]
        .contains(&code),
        "{released:#}"
    );
    buyer.watch_for(id, "purchase-completed", |_| true).await;
    super::lightning::wait_invoice_state(env.net.buyer(), payout_hash, "SETTLED", super::WAIT)
        .await;

    for user in [seller, buyer] {
        let doc = user
            .json_until(&["my-orders", "--refresh", "--all"], |d| {
                has_status(d, id, "success")
            })
            .await;
        assert_eq!(trade(&doc, id)["status"], "success", "{doc:#}");
    }

    let rated = seller.json(&["rate", id, "5"]).await;
    assert_eq!(rated["update"]["code"], "rate-received", "{rated:#}");
    let rated = buyer.json(&["rate", id, "4"]).await;
    assert_eq!(rated["update"]["code"], "rate-received", "{rated:#}");
    // Rated and successful: nothing left to do, so the trade leaves the
    // default (unfinished) listing but stays in `--all`.
    for user in [seller, buyer] {
        let open = user.json(&["my-orders"]).await;
        assert!(
            !open["orders"]
                .as_array()
                .expect("orders")
                .iter()
                .any(|o| o["id"] == id),
            "{open:#}"
        );
        let all = user.json(&["my-orders", "--all"]).await;
        assert_eq!(trade(&all, id)["status"], "success", "{all:#}");
    }
}
