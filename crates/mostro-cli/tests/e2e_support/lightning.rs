//! Lightning facts the tests check with the nodes' own `lncli`: what an invoice
//! asks for, and whether an invoice was settled.

use std::time::Duration;

use serde_json::Value;
use testnet::Node;

/// A numeric field LND prints as a string or a number (0 when absent).
pub fn num(v: &Value, field: &str) -> u64 {
    match v.get(field) {
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
        _ => 0,
    }
}

/// Amount (sats) and payment hash (hex) of a bolt11, decoded by `node`.
pub async fn decode(node: &Node, bolt11: &str) -> (u64, String) {
    let v = node
        .lncli(&["decodepayreq", bolt11])
        .await
        .expect("lncli decodepayreq");
    let hash = v
        .get("payment_hash")
        .and_then(Value::as_str)
        .expect("payment_hash")
        .to_owned();
    (num(&v, "num_satoshis"), hash)
}

/// Polls until `node`'s invoice `hash` is in `state` (e.g. `SETTLED`).
pub async fn wait_invoice_state(node: &Node, hash: &str, state: &str, timeout: Duration) {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let now = node.invoice_state(hash).await.expect("invoice state");
        if now == state {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "invoice {hash} stayed {now}, expected {state}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
