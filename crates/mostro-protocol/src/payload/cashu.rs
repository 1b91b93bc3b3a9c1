//! Cashu escrow payload structs (PROTOCOL.md §3.3, §5.14; experimental).

use serde::{Deserialize, Serialize};

/// Proof that the seller locked the escrow token (`add-cashu-escrow`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashuLockProof {
    /// The locked Cashu token.
    pub token: String,
    /// Mint the token belongs to.
    pub mint_url: String,
    /// Buyer's x-only public key, hex.
    pub buyer_pubkey: String,
    /// Seller's x-only public key, hex.
    pub seller_pubkey: String,
    /// Mostro's x-only public key, hex.
    pub mostro_pubkey: String,
    /// Optional fee token (omitted when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_token: Option<String>,
}

/// One signature over a Cashu proof secret (`cashu-pm-signature`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashuProofSignature {
    /// The proof secret that was signed.
    pub secret: String,
    /// The signature, hex.
    pub signature: String,
}
