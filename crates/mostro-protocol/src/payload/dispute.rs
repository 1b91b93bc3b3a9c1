//! What the solver receives with `admin-took-dispute` (PROTOCOL.md §3.3, §5.10).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::UserInfo;

/// Full trade context handed to the solver who took a dispute.
///
/// Every key is always emitted; the nullable ones render as `null`. `kind`,
/// `status` and `order_previous_status` are kept as the daemon's strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SolverDisputeInfo {
    /// Order id.
    pub id: Uuid,
    /// Order kind (`"buy"` or `"sell"`).
    pub kind: String,
    /// Current order status.
    pub status: String,
    /// Hold invoice payment hash, hex.
    pub hash: Option<String>,
    /// Hold invoice preimage, hex.
    pub preimage: Option<String>,
    /// Order status before the dispute was opened.
    pub order_previous_status: String,
    /// Trade key of the party who opened the dispute.
    pub initiator_pubkey: String,
    /// Buyer trade key.
    pub buyer_pubkey: Option<String>,
    /// Seller trade key.
    pub seller_pubkey: Option<String>,
    /// Whether the initiator trades in full privacy mode.
    pub initiator_full_privacy: bool,
    /// Whether the counterpart trades in full privacy mode.
    pub counterpart_full_privacy: bool,
    /// Initiator reputation, when known.
    pub initiator_info: Option<UserInfo>,
    /// Counterpart reputation, when known.
    pub counterpart_info: Option<UserInfo>,
    /// Premium, integer percent.
    pub premium: i64,
    /// Payment methods.
    pub payment_method: String,
    /// Amount in sats.
    pub amount: i64,
    /// Fiat amount.
    pub fiat_amount: i64,
    /// Mostro fee (per party), sats.
    pub fee: i64,
    /// Routing fee, sats.
    pub routing_fee: i64,
    /// Buyer payout destination.
    pub buyer_invoice: Option<String>,
    /// When the hold invoice was locked, unix seconds.
    pub invoice_held_at: i64,
    /// When the order was taken, unix seconds.
    pub taken_at: i64,
    /// When the order was created, unix seconds.
    pub created_at: i64,
}
