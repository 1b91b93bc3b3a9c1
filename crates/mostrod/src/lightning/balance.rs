//! Wallet and channel figures of the Lightning node, for the operator (admin
//! interface). Nothing here is used by the trade engine.

use serde::Serialize;

/// The node's funds, in sats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct NodeBalance {
    /// On-chain wallet outputs with at least one confirmation.
    pub onchain_confirmed_sat: u64,
    /// On-chain wallet outputs without confirmation.
    pub onchain_unconfirmed_sat: u64,
    /// Sum of this node's side of its open channels.
    pub channel_local_sat: u64,
    /// Sum of the peers' side of this node's open channels.
    pub channel_remote_sat: u64,
    /// This node's side of channels still being opened.
    pub channel_pending_open_local_sat: u64,
}

/// One open channel of the node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChannelSummary {
    /// Funding outpoint, `txid:index`.
    pub channel_point: String,
    /// The peer's node public key, hex.
    pub remote_pubkey: String,
    /// Channel capacity, in sats.
    pub capacity_sat: u64,
    /// This node's balance, in sats.
    pub local_balance_sat: u64,
    /// The peer's balance, in sats.
    pub remote_balance_sat: u64,
    /// Whether the peer is online and the channel usable.
    pub active: bool,
    /// Whether the channel is unannounced.
    pub private: bool,
}
