//! Disputes end to end on a real relay and the regtest network: parties and
//! solvers drive the `mostro-cli` binary; the operator registers solvers with
//! the node key. Checked: a solver settles a `fiat-sent` dispute and the buyer
//! is paid exactly once; a solver cancels an `active` dispute and the seller's
//! escrow is released back; a read-only solver, a solver of another dispute
//! and a stranger are refused; the disclosed peer chat is readable by the
//! solver only, and a forged message in it is rejected.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_support;

use std::time::Duration;

use e2e_support::dispute::{
    add_solver, client_of, identity_of, settled_amount, stranger_dispute, succeeded_payments,
};
use e2e_support::flows::{add_invoice, both_active, chat_both_ways, pay_hold, publish};
use e2e_support::lightning::{decode, wait_invoice_state};
use e2e_support::{has_status, party_fee, setup, trade, CliUser, Env, WAIT};
use mostro_client::{PeerChatDisclosure, SolverRights};
use mostro_protocol::chat::{ChatDisclosure, ChatKeys, SharedSecret};
use mostro_protocol::CantDoReason;
use nostr::key::{Keys, PublicKey};
use serde_json::Value;
use testnet::PaymentOutcome;

const SATS: u64 = 40_000;

/// `init` for a user; returns the init document (identity npub).
async fn init(user: &CliUser) -> Value {
    let doc = user.json(&["init"]).await;
    assert_eq!(doc["created"], true, "{doc:#}");
    doc
}

/// A sell order taken, invoiced and escrowed: returns the order id, the
/// hold invoice hash, the buyer's payout hash and the seller's payment.
async fn active_trade(
    env: &Env,
    seller: &CliUser,
    buyer: &CliUser,
) -> (String, String, String, testnet::PaymentHandle) {
    let id = publish(seller, buyer, "sell", SATS).await;
    let taken = buyer.json(&["take-sell", &id]).await;
    assert_eq!(taken["update"]["code"], "add-invoice", "{taken:#}");
    let (payout_hash, added) = add_invoice(env, buyer, &id, SATS).await;
    let ask = seller
        .watch_for(&id, "pay-invoice", |d| d["update"]["invoice"].is_string())
        .await;
    let hold = ask["update"]["invoice"].as_str().unwrap().to_owned();
    let (_, hold_hash) = decode(env.net.seller(), &hold).await;
    let pay = pay_hold(env, seller, &id, &hold, SATS).await;
    both_active(seller, buyer, &id, &added).await;
    (id, hold_hash, payout_hash, pay)
}

/// `party` opens the dispute; returns (dispute id, party's token).
async fn open_dispute(party: &CliUser, id: &str) -> (String, String) {
    let doc = party.json(&["dispute", id]).await;
    assert_eq!(doc["update"]["code"], "dispute-initiated-by-you", "{doc:#}");
    assert_eq!(doc["order"]["status"], "dispute", "{doc:#}");
    assert_eq!(
        doc["order"]["next_step"]["code"], "wait-for-solver",
        "{doc:#}"
    );
    let token = doc["dispute_token"]
        .as_str()
        .expect("dispute token")
        .to_owned();
    assert_eq!(token.len(), 6, "{doc:#}");
    assert!(token.bytes().all(|b| b.is_ascii_digit()), "{doc:#}");
    let dispute = doc["order"]["dispute_id"]
        .as_str()
        .expect("dispute id")
        .to_owned();
    (dispute, token)
}

/// The solver finds `dispute` among the initiated ones and takes it.
async fn take(solver: &CliUser, dispute: &str) -> Value {
    let list = solver
        .json_until(&["solver", "disputes"], |d| {
            d["disputes"]
                .as_array()
                .is_some_and(|all| all.iter().any(|x| x["id"] == dispute))
        })
        .await;
    let listed = list["disputes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == dispute)
        .unwrap();
    assert_eq!(listed["status"], "initiated", "{list:#}");
    solver.json(&["solver", "take", dispute]).await
}

/// A refused CLI run: exit code 3 and the `cant-do` reason in the JSON error.
async fn refused(user: &CliUser, args: &[&str], reason: &str) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let run = user.run(&all).await;
    assert_eq!(run.code, 3, "{args:?}: {}\n{}", run.stdout, run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).expect("JSON error document");
    assert_eq!(doc["error"]["reason"], reason, "{doc:#}");
}

/// The party learns on `watch` that `solver` took the dispute; the dispute
/// chat then names that solver and shows the party's token, returned.
async fn party_sees_solver(party: &CliUser, id: &str, solver: PublicKey) -> String {
    // Replayed notices of one second may come in any order: check the
    // resulting state, not the line.
    party.watch_for(id, "admin-took-dispute", |_| true).await;
    // The stored state may trail the printed notice by a moment.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut mine = party.json(&["my-orders"]).await;
    while trade(&mine, id)["next_step"]["code"] != "talk-to-solver"
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(250)).await;
        mine = party.json(&["my-orders"]).await;
    }
    let order = trade(&mine, id);
    assert_eq!(order["status"], "dispute", "{mine:#}");
    assert_eq!(order["next_step"]["code"], "talk-to-solver", "{mine:#}");
    let chat = party.json(&["dispute-chat", id]).await;
    assert_eq!(chat["solver"], solver.to_hex(), "{chat:#}");
    let token = chat["dispute_token"].as_str().expect("token").to_owned();
    assert_eq!(token.len(), 6, "{chat:#}");
    token
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn solver_settles_a_fiat_sent_dispute() {
    let env = setup().await;
    let seller = env.user("seller", None);
    let buyer = env.user("buyer", None);
    let solver = env.user("solver", None);
    let rival = env.user("rival", None);
    let stranger = env.user("stranger", None);
    init(&seller).await;
    init(&buyer).await;
    init(&stranger).await;
    let solver_key = identity_of(&init(&solver).await);
    let rival_key = identity_of(&init(&rival).await);
    add_solver(&env, &stranger, solver_key, SolverRights::ReadWrite).await;
    add_solver(&env, &stranger, rival_key, SolverRights::ReadWrite).await;

    let (id, hold_hash, payout_hash, pay) = active_trade(&env, &seller, &buyer).await;
    chat_both_ways(&seller, &buyer, &id).await;
    let order_id: uuid::Uuid = id.parse().unwrap();

    // (e) Someone who is neither buyer nor seller cannot open a dispute.
    let error = stranger_dispute(&env, &stranger, order_id).await;
    assert_eq!(
        error.cant_do_reason(),
        Some(CantDoReason::InvalidPubkey),
        "{error}"
    );

    let sent = buyer.json(&["fiat-sent", &id]).await;
    assert_eq!(sent["update"]["code"], "fiat-sent-ok", "{sent:#}");
    let (dispute, buyer_token) = open_dispute(&buyer, &id).await;

    let case = take(&solver, &dispute).await;
    assert_eq!(case["dispute_id"], dispute.as_str(), "{case:#}");
    assert_eq!(case["order_id"], id.as_str(), "{case:#}");
    assert_eq!(case["previous_status"], "fiat-sent", "{case:#}");
    assert_eq!(case["initiator"], "buyer", "{case:#}");
    assert_eq!(case["buyer"]["initiator"], true, "{case:#}");
    assert_eq!(case["amount_sats"], SATS, "{case:#}");
    assert_eq!(case["fee"], party_fee(SATS), "{case:#}");
    let buyer_trade = case["buyer"]["pubkey"].as_str().unwrap().to_owned();
    let seller_trade = case["seller"]["pubkey"].as_str().unwrap().to_owned();
    let notes = case["notes"].as_array().expect("notes");
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().is_some_and(|t| t.contains(&buyer_token))),
        "Mostro gave the solver the buyer's token: {case:#}"
    );

    assert_eq!(
        party_sees_solver(&buyer, &id, solver_key).await,
        buyer_token
    );
    let seller_token = party_sees_solver(&seller, &id, solver_key).await;
    assert_ne!(seller_token, buyer_token);
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().is_some_and(|t| t.contains(&seller_token))),
        "Mostro gave the solver the seller's token: {case:#}"
    );

    // The dispute chat, both ways.
    let hello = format!("Hello, I am the solver; your token is {buyer_token}.");
    solver
        .json(&["solver", "chat", &id, "--to", "buyer", &hello])
        .await;
    buyer
        .json_until(&["dispute-chat", &id], |d| {
            d["messages"].as_array().is_some_and(|m| {
                m.iter()
                    .any(|m| m["from"] == "solver" && m["text"] == hello.as_str())
            })
        })
        .await;
    buyer
        .json(&["dispute-chat", &id, "I sent the fiat yesterday."])
        .await;
    let read = solver
        .json_until(&["solver", "read", &id], |d| {
            d["messages"].as_array().is_some_and(|m| {
                m.iter()
                    .any(|m| m["from"] == "buyer" && m["text"] == "I sent the fiat yesterday.")
            })
        })
        .await;
    assert!(
        read["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["from"] == "me"),
        "{read:#}"
    );

    // (f) Evidence: the buyer discloses the peer chat; the solver reads it.
    let exported = buyer.json(&["chat", "export-key", &id]).await;
    let disclosure =
        PeerChatDisclosure::from_text(exported["key"].as_str().unwrap()).expect("disclosure");
    forge_into_peer_chat(&env, &buyer, &id, &seller_trade).await;
    let disclosed = buyer.json(&["chat", "disclose", &id]).await;
    assert!(disclosed["event_id"].is_string(), "{disclosed:#}");
    let evidence = solver
        .json_until(&["solver", "evidence", &id], |d| {
            d["conversations"].as_array().is_some_and(|c| !c.is_empty())
        })
        .await;
    let conv = &evidence["conversations"][0];
    assert_eq!(conv["disclosed_by"], "buyer", "{evidence:#}");
    let lines: Vec<(String, String)> = conv["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["from"].as_str().unwrap().to_owned(),
                m["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (
                "buyer".to_owned(),
                "Hi! Sending 100 USD by bank transfer now.".to_owned()
            ),
            (
                "seller".to_owned(),
                "Thanks, I will check my account.".to_owned()
            ),
        ],
        "only the two signed messages, not the forgery: {evidence:#}"
    );
    for m in conv["messages"].as_array().unwrap() {
        assert!(m["sender"] == buyer_trade.as_str() || m["sender"] == seller_trade.as_str());
    }
    // A key without the disclosure reads nothing at the same address.
    let outsider = client_of(&env, &stranger);
    let blind = PeerChatDisclosure {
        disclosure: ChatDisclosure::new(
            Keys::generate().secret_key().clone(),
            disclosure.disclosure.sign_pubkey(),
        ),
        participants: disclosure.participants,
    };
    assert!(outsider
        .read_disclosed_chat(&blind)
        .await
        .unwrap()
        .is_empty());
    // With the real key but trusting the disclosure's own participant list,
    // the forgery is still dropped: its signer is neither party.
    let all = outsider.read_disclosed_chat(&disclosure).await.unwrap();
    assert_eq!(all.len(), 2, "{all:?}");
    outsider.shutdown().await;

    // (d) Another solver cannot settle a dispute it did not take.
    refused(&rival, &["solver", "settle", &id], "is_not_your_dispute").await;

    // (a) The solver settles: the buyer is paid exactly once.
    let settled = solver.json(&["solver", "settle", &id]).await;
    assert_eq!(settled["update"]["code"], "admin-settled", "{settled:#}");
    wait_invoice_state(env.net.mostro(), &hold_hash, "SETTLED", WAIT).await;
    wait_invoice_state(env.net.buyer(), &payout_hash, "SETTLED", WAIT).await;
    assert_eq!(
        settled_amount(env.net.buyer(), &payout_hash).await,
        SATS - party_fee(SATS)
    );
    assert_eq!(succeeded_payments(env.net.mostro(), &payout_hash).await, 1);
    match pay.wait().await.expect("seller payment outcome") {
        PaymentOutcome::Succeeded { .. } => {}
        PaymentOutcome::Failed { reason } => panic!("escrow payment failed: {reason}"),
    }
    buyer.watch_for(&id, "purchase-completed", |_| true).await;
    for user in [&buyer, &seller] {
        let doc = user
            .json_until(&["my-orders", "--refresh", "--all"], |d| {
                has_status(d, &id, "success")
            })
            .await;
        assert_eq!(trade(&doc, &id)["status"], "success", "{doc:#}");
    }
    // Still exactly one payout a while later (no retry paid it again).
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(succeeded_payments(env.net.mostro(), &payout_hash).await, 1);
    let done = solver
        .json_until(&["solver", "disputes", "--status", "settled"], |d| {
            d["disputes"]
                .as_array()
                .is_some_and(|all| all.iter().any(|x| x["id"] == dispute.as_str()))
        })
        .await;
    assert!(done["disputes"].is_array());
}

/// The buyer (who holds `K_sign` of its peer chat) posts a message signed by
/// a third key into the peer chat: valid outer event, foreign inner signer.
async fn forge_into_peer_chat(env: &Env, buyer: &CliUser, id: &str, seller_trade: &str) {
    let client = client_of(env, buyer);
    let order = client.local_order(id.parse().unwrap()).unwrap();
    let me = client.trade_keys(order.trade_index).unwrap();
    let seller = PublicKey::from_hex(seller_trade).unwrap();
    let keys =
        ChatKeys::from_shared(SharedSecret::ecdh(me.secret_key(), &seller).unwrap()).unwrap();
    let forger = Keys::generate();
    let event = keys
        .wrap(
            &forger,
            "I, the seller, received the fiat.",
            nostr::types::Timestamp::now(),
        )
        .unwrap();
    assert!(client.pool().publish(&event).await.any_accepted());
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn solver_cancels_an_active_dispute() {
    let env = setup().await;
    let seller = env.user("seller", None);
    let buyer = env.user("buyer", None);
    let reader = env.user("reader", None);
    let solver = env.user("solver", None);
    init(&seller).await;
    init(&buyer).await;
    let reader_key = identity_of(&init(&reader).await);
    let solver_key = identity_of(&init(&solver).await);
    add_solver(&env, &seller, reader_key, SolverRights::Read).await;
    add_solver(&env, &seller, solver_key, SolverRights::ReadWrite).await;

    let (id, hold_hash, payout_hash, pay) = active_trade(&env, &seller, &buyer).await;
    let (dispute, seller_token) = open_dispute(&seller, &id).await;
    buyer
        .watch_for(&id, "dispute-initiated-by-peer", |_| true)
        .await;

    // (c) A read-only solver may take the dispute but not resolve it.
    let case = take(&reader, &dispute).await;
    assert_eq!(case["previous_status"], "active", "{case:#}");
    assert_eq!(case["initiator"], "seller", "{case:#}");
    refused(&reader, &["solver", "cancel", &id], "not_authorized").await;
    refused(&reader, &["solver", "settle", &id], "not_authorized").await;

    // A read-write solver takes it over and cancels: the seller is refunded.
    let over = solver.json(&["solver", "take", &dispute]).await;
    assert_eq!(over["order_id"], id.as_str(), "{over:#}");
    assert_eq!(
        party_sees_solver(&seller, &id, solver_key).await,
        seller_token
    );
    let canceled = solver.json(&["solver", "cancel", &id]).await;
    assert_eq!(canceled["update"]["code"], "admin-canceled", "{canceled:#}");
    wait_invoice_state(env.net.mostro(), &hold_hash, "CANCELED", WAIT).await;
    match pay.wait().await.expect("seller payment outcome") {
        PaymentOutcome::Failed { .. } => {}
        PaymentOutcome::Succeeded { .. } => panic!("the escrow was taken from the seller"),
    }
    assert_eq!(
        env.net
            .seller()
            .payment_status(&hold_hash)
            .await
            .unwrap()
            .as_deref(),
        Some("FAILED")
    );
    assert_eq!(
        env.net.buyer().invoice_state(&payout_hash).await.unwrap(),
        "OPEN"
    );
    let note = seller.watch_for(&id, "admin-canceled", |_| true).await;
    assert_eq!(note["order"]["status"], "canceled-by-admin", "{note:#}");
    solver
        .json_until(
            &["solver", "disputes", "--status", "seller-refunded"],
            |d| {
                d["disputes"]
                    .as_array()
                    .is_some_and(|all| all.iter().any(|x| x["id"] == dispute.as_str()))
            },
        )
        .await;
}
