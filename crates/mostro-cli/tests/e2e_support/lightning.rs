//! Lightning facts the tests check with the nodes' own `lncli`: what an invoice
//! asks for, and whether an invoice was settled.

use std::time::Duration;

use serde_json::Value;
use testnet::{lnd_u64, Node};

/// A numeric field LND prints as a string or a number (0 when absent).
pub fn num(v: &Value, field: &str) -> u64 {
    lnd_u64(v, field).unwrap_or(0)
}

/// Amount (sats) and payment hash (hex) of a bolt11, decoded by `node`.
pub async fn decode(node: &Node, bolt11: &str) -> (u64, String) {
    let decoded = node
        .decode_invoice(bolt11)
        .await
        .expect("lncli decodepayreq");
    (decoded.amount_sat, decoded.payment_hash)
}

/// Polls until `node`'s invoice `hash` is in `state` (e.g. `SETTLED`).
pub async fn wait_invoice_state(node: &Node, hash: &str, state: &str, timeout: Duration) {
    let now = node
        .wait_invoice_state(hash, state, timeout)
        .await
        .expect("invoice state");
    assert_eq!(now, state, "invoice {hash} stayed {now}, expected {state}");
}
