//! Anti-abuse bond payload structs (PROTOCOL.md §3.3, §5.12).

use serde::{Deserialize, Serialize};

use crate::order::SmallOrder;

/// A solver's decision on bonds when settling or canceling (`admin-settle`, `admin-cancel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BondResolution {
    /// Forfeit the seller's bond.
    pub slash_seller: bool,
    /// Forfeit the buyer's bond.
    pub slash_buyer: bool,
}

/// Mostro asks the counterparty of a slashed bond for a payout invoice (`add-bond-invoice`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BondPayoutRequest {
    /// The order; `amount` is the counterparty's share in sats.
    pub order: SmallOrder,
    /// When the bond was slashed, unix seconds.
    pub slashed_at: i64,
}
