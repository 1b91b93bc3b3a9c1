//! What the engine is given: the input that happened and the facts it cannot read itself.

use mostro_protocol::action::Action;
use mostro_protocol::message::Message;
use mostro_protocol::payload::Payload;
use nostr::key::PublicKey;
use nostr::types::Timestamp;
use uuid::Uuid;

use crate::lightning::{validate_payout_invoice, InvoiceRules};
use crate::model::{Dispute, Solver, Transport, User};

use super::settings::EngineSettings;

/// A decoded, verified user message (intake already checked signatures, freshness and
/// structure).
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The trade key that authored the message; replies go to it.
    pub sender: PublicKey,
    /// The sender's identity key (equal to `sender` in full privacy).
    pub identity: PublicKey,
    /// The transport it arrived on; replies use the same one.
    pub transport: Transport,
    /// `request_id`, echoed on the direct reply.
    pub request_id: Option<u64>,
    /// `trade_index` (checked on `new-order` and `take-*` only).
    pub trade_index: Option<i64>,
    /// The message `id` (order id for order-scoped actions).
    pub order_id: Option<Uuid>,
    /// The verb.
    pub action: Action,
    /// The payload.
    pub payload: Option<Payload>,
}

impl Request {
    /// Builds a request from a message and the keys intake established.
    pub fn from_message(
        message: &Message,
        sender: PublicKey,
        identity: PublicKey,
        transport: Transport,
    ) -> Self {
        let body = message.inner();
        Self {
            sender,
            identity,
            transport,
            request_id: body.request_id,
            trade_index: body.trade_index,
            order_id: body.id,
            action: body.action,
            payload: body.payload.clone(),
        }
    }

    /// True when the sender hides its identity (no reputation, no trade index).
    pub fn full_privacy(&self) -> bool {
        self.sender == self.identity
    }
}

/// Something that happened to one order.
#[derive(Debug, Clone, PartialEq)]
// Almost every value is the large variant; boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum Input {
    /// A user message about this order.
    Request(Request),
    /// The seller's HTLC on the escrow hold invoice was accepted.
    HoldInvoiceAccepted {
        /// The lowest expiry height of the accepted HTLCs, when known.
        htlc_expiry_height: Option<u32>,
    },
    /// LND canceled the escrow hold invoice (for example at its CLTV horizon).
    HoldInvoiceCanceled,
    /// The buyer payout for `payment_hash` succeeded.
    PayoutSucceeded {
        /// Hash of the paid invoice.
        payment_hash: [u8; 32],
        /// Routing fee actually paid, in sats.
        routing_fee_sats: u64,
    },
    /// The buyer payout for `payment_hash` failed for good (no HTLC in flight).
    PayoutFailed {
        /// Hash of the invoice that could not be paid.
        payment_hash: [u8; 32],
    },
    /// A timer fired; the engine decides from the record and `now` what is due.
    Deadline,
}

/// A market price quote.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriceQuote {
    /// Fiat units per BTC.
    pub price: f64,
    /// When the quote was fetched.
    pub fetched_at: Timestamp,
}

/// The buyer's payout destination resolved to a BOLT 11 invoice for exactly the amount
/// owed (the runtime does this before inputs that may start a payout; for a bolt11
/// destination it is just the decoded invoice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedPayout {
    /// The destination this was resolved from (must equal the order's `buyer_invoice`).
    pub destination: String,
    /// The invoice to pay.
    pub bolt11: String,
    /// Its payment hash: the payout's idempotency key.
    pub payment_hash: [u8; 32],
}

/// Why a payout destination was refused (answered with `invalid_invoice`).
#[derive(Debug, thiserror::Error)]
#[error("payout destination refused: {reason}")]
pub struct InvoiceRefused {
    /// Human-readable reason, for logs (never contains the invoice).
    pub reason: String,
    /// The underlying error, when there is one.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// Checks a buyer payout destination (PROTOCOL.md §5.5 rules).
///
/// `expected_sats` is what the buyer is owed; `None` means the amount is not known yet
/// (market order at creation), so only amountless invoices and addresses pass.
pub trait PayoutValidator {
    /// Accepts or refuses `destination` (bolt11, Lightning address or LNURL).
    fn validate(
        &self,
        destination: &str,
        expected_sats: Option<u64>,
        now: Timestamp,
    ) -> Result<(), InvoiceRefused>;
}

/// Validates BOLT 11 invoices with the Lightning module's pure rules. Lightning
/// addresses and LNURLs need network access to resolve, so this validator refuses
/// them; the runtime wraps it with a resolver to accept them.
#[derive(Debug, Clone)]
pub struct Bolt11Validator {
    /// The node's rules.
    pub rules: InvoiceRules,
}

impl PayoutValidator for Bolt11Validator {
    fn validate(
        &self,
        destination: &str,
        expected_sats: Option<u64>,
        now: Timestamp,
    ) -> Result<(), InvoiceRefused> {
        // An unknown amount (0 owed) only matches an amountless invoice.
        let owed = expected_sats.unwrap_or(0);
        validate_payout_invoice(destination, owed, &self.rules, now.as_secs())
            .map(|_| ())
            .map_err(|e| InvoiceRefused {
                reason: e.to_string(),
                source: Some(Box::new(e)),
            })
    }
}

/// Facts the engine needs but cannot read itself; the runtime fills them from the
/// store, the price cache and the Lightning node before calling the engine.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// The engine settings.
    pub settings: &'a EngineSettings,
    /// The payout destination checks.
    pub validator: &'a dyn PayoutValidator,
    /// User rows the input may concern: the sender's identity and the order's maker
    /// and taker identities, when they exist.
    pub users: &'a [User],
    /// True when the sender identity already has an order waiting on it (as buyer in
    /// `waiting-buyer-invoice` for `take-sell`, as seller in `waiting-payment` for
    /// `take-buy`).
    pub pending_order_exists: bool,
    /// The latest market price for the order's currency.
    pub price: Option<PriceQuote>,
    /// The buyer's destination resolved to an invoice, for inputs that may pay.
    pub payout: Option<&'a ResolvedPayout>,
    /// The chain height reported by the Lightning node (escrow deadline guard and
    /// the solver's deadline warning).
    pub chain_height: Option<u32>,
    /// A fresh UUID v4, used if the input creates an order (range child) or opens a
    /// dispute (never both).
    pub fresh_id: Uuid,
    /// What dispute and solver actions need.
    pub dispute: DisputeFacts<'a>,
}

/// The dispute side of [`Ctx`]: the order's dispute rows, the solvers concerned and the
/// node key. `Default` is "no dispute, no solver, node key unknown".
#[derive(Debug, Clone, Copy, Default)]
pub struct DisputeFacts<'a> {
    /// Every dispute row of the order, oldest first (normally at most one).
    pub disputes: &'a [Dispute],
    /// Solver rows of the request's identity and of the dispute's assigned solver.
    pub solvers: &'a [Solver],
    /// The node's public key (it may take and resolve any dispute).
    pub node_pubkey: Option<PublicKey>,
    /// The per-side tokens of the order's dispute, for `admin-take-dispute`.
    pub tokens: Option<&'a DisputeTokens>,
}

/// The six-digit tokens of one dispute (`mostro_protocol::dispute_token`), computed by
/// the runtime, which holds the node secret.
#[derive(Clone, PartialEq, Eq)]
pub struct DisputeTokens {
    /// The dispute they belong to.
    pub dispute_id: Uuid,
    /// The buyer's token.
    pub buyer: String,
    /// The seller's token.
    pub seller: String,
}

impl std::fmt::Debug for DisputeTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DisputeTokens")
            .field("dispute_id", &self.dispute_id)
            .finish_non_exhaustive()
    }
}

impl DisputeFacts<'_> {
    /// The order's latest dispute row, in any status.
    pub fn latest(&self) -> Option<&Dispute> {
        self.disputes.last()
    }

    /// The order's open (`initiated`/`in-progress`) dispute.
    pub fn open(&self) -> Option<&Dispute> {
        self.disputes.iter().rev().find(|d| d.is_open())
    }

    /// The solver row of `pubkey`, if registered.
    pub fn solver(&self, pubkey: &PublicKey) -> Option<&Solver> {
        self.solvers.iter().find(|s| &s.pubkey == pubkey)
    }

    /// True when `pubkey` is the node key.
    pub fn is_node(&self, pubkey: &PublicKey) -> bool {
        self.node_pubkey.as_ref() == Some(pubkey)
    }
}

impl std::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("settings", self.settings)
            .field("users", &self.users.len())
            .field("pending_order_exists", &self.pending_order_exists)
            .field("price", &self.price)
            .field("chain_height", &self.chain_height)
            .finish_non_exhaustive()
    }
}

impl Ctx<'_> {
    /// The user row of `identity`, if the runtime loaded one.
    pub fn user(&self, identity: &PublicKey) -> Option<&User> {
        self.users.iter().find(|u| &u.identity_pubkey == identity)
    }

    /// The price, if present, fresh (`now − fetched_at ≤ max staleness`) and usable.
    pub fn fresh_price(&self, now: Timestamp) -> Option<f64> {
        let quote = self.price?;
        let age = now.as_secs().saturating_sub(quote.fetched_at.as_secs());
        let usable = quote.price.is_finite() && quote.price > 0.0;
        (usable && age <= self.settings.max_price_staleness_seconds).then_some(quote.price)
    }
}
