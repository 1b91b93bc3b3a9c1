//! Dispute helpers: registering solvers with the node key, library clients on
//! a CLI user's data directory (for what no honest CLI user can do: a
//! stranger's `dispute`, a forged chat message), and Lightning checks that a
//! payout happened exactly once.

use std::time::Duration;

use mostro_client::{LocalOrder, MostroClient, SolverRights, Timeouts};
use mostro_protocol::Kind;
use nostr::key::PublicKey;
use nostr::nips::nip19::FromBech32;
use serde_json::Value;
use testnet::Node;

use super::lightning::num;
use super::{CliUser, Env};

/// A library client on `user`'s data directory (the CLI must not be running
/// a command on it at the same time that writes the same rows).
pub fn client_of(env: &Env, user: &CliUser) -> MostroClient {
    MostroClient::builder()
        .data_dir(user.data_dir())
        .relays([env.relay])
        .daemon(env.daemon.keys().public_key())
        .timeouts(Timeouts {
            reply: Duration::from_secs(60),
            fetch: Duration::from_secs(10),
        })
        .build()
        .expect("library client")
}

/// `user`'s identity key (what the operator registers as a solver), from
/// `mostro-cli init`'s npub.
pub fn identity_of(init_doc: &Value) -> PublicKey {
    let npub = init_doc["identity"].as_str().expect("identity npub");
    PublicKey::from_bech32(npub).expect("identity npub parses")
}

/// The operator registers `solver` with `rights`, signing `admin-add-solver`
/// with the node key (through `helper`'s client, any user works).
pub async fn add_solver(env: &Env, helper: &CliUser, solver: PublicKey, rights: SolverRights) {
    let client = client_of(env, helper);
    let result = client.add_solver(env.daemon.keys(), solver, rights).await;
    client.shutdown().await;
    result.expect("admin-add-solver accepted");
}

/// A stranger (a fresh data directory) sends `dispute` on `order_id` from
/// one of its own trade keys; returns the refusal.
pub async fn stranger_dispute(
    env: &Env,
    stranger: &CliUser,
    order_id: uuid::Uuid,
) -> mostro_client::ClientError {
    let client = client_of(env, stranger);
    let index = client.store().allocate_trade_index().expect("trade index");
    client
        .store()
        .save_order(&LocalOrder::new(order_id, index, Kind::Sell, false, 0))
        .expect("fake local order");
    let result = client.dispute(order_id).await;
    client.shutdown().await;
    match result {
        Ok(reply) => panic!("a stranger opened a dispute: {:?}", reply.update),
        Err(error) => error,
    }
}

/// The invoice `hash` of `node`: settled, and the amount it received.
pub async fn settled_amount(node: &Node, hash: &str) -> u64 {
    let v = node
        .lncli(&["lookupinvoice", hash])
        .await
        .expect("lookupinvoice");
    assert_eq!(v["state"], "SETTLED", "{v:#}");
    num(&v, "amt_paid_sat")
}

/// How many outgoing payments of `node` to `hash` succeeded.
pub async fn succeeded_payments(node: &Node, hash: &str) -> usize {
    node.payments_for(hash)
        .await
        .expect("listpayments")
        .iter()
        .filter(|p| p["status"] == "SUCCEEDED")
        .count()
}
