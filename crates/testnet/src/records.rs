//! What tests read back from a node: decoded invoices, outgoing payment records,
//! and an invoice reaching a state.

use std::time::Duration;

use serde_json::Value;

use crate::cli::{require_str, require_u64, u64_field};
use crate::error::Result;
use crate::node::Node;

/// How often [`Node::wait_invoice_state`] looks.
const POLL: Duration = Duration::from_millis(50);

/// What a node reads from a BOLT11 (`lncli decodepayreq`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedInvoice {
    /// The amount asked for, in sats (0 when amountless).
    pub amount_sat: u64,
    /// Payment hash (hex).
    pub payment_hash: String,
}

/// An unsigned number that `lncli` prints either as a JSON number or as a string;
/// `None` when the field is absent or not a number.
pub fn lnd_u64(value: &Value, field: &str) -> Option<u64> {
    u64_field(value, field)
}

impl Node {
    /// Decodes `bolt11` with this node's `lncli decodepayreq`.
    pub async fn decode_invoice(&self, bolt11: &str) -> Result<DecodedInvoice> {
        let label = "lncli decodepayreq";
        let v = self.lncli(&["decodepayreq", bolt11]).await?;
        Ok(DecodedInvoice {
            amount_sat: require_u64(&v, "num_satoshis", label)?,
            payment_hash: require_str(&v, "payment_hash", label)?,
        })
    }

    /// Every outgoing payment record of this node for `payment_hash` (hex), oldest
    /// first, as `lncli listpayments --include_incomplete` prints them.
    pub async fn payments_for(&self, payment_hash: &str) -> Result<Vec<Value>> {
        let v = self
            .lncli(&[
                "listpayments",
                "--include_incomplete",
                "--max_payments",
                "10000",
            ])
            .await?;
        Ok(v.get("payments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|p| p.get("payment_hash").and_then(Value::as_str) == Some(payment_hash))
            .cloned()
            .collect())
    }

    /// Polls until this node's invoice `payment_hash` is in `state` or `timeout`
    /// passed; returns the state seen last (for the caller to check).
    pub async fn wait_invoice_state(
        &self,
        payment_hash: &str,
        state: &str,
        timeout: Duration,
    ) -> Result<String> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let now = self.invoice_state(payment_hash).await?;
            if now == state || tokio::time::Instant::now() >= deadline {
                return Ok(now);
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lnd_u64_reads_numbers_and_numeric_strings() {
        let v = serde_json::json!({"a": 5, "b": "7", "c": "x", "d": null});
        assert_eq!(lnd_u64(&v, "a"), Some(5));
        assert_eq!(lnd_u64(&v, "b"), Some(7));
        assert_eq!(lnd_u64(&v, "c"), None);
        assert_eq!(lnd_u64(&v, "d"), None);
        assert_eq!(lnd_u64(&v, "e"), None);
    }
}
