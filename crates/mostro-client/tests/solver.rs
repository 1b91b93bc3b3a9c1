//! Solver operations and the dispute side of chat, against a real relay on
//! 127.0.0.1 and a scripted fake daemon.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{client, FakeDaemon, Replies, Script};
use devrelay::DevRelay;
use mostro_client::store::SolverCase;
use mostro_client::{
    DisputeParty, LocalOrder, MostroClient, PeerChatDisclosure, Privacy, SolverRights, Transport,
    Update,
};
use mostro_protocol::chat::derive_chat_keys;
use mostro_protocol::dispute_token::dispute_token;
use mostro_protocol::envelope::Unwrapped;
use mostro_protocol::events::{DisputeEvent, Initiator};
use mostro_protocol::{
    Action, CantDoReason, DisputeStatus, Kind as OrderKind, Message, MessageKind, Payload,
    SolverDisputeInfo, Wrapper,
};
use mostro_relay::RelayPool;
use nostr::prelude::*;
use uuid::Uuid;

const REPLY: Duration = Duration::from_secs(10);

fn info(order: Uuid, buyer: PublicKey, seller: PublicKey) -> SolverDisputeInfo {
    SolverDisputeInfo {
        id: order,
        kind: "sell".into(),
        status: "dispute".into(),
        hash: None,
        preimage: None,
        order_previous_status: "fiat-sent".into(),
        initiator_pubkey: buyer.to_hex(),
        buyer_pubkey: Some(buyer.to_hex()),
        seller_pubkey: Some(seller.to_hex()),
        initiator_full_privacy: false,
        counterpart_full_privacy: false,
        initiator_info: None,
        counterpart_info: None,
        premium: 0,
        payment_method: "cash".into(),
        amount: 10_000,
        fiat_amount: 10,
        fee: 30,
        routing_fee: 0,
        buyer_invoice: None,
        invoice_held_at: 0,
        taken_at: 0,
        created_at: 0,
    }
}

/// Ids the fake daemon knows: the dispute, its order (the solver may
/// settle it) and another order (held by someone else).
#[derive(Clone, Copy)]
struct Ids {
    dispute: Uuid,
    order: Uuid,
    foreign: Uuid,
    buyer: PublicKey,
    seller: PublicKey,
}

fn script(ids: Ids) -> Script {
    Arc::new(move |u: &Unwrapped| -> Replies {
        let m = u.message.inner();
        let to_sender = |wrapper: Wrapper, body: MessageKind| {
            (
                Message::from_parts(wrapper, body.with_request_id(m.request_id)),
                u.sender,
            )
        };
        match (m.action, m.id) {
            (Action::AdminTakeDispute, Some(id)) if id == ids.dispute => {
                let info = info(ids.order, ids.buyer, ids.seller);
                let took = MessageKind::new(Action::AdminTookDispute)
                    .with_id(id)
                    .with_payload(Payload::Dispute(id, Some(info)));
                let note = MessageKind::new(Action::SendDm)
                    .with_id(id)
                    .with_payload(Payload::TextMessage("buyer token: 123456".into()));
                vec![
                    to_sender(Wrapper::Dispute, took),
                    (Message::new_dm(note), u.sender),
                ]
            }
            (Action::AdminSettle, Some(id)) if id == ids.order => {
                vec![to_sender(
                    Wrapper::Order,
                    MessageKind::new(Action::AdminSettled).with_id(id),
                )]
            }
            (Action::AdminCancel, Some(id)) => {
                let reason = if id == ids.foreign {
                    CantDoReason::IsNotYourDispute
                } else {
                    CantDoReason::NotAuthorized
                };
                let refusal = MessageKind::new(Action::CantDo)
                    .with_id(id)
                    .with_payload(Payload::CantDo(Some(reason)));
                vec![to_sender(Wrapper::CantDo, refusal)]
            }
            (Action::AdminAddSolver, _) => {
                vec![to_sender(
                    Wrapper::Dispute,
                    MessageKind::new(Action::AdminAddSolver),
                )]
            }
            _ => vec![],
        }
    })
}

fn dispute_event(id: Uuid, status: DisputeStatus, keys: &Keys, at: u64) -> Event {
    DisputeEvent::new(
        id,
        status,
        Initiator::Buyer,
        Timestamp::from(1_700_000_000),
        Some("test"),
        Timestamp::now(),
        90,
    )
    .build(keys, Timestamp::from(at))
    .unwrap()
}

#[tokio::test]
async fn solver_requests_come_from_the_identity_key_and_refusals_are_typed() {
    let relay = DevRelay::start_local().await.unwrap();
    let ids = Ids {
        dispute: Uuid::new_v4(),
        order: Uuid::new_v4(),
        foreign: Uuid::new_v4(),
        buyer: Keys::generate().public_key(),
        seller: Keys::generate().public_key(),
    };
    let daemon = FakeDaemon::start(&relay, Transport::V2, Some(2), script(ids)).await;
    let dir = tempfile::tempdir().unwrap();
    let solver = client(
        dir.path(),
        &relay,
        daemon.pubkey(),
        Privacy::Reputation,
        REPLY,
    );

    // Disputes waiting for a solver: newest revision per dispute.
    let pool = RelayPool::new([relay.url()], common::pool_options()).unwrap();
    let (d1, d2) = (Uuid::new_v4(), Uuid::new_v4());
    let now = Timestamp::now().as_secs();
    for event in [
        dispute_event(d1, DisputeStatus::Initiated, &daemon.keys, now - 20),
        dispute_event(d1, DisputeStatus::InProgress, &daemon.keys, now - 10),
        dispute_event(d2, DisputeStatus::Initiated, &daemon.keys, now - 5),
        // Not from the daemon: ignored.
        dispute_event(
            Uuid::new_v4(),
            DisputeStatus::Initiated,
            &Keys::generate(),
            now,
        ),
    ] {
        assert!(pool.publish(&event).await.any_accepted());
    }
    let waiting = solver
        .list_disputes(Some(DisputeStatus::Initiated))
        .await
        .unwrap();
    assert_eq!(waiting.iter().map(|d| d.id).collect::<Vec<_>>(), vec![d2]);
    let all = solver.list_disputes(None).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        all.iter().find(|d| d.id == d1).map(|d| d.status),
        Some(DisputeStatus::InProgress)
    );

    // Take: sent and proven by the identity key, wrapper `dispute`.
    let case = solver.take_dispute(ids.dispute).await.unwrap();
    assert_eq!(case.dispute_id, ids.dispute);
    assert_eq!(case.info.id, ids.order);
    assert_eq!(case.initiator(), Some(DisputeParty::Buyer));
    assert_eq!(case.party_pubkey(DisputeParty::Seller).unwrap(), ids.seller);
    assert_eq!(solver.solver_case(ids.order).unwrap(), case);
    let took = daemon.requests().pop().unwrap();
    assert_eq!(took.sender, solver.identity_pubkey());
    assert_eq!(took.identity, solver.identity_pubkey());
    assert_eq!(took.message.wrapper(), Wrapper::Dispute);
    assert_eq!(took.message.id(), Some(ids.dispute));
    assert!(took.message.verify());

    // Mostro's notes about the dispute (e.g. the tokens).
    let mut notes = Vec::new();
    for _ in 0..20 {
        notes = solver.solver_notes(&case, 3600).await.unwrap();
        if !notes.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(notes, vec!["buyer token: 123456".to_owned()]);

    // Settle is answered; refusals carry their reason.
    assert_eq!(
        solver.admin_settle(ids.order).await.unwrap(),
        Update::AdminSettled
    );
    let settle = daemon.requests().pop().unwrap();
    assert_eq!(settle.message.wrapper(), Wrapper::Order);
    assert_eq!(settle.sender, solver.identity_pubkey());
    let refused = solver.admin_cancel(ids.foreign).await.unwrap_err();
    assert_eq!(
        refused.cant_do_reason(),
        Some(CantDoReason::IsNotYourDispute)
    );
    let refused = solver.admin_cancel(ids.order).await.unwrap_err();
    assert_eq!(refused.cant_do_reason(), Some(CantDoReason::NotAuthorized));

    // The operator registers a read-only solver with the node key.
    let node = Keys::generate();
    let new_solver = Keys::generate().public_key();
    solver
        .add_solver(&node, new_solver, SolverRights::Read)
        .await
        .unwrap();
    let add = daemon.requests().pop().unwrap();
    assert_eq!(add.sender, node.public_key());
    assert_eq!(add.identity, node.public_key());
    assert!(add.message.verify(), "admin-add-solver carries an id");
    assert_eq!(
        add.message.payload(),
        Some(&Payload::TextMessage(format!(
            "{}:read",
            new_solver.to_bech32().unwrap()
        )))
    );
    assert_eq!(
        "write".parse::<SolverRights>().unwrap(),
        SolverRights::ReadWrite
    );
    assert!("admin".parse::<SolverRights>().is_err());
}

/// A party client with order `id` on trade key 1, counterpart `peer`.
fn party(dir: &std::path::Path, relay: &DevRelay, daemon: PublicKey, id: Uuid) -> MostroClient {
    let c = client(dir, relay, daemon, Privacy::Reputation, REPLY);
    c.store().allocate_trade_index().unwrap();
    c.store()
        .save_order(&LocalOrder::new(id, 1, OrderKind::Sell, false, 0))
        .unwrap();
    c
}

fn set(c: &MostroClient, id: Uuid, edit: impl FnOnce(&mut LocalOrder)) {
    let mut order = c.local_order(id).unwrap();
    edit(&mut order);
    c.store().save_order(&order).unwrap();
}

#[tokio::test]
async fn solver_chats_with_each_party_and_reads_only_verified_evidence() {
    let relay = DevRelay::start_local().await.unwrap();
    let daemon = Keys::generate();
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let id = Uuid::new_v4();
    let dispute = Uuid::new_v4();
    let buyer = party(dirs[0].path(), &relay, daemon.public_key(), id);
    let seller = party(dirs[1].path(), &relay, daemon.public_key(), id);
    let solver = client(
        dirs[2].path(),
        &relay,
        daemon.public_key(),
        Privacy::Reputation,
        REPLY,
    );
    let (b_trade, s_trade) = (buyer.trade_keys(1).unwrap(), seller.trade_keys(1).unwrap());
    set(&buyer, id, |o| o.peer_pubkey = Some(s_trade.public_key()));
    set(&seller, id, |o| o.peer_pubkey = Some(b_trade.public_key()));

    // The peer chat, plus a message signed by a third key that the buyer
    // (who holds K_sign) slips into it.
    buyer.send_chat(id, "fiat sent").await.unwrap();
    seller.send_chat(id, "nothing arrived").await.unwrap();
    let conv = derive_chat_keys(b_trade.secret_key(), &s_trade.public_key()).unwrap();
    let intruder = Keys::generate();
    let forged = conv
        .wrap(&intruder, "seller: received, all good", Timestamp::now())
        .unwrap();
    let pool = RelayPool::new([relay.url()], common::pool_options()).unwrap();
    assert!(pool.publish(&forged).await.any_accepted());

    // The dispute: the buyer's token matches what the node computes.
    assert_eq!(buyer.dispute_token(id).unwrap(), None);
    set(&buyer, id, |o| o.dispute_id = Some(dispute));
    let token = buyer.dispute_token(id).unwrap().unwrap();
    let at_node = dispute_token(daemon.secret_key(), &b_trade.public_key(), &dispute).unwrap();
    assert_eq!(token, at_node);

    // The solver took it; the parties learned its key.
    solver
        .store()
        .save_solver_case(&SolverCase {
            dispute_id: dispute,
            info: info(id, b_trade.public_key(), s_trade.public_key()),
            taken_at: 1,
        })
        .unwrap();
    for c in [&buyer, &seller] {
        set(c, id, |o| o.solver_pubkey = Some(solver.identity_pubkey()));
    }

    // Nothing disclosed yet.
    assert!(solver.read_evidence(id).await.unwrap().is_empty());

    // Independent channels with each party.
    solver
        .solver_send(
            id,
            DisputeParty::Buyer,
            &format!("solver here, token {token}"),
        )
        .await
        .unwrap();
    let seen = buyer.read_dispute_chat(id).await.unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].sender, solver.identity_pubkey().to_hex());
    assert!(seller.read_dispute_chat(id).await.unwrap().is_empty());
    seller
        .send_dispute_chat(id, "I am the seller")
        .await
        .unwrap();
    let with_seller = solver.solver_read(id, DisputeParty::Seller).await.unwrap();
    assert_eq!(with_seller.len(), 1);
    assert_eq!(with_seller[0].sender, s_trade.public_key().to_hex());

    // The buyer discloses the peer chat, naming the intruder as a
    // participant: the solver still trusts only the trade keys of the case.
    let mut disclosure = buyer.chat_disclosure(id).unwrap();
    disclosure.participants = [b_trade.public_key(), intruder.public_key()];
    buyer
        .send_dispute_chat(id, &disclosure.to_text())
        .await
        .unwrap();
    let evidence = solver.read_evidence(id).await.unwrap();
    assert_eq!(evidence.len(), 1);
    assert_eq!(evidence[0].disclosed_by, DisputeParty::Buyer);
    assert_eq!(evidence[0].conversation, conv.conv_pubkey());
    let lines: Vec<(DisputeParty, &str)> = evidence[0]
        .messages
        .iter()
        .map(|m| (m.from, m.text.as_str()))
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines.contains(&(DisputeParty::Buyer, "fiat sent")));
    assert!(lines.contains(&(DisputeParty::Seller, "nothing arrived")));

    // Without the disclosure's secret, the same address reads as nothing.
    let blind = PeerChatDisclosure {
        disclosure: mostro_protocol::chat::ChatDisclosure::new(
            Keys::generate().secret_key().clone(),
            conv.sign_pubkey(),
        ),
        participants: [b_trade.public_key(), s_trade.public_key()],
    };
    assert!(solver.read_disclosed_chat(&blind).await.unwrap().is_empty());
}
