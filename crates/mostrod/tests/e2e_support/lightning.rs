//! Lightning facts the tests assert: balances, invoice and payment records, and a
//! hold invoice on the buyer's node (a payout that stays in flight until settled).

use std::str::FromStr;
use std::time::Duration;

use bitcoin::hashes::{sha256, Hash};
use lightning_invoice::Bolt11Invoice;
use serde_json::Value;
use testnet::{lnd_u64, Network, Node, PaymentHandle, PaymentOutcome};

/// Local channel balances of the three nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locals {
    /// The seller's node.
    pub seller: u64,
    /// Mostro's node.
    pub mostro: u64,
    /// The buyer's node.
    pub buyer: u64,
}

impl Locals {
    /// The balances expected once a trade of `sats` settled from `self`: the
    /// seller paid `sats + fee` and `seller_routing` for the escrow, Mostro kept
    /// both parties' fees less `payout_routing`, the buyer got `sats − fee`.
    pub fn after_trade(self, sats: u64, seller_routing: u64, payout_routing: u64) -> Self {
        let fee = super::party_fee(sats);
        Self {
            seller: self.seller - (sats + fee) - seller_routing,
            mostro: self.mostro + 2 * fee - payout_routing,
            buyer: self.buyer + sats - fee,
        }
    }
}

/// Asserts that the three local balances settle to `expected` (see
/// [`settled_locals`]).
pub async fn assert_settled_locals(net: &Network, expected: Locals) {
    assert_eq!(settled_locals(net, expected).await, expected);
}

/// The local channel balance of every node.
pub async fn locals(net: &Network) -> Locals {
    Locals {
        seller: local(net.seller()).await,
        mostro: local(net.mostro()).await,
        buyer: local(net.buyer()).await,
    }
}

async fn local(node: &Node) -> u64 {
    node.channel_balance()
        .await
        .expect("channel balance")
        .local_sat
}

/// Polls until the three local balances equal `expected` (HTLC settlement is
/// asynchronous); returns the last reading, for the caller to assert.
pub async fn settled_locals(net: &Network, expected: Locals) -> Locals {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let now = locals(net).await;
        if now == expected || tokio::time::Instant::now() >= deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Amount (sats) and payment hash (hex) of a bolt11.
pub fn decode(bolt11: &str) -> (u64, String) {
    let invoice = Bolt11Invoice::from_str(bolt11).expect("decode bolt11");
    let msat = invoice
        .amount_milli_satoshis()
        .expect("invoice with an amount");
    (
        msat / 1000,
        hex::encode(invoice.payment_hash().to_byte_array()),
    )
}

/// Every outgoing payment record of `node` for `hash` (`lncli listpayments`).
pub async fn payments_for(node: &Node, hash: &str) -> Vec<Value> {
    node.payments_for(hash).await.expect("listpayments")
}

/// The one payment record of `node` for `hash`: asserts there is exactly one.
pub async fn single_payment(node: &Node, hash: &str) -> Value {
    let mut records = payments_for(node, hash).await;
    assert_eq!(
        records.len(),
        1,
        "one payout record for {hash}: {records:?}"
    );
    records.remove(0)
}

/// The one payment record of `node` for `hash`, asserted `SUCCEEDED`.
pub async fn succeeded_payment(node: &Node, hash: &str) -> Value {
    let record = single_payment(node, hash).await;
    assert_eq!(record["status"], "SUCCEEDED");
    record
}

/// How many HTLCs of a payment record `lncli listpayments` shows `SUCCEEDED`.
pub fn succeeded_htlcs(record: &Value) -> usize {
    record["htlcs"].as_array().map_or(0, |h| {
        h.iter().filter(|h| h["status"] == "SUCCEEDED").count()
    })
}

/// How many HTLCs of an invoice record (`lncli lookupinvoice`) are `SETTLED`.
pub fn settled_htlcs(invoice: &Value) -> usize {
    invoice["htlcs"]
        .as_array()
        .map_or(0, |h| h.iter().filter(|h| h["state"] == "SETTLED").count())
}

/// The invoice record of `node` for `hash`, asserted `SETTLED` with exactly
/// `sats` paid.
pub async fn settled_invoice(node: &Node, hash: &str, sats: u64) -> Value {
    let invoice = lookup_invoice(node, hash).await;
    assert_eq!(invoice["state"], "SETTLED");
    assert_eq!(num(&invoice, "amt_paid_sat"), sats);
    invoice
}

/// Waits for the seller's escrow payment; returns its routing fee, or fails
/// naming why the payment failed.
pub async fn escrow_routing_fee(pay: PaymentHandle) -> u64 {
    match pay.wait().await.unwrap() {
        PaymentOutcome::Succeeded { fee_sat, .. } => fee_sat,
        PaymentOutcome::Failed { reason } => panic!("escrow payment failed: {reason}"),
    }
}

/// Waits for the seller's escrow payment and asserts that it failed: the escrow
/// was not taken.
pub async fn escrow_refused(pay: PaymentHandle) {
    match pay.wait().await.unwrap() {
        PaymentOutcome::Failed { .. } => {}
        other => panic!("the escrow must not be taken: {other:?}"),
    }
}

/// Asserts that `node`'s invoice `hash` is in `state` now.
pub async fn assert_invoice_state(node: &Node, hash: &str, state: &str, what: &str) {
    let now = node.invoice_state(hash).await.unwrap();
    assert_eq!(now, state, "{what} {hash}");
}

/// A numeric field LND prints as a string or a number (0 when absent).
pub fn num(v: &Value, field: &str) -> u64 {
    lnd_u64(v, field).unwrap_or(0)
}

/// The invoice record of `node` for `hash` (`lncli lookupinvoice`).
pub async fn lookup_invoice(node: &Node, hash: &str) -> Value {
    node.lncli(&["lookupinvoice", hash])
        .await
        .expect("lookupinvoice")
}

/// Polls until `node`'s invoice `hash` is in `state`.
pub async fn wait_invoice_state(node: &Node, hash: &str, state: &str, timeout: Duration) {
    let now = node
        .wait_invoice_state(hash, state, timeout)
        .await
        .expect("invoice state");
    assert_eq!(now, state, "invoice {hash} stayed {now}, expected {state}");
}

/// A hold invoice created on a node; its payer's HTLC stays in flight until
/// [`HoldInvoice::settle`].
#[derive(Debug)]
pub struct HoldInvoice {
    /// The bolt11.
    pub bolt11: String,
    /// Payment hash, hex.
    pub hash: String,
    preimage: [u8; 32],
}

impl HoldInvoice {
    /// Creates a hold invoice for `sats` on `node`, valid for a day.
    pub async fn create(node: &Node, sats: u64) -> Self {
        let preimage: [u8; 32] = rand::random();
        let hash = hex::encode(sha256::Hash::hash(&preimage).to_byte_array());
        let amt = sats.to_string();
        let v = node
            .lncli(&["addholdinvoice", &hash, "--amt", &amt, "--expiry", "86400"])
            .await
            .expect("addholdinvoice");
        let bolt11 = v
            .get("payment_request")
            .and_then(Value::as_str)
            .expect("payment_request")
            .to_owned();
        Self {
            bolt11,
            hash,
            preimage,
        }
    }

    /// Releases the preimage: the payer's HTLC settles.
    pub async fn settle(&self, node: &Node) {
        node.lncli(&["settleinvoice", &hex::encode(self.preimage)])
            .await
            .expect("settleinvoice");
    }
}
