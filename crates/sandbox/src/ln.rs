//! What the sandbox reads from the LND nodes: channel balances, invoice states,
//! decoded invoices and the daemon's payout record.

use std::time::Duration;

use serde_json::Value;
use testnet::{Network, Node};

use crate::error::Result;

/// Local channel balances (what each node can send), in sats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locals {
    /// The seller's node.
    pub seller: u64,
    /// The daemon's node.
    pub mostro: u64,
    /// The buyer's node.
    pub buyer: u64,
}

/// The three nodes' local channel balances.
pub async fn locals(net: &Network) -> Result<Locals> {
    Ok(Locals {
        seller: net.seller().channel_balance().await?.local_sat,
        mostro: net.mostro().channel_balance().await?.local_sat,
        buyer: net.buyer().channel_balance().await?.local_sat,
    })
}

/// Polls the balances until they equal `expected` (HTLCs settle a moment after
/// the payments report success); returns the last balances read.
pub async fn settled_locals(net: &Network, expected: Locals, timeout: Duration) -> Result<Locals> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let now = locals(net).await?;
        if now == expected || tokio::time::Instant::now() >= deadline {
            return Ok(now);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// An unsigned number that lncli prints either as a JSON number or a string.
pub fn num(v: &Value, field: &str) -> Option<u64> {
    testnet::lnd_u64(v, field)
}

/// Amount (sats) and payment hash of `bolt11`, decoded by `node`.
pub async fn decode(node: &Node, bolt11: &str) -> Result<(u64, String)> {
    let decoded = node.decode_invoice(bolt11).await?;
    Ok((decoded.amount_sat, decoded.payment_hash))
}

/// Polls `node` until its invoice `hash` is in `state`; returns the state seen last.
pub async fn wait_invoice_state(
    node: &Node,
    hash: &str,
    state: &str,
    timeout: Duration,
) -> Result<String> {
    Ok(node.wait_invoice_state(hash, state, timeout).await?)
}

/// The routing fee of `node`'s successful payment of `hash`, if there is one.
pub async fn paid_fee(node: &Node, hash: &str) -> Result<Option<u64>> {
    let records = node.payments_for(hash).await?;
    let found = records
        .iter()
        .find(|p| p.get("status").and_then(Value::as_str) == Some("SUCCEEDED"));
    Ok(found.map(|p| num(p, "fee_sat").unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn num_reads_numbers_and_numeric_strings() {
        let v = serde_json::json!({"a": 5, "b": "7", "c": "x", "d": null});
        assert_eq!(num(&v, "a"), Some(5));
        assert_eq!(num(&v, "b"), Some(7));
        assert_eq!(num(&v, "c"), None);
        assert_eq!(num(&v, "d"), None);
        assert_eq!(num(&v, "e"), None);
    }
}
