//! Counterparty and payout-status payload structs (PROTOCOL.md §3.3).

use serde::{Deserialize, Serialize};

/// A trade counterparty: its key and, optionally, its reputation.
///
/// Unknown keys are ignored on input; `reputation` may be missing on input
/// and is always emitted (as `null` when absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Peer {
    /// Public key, hex. The taker-reputation notice (§11.20) sends it empty.
    pub pubkey: String,
    /// Reputation summary, when known.
    pub reputation: Option<UserInfo>,
}

impl Peer {
    /// A peer with the given key and no reputation.
    pub fn new(pubkey: impl Into<String>) -> Self {
        Self {
            pubkey: pubkey.into(),
            reputation: None,
        }
    }
}

/// A user's reputation summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserInfo {
    /// Average rating (serde_json float form, e.g. `4.5`, `5.0`).
    pub rating: f64,
    /// Number of reviews received.
    pub reviews: i64,
    /// Days since the user first traded.
    pub operating_days: u64,
}

/// Sent with `payment-failed` when the buyer payout failed (§3.3, §11.15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentFailedInfo {
    /// Retries still to come (configured attempts − 1).
    pub payment_attempts: u32,
    /// Interval between retries, in seconds.
    pub payment_retries_interval: u32,
}
