//! Session-restore payload structs (PROTOCOL.md §3.3, §8.4).
//!
//! Statuses are kept as the strings the daemon sent: the restore reply is
//! informational and must not fail to parse over a status this crate does
//! not know.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Reply to `restore-session`: the user's open orders and disputes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreSessionInfo {
    /// Orders still in progress.
    pub orders: Vec<RestoredOrdersInfo>,
    /// Disputes the user is part of.
    pub disputes: Vec<RestoredDisputesInfo>,
}

/// One restored order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoredOrdersInfo {
    /// Order id.
    pub order_id: Uuid,
    /// Trade index of the key the user used for this order.
    pub trade_index: i64,
    /// Order status string (§4.2).
    pub status: String,
}

/// One restored dispute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoredDisputesInfo {
    /// Dispute id.
    pub dispute_id: Uuid,
    /// Disputed order id.
    pub order_id: Uuid,
    /// Trade index of the key the user used for this order.
    pub trade_index: i64,
    /// Dispute status string (§4.3).
    pub status: String,
    /// `"buyer"` or `"seller"`, when known.
    pub initiator: Option<String>,
    /// Public key of the assigned solver, hex, when taken.
    pub solver_pubkey: Option<String>,
}
