//! Domain types of the Lightning port.
//!
//! These are what the rest of the daemon sees: no `lnrpc` type crosses the port.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use rand::RngCore;
use sha2::{Digest, Sha256};

/// Error returned when hex text does not hold exactly 32 bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected 32 bytes as 64 hex characters")]
pub struct InvalidHash32;

fn parse_hex32(s: &str) -> Result<[u8; 32], InvalidHash32> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).map_err(|_| InvalidHash32)?;
    Ok(out)
}

/// The SHA-256 payment hash that identifies an invoice and its payment.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PaymentHash(pub [u8; 32]);

impl PaymentHash {
    /// Builds a hash from a byte slice, which must be exactly 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, InvalidHash32> {
        <[u8; 32]>::try_from(bytes)
            .map(Self)
            .map_err(|_| InvalidHash32)
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lower-case hex, as LND and the order record spell it.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for PaymentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for PaymentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PaymentHash({})", self.to_hex())
    }
}

impl FromStr for PaymentHash {
    type Err = InvalidHash32;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_hex32(s).map(Self)
    }
}

/// The 32-byte secret whose SHA-256 is the payment hash.
///
/// Whoever holds it can settle the hold invoice, so `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Preimage(pub [u8; 32]);

impl Preimage {
    /// A fresh random preimage from the operating system's generator.
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// Builds a preimage from a byte slice, which must be exactly 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, InvalidHash32> {
        <[u8; 32]>::try_from(bytes)
            .map(Self)
            .map_err(|_| InvalidHash32)
    }

    /// The payment hash this preimage unlocks.
    pub fn payment_hash(&self) -> PaymentHash {
        PaymentHash(Sha256::digest(self.0).into())
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lower-case hex, for persisting in the order record (never for logs).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for Preimage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Preimage(<redacted>)")
    }
}

impl FromStr for Preimage {
    type Err = InvalidHash32;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_hex32(s).map(Self)
    }
}

/// What the daemon asks for when it creates the escrow hold invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldInvoiceRequest {
    /// Hash of the preimage the daemon keeps until release.
    pub hash: PaymentHash,
    /// Invoice amount in sats (`amount + fee` for the seller).
    pub amount_sat: u64,
    /// Description written into the invoice.
    pub memo: String,
    /// Final CLTV delta of the escrow HTLC, in blocks.
    pub cltv_delta: u32,
    /// How long the invoice can be paid for.
    pub expiry: Duration,
}

/// A hold invoice the node created.
#[derive(Clone, PartialEq, Eq)]
pub struct HoldInvoice {
    /// Its payment hash.
    pub hash: PaymentHash,
    /// The BOLT 11 string the seller pays.
    pub payment_request: String,
}

impl fmt::Debug for HoldInvoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HoldInvoice")
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

/// Where an invoice stands, as the node sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvoiceState {
    /// Created and not paid yet.
    Open,
    /// The payer's HTLCs are locked in and wait for settle or cancel.
    Accepted {
        /// Absolute block heights at which each accepted HTLC expires.
        htlc_expiry_heights: Vec<u32>,
    },
    /// Settled with the preimage: the funds are ours.
    Settled,
    /// Cancelled: the payer's HTLCs were failed back (or never came).
    Canceled,
}

impl InvoiceState {
    /// True once nothing can change any more (settled or cancelled).
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Settled | Self::Canceled)
    }

    /// The earliest expiry among accepted HTLCs, if any are held.
    pub fn earliest_htlc_expiry(&self) -> Option<u32> {
        match self {
            Self::Accepted {
                htlc_expiry_heights,
            } => htlc_expiry_heights.iter().copied().min(),
            _ => None,
        }
    }
}

/// The full picture of one invoice, as returned by a lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceSnapshot {
    /// Its payment hash.
    pub hash: PaymentHash,
    /// Its state, with the accepted HTLCs' expiry heights.
    pub state: InvoiceState,
    /// Amount the invoice asks for, in sats (0 when amountless).
    pub amount_sat: u64,
    /// Amount received so far (accepted or settled), in millisats.
    pub amount_paid_msat: u64,
    /// CLTV delta the invoice was created with.
    pub cltv_expiry: u64,
}

/// A state change of a watched invoice, reported by the invoice stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceEvent {
    /// Which invoice changed.
    pub hash: PaymentHash,
    /// Its new state.
    pub state: InvoiceState,
}

/// A payment the daemon asks the node to make (the buyer's payout).
#[derive(Clone, PartialEq, Eq)]
pub struct PayRequest {
    /// BOLT 11 invoice to pay.
    pub payment_request: String,
    /// Amount to send in sats: `Some` only for amountless invoices.
    pub amount_sat: Option<u64>,
    /// Most the node may spend on routing fees, in sats.
    pub fee_limit_sat: u64,
    /// How long the node keeps trying new routes before giving up.
    pub timeout: Duration,
}

impl fmt::Debug for PayRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PayRequest")
            .field("amount_sat", &self.amount_sat)
            .field("fee_limit_sat", &self.fee_limit_sat)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Why a payment failed for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentFailure {
    /// No route within the fee limit, or every route failed.
    NoRoute,
    /// The payment timeout passed before a route succeeded.
    Timeout,
    /// The recipient refused: unknown hash, wrong amount or CLTV.
    IncorrectDetails,
    /// Our node does not have enough outbound liquidity.
    InsufficientBalance,
    /// Any other permanent error the node reported.
    Error,
    /// The payment was cancelled.
    Canceled,
}

impl PaymentFailure {
    /// A short, stable, log-friendly name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::NoRoute => "no_route",
            Self::Timeout => "timeout",
            Self::IncorrectDetails => "incorrect_payment_details",
            Self::InsufficientBalance => "insufficient_balance",
            Self::Error => "error",
            Self::Canceled => "canceled",
        }
    }
}

impl fmt::Display for PaymentFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What became of a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// Paid: the preimage proves it.
    Succeeded {
        /// Preimage revealed by the recipient.
        preimage: Preimage,
        /// Routing fee paid, in millisats.
        fee_msat: u64,
    },
    /// Failed for good: no HTLC is outstanding, the funds are spendable.
    Failed {
        /// Why.
        reason: PaymentFailure,
    },
    /// Still in flight (or the final answer did not arrive in time): track it
    /// before trying again, never pay twice.
    InFlight,
}

impl PaymentOutcome {
    /// Routing fee in whole sats, rounded up, for successful payments.
    pub fn fee_sat(&self) -> Option<u64> {
        match self {
            Self::Succeeded { fee_msat, .. } => Some(fee_msat.div_ceil(1000)),
            _ => None,
        }
    }
}

/// The Bitcoin network a node runs on or an invoice is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Network {
    /// Bitcoin mainnet.
    Mainnet,
    /// Testnet (testnet3 or testnet4: their invoices share the `tb` prefix).
    Testnet,
    /// Signet.
    Signet,
    /// Regtest.
    Regtest,
    /// Simnet (btcd's simulation network).
    Simnet,
}

impl Network {
    /// Parses LND's network names (`mainnet`, `testnet`, `testnet4`, `signet`,
    /// `regtest`, `simnet`; `bitcoin` is accepted for mainnet).
    pub fn from_lnd_name(name: &str) -> Option<Self> {
        match name {
            "mainnet" | "bitcoin" => Some(Self::Mainnet),
            "testnet" | "testnet3" | "testnet4" => Some(Self::Testnet),
            "signet" => Some(Self::Signet),
            "regtest" => Some(Self::Regtest),
            "simnet" => Some(Self::Simnet),
            _ => None,
        }
    }

    /// The name used on the wire and in logs.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Mainnet => "mainnet",
            Self::Testnet => "testnet",
            Self::Signet => "signet",
            Self::Regtest => "regtest",
            Self::Simnet => "simnet",
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One chain the node is connected to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainInfo {
    /// Chain name (`bitcoin`).
    pub chain: String,
    /// Network name as LND reports it (`mainnet`, `regtest`, ...).
    pub network: String,
}

/// What the node says about itself (advertised in the kind 38385 info event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfo {
    /// Node identity public key, hex.
    pub pubkey: String,
    /// Node alias.
    pub alias: String,
    /// LND version string.
    pub version: String,
    /// Commit hash LND was built from.
    pub commit_hash: String,
    /// Chains and networks the node is connected to.
    pub chains: Vec<ChainInfo>,
    /// Public URIs (`pubkey@host:port`).
    pub uris: Vec<String>,
    /// Whether the node is synced to the chain.
    pub synced_to_chain: bool,
    /// Whether the node is synced to the channel graph.
    pub synced_to_graph: bool,
    /// Best block height the node knows.
    pub block_height: u32,
}

impl NodeInfo {
    /// The network of the node's (single) chain, if LND reported a known one.
    pub fn network(&self) -> Option<Network> {
        self.chains
            .first()
            .and_then(|c| Network::from_lnd_name(&c.network))
    }
}

#[cfg(test)]
#[path = "types_tests.rs"]
mod tests;
