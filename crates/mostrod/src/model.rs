//! The daemon's records: what `mostrod` persists about orders, users and disputes.
//!
//! These are the engine's state. The engine ([`crate::engine`]) turns one record plus one
//! input into the next record; the store ([`crate::store`]) persists records and is the
//! only place that writes `status`, checking every change against the transition table.
//! Wire shapes live in `mostro_protocol`; conversions to them are explicit
//! ([`Order::to_small_order`]).

use mostro_protocol::order::{Kind, SmallOrder};
use mostro_protocol::status::{DisputeStatus, Status};
use nostr::key::PublicKey;
use nostr::types::Timestamp;
use uuid::Uuid;

/// Which protocol transport a message arrived on, and so the one its replies use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// Protocol v1: NIP-59 gift wrap (kind 1059).
    GiftWrap,
    /// Protocol v2: signed kind 14 with NIP-44 content.
    Nip44,
}

impl Transport {
    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::GiftWrap => "gift-wrap",
            Transport::Nip44 => "nip44",
        }
    }

    /// Parses the stored name.
    pub fn from_str_opt(s: &str) -> Option<Self> {
        match s {
            "gift-wrap" => Some(Transport::GiftWrap),
            "nip44" => Some(Transport::Nip44),
            _ => None,
        }
    }

    /// The protocol `version` this transport stamps on Mostro's replies.
    pub fn version(self) -> u8 {
        match self {
            Transport::GiftWrap => 1,
            Transport::Nip44 => 2,
        }
    }
}

/// One side of a trade as the daemon knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// The per-order trade key: authors the party's messages and receives replies.
    pub trade_pubkey: PublicKey,
    /// The identity key (index 0); equal to `trade_pubkey` in full-privacy mode.
    pub identity_pubkey: PublicKey,
    /// The trade index the party used for this order (0 in full privacy).
    pub trade_index: i64,
    /// The transport the party last wrote on; replies use it.
    pub transport: Transport,
}

impl Party {
    /// True when the party hides its identity (no reputation, no trade index).
    pub fn full_privacy(&self) -> bool {
        self.trade_pubkey == self.identity_pubkey
    }
}

/// The escrow: the hold invoice the seller pays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldInvoice {
    /// SHA-256 of the preimage; identifies the invoice at LND.
    pub hash: [u8; 32],
    /// Known only to the daemon until it settles.
    pub preimage: [u8; 32],
    /// The BOLT 11 string handed to the seller.
    pub bolt11: String,
    /// Sats the seller pays: `amount + fee`.
    pub amount_sats: u64,
    /// When the seller's HTLC was accepted (escrow locked).
    pub held_at: Option<Timestamp>,
    /// The lowest expiry height of the accepted HTLCs (for the escrow deadline guard).
    pub htlc_expiry_height: Option<u32>,
}

/// Where the buyer's payout stands. Persisted *before* each payment attempt (intent
/// before effect), so that recovery asks LND instead of paying twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payout {
    /// Nothing sent yet.
    NotStarted,
    /// An attempt is in flight (or was, when the daemon stopped) for this payment hash.
    InFlight {
        /// Hash of the invoice being paid.
        payment_hash: [u8; 32],
        /// 1-based attempt number.
        attempt: u32,
    },
    /// The last attempt failed; the next one is due at `retry_at` unless the buyer must
    /// first send a new invoice.
    Failed {
        /// Attempts made so far with the current invoice.
        attempts: u32,
        /// When to retry.
        retry_at: Option<Timestamp>,
        /// True once attempts are exhausted and a new invoice was requested.
        awaiting_new_invoice: bool,
    },
    /// The buyer was paid.
    Succeeded {
        /// Hash of the invoice that was paid.
        payment_hash: [u8; 32],
        /// Routing fee actually paid, in sats.
        routing_fee_sats: u64,
    },
}

/// Pricing of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pricing {
    /// A fixed number of sats (`amount > 0` on the wire; premium must be 0).
    Fixed,
    /// Sats computed from the fiat amount at take time, with a premium in percent.
    Market,
}

/// An order as the daemon persists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// Order id (UUID v4, chosen by the daemon).
    pub id: Uuid,
    /// `buy` (maker buys sats) or `sell` (maker sells sats).
    pub kind: Kind,
    /// Current status; changed only through the store's transition check.
    pub status: Status,
    /// Fixed or market pricing.
    pub pricing: Pricing,
    /// Sats of the trade (0 for a market order until it is taken).
    pub amount: u64,
    /// Per-party node fee in sats: `round(fee_fraction * amount / 2)`.
    pub fee: u64,
    /// Share of the node fee owed to development, in sats.
    pub dev_fee: u64,
    /// Premium in percent (market orders).
    pub premium: i64,
    /// ISO 4217 code, as sent by the maker.
    pub fiat_code: String,
    /// Fiat amount of this trade (0 for an untaken range order).
    pub fiat_amount: i64,
    /// Range bounds in fiat (both set, or both unset).
    pub min_amount: Option<i64>,
    /// Range bounds in fiat (both set, or both unset).
    pub max_amount: Option<i64>,
    /// Comma-separated payment methods, as sent by the maker.
    pub payment_method: String,
    /// The maker (creator of the order).
    pub maker: Party,
    /// The taker, once somebody took the order.
    pub taker: Option<Party>,
    /// The buyer's payout destination: BOLT 11, Lightning address or LNURL.
    pub buyer_invoice: Option<String>,
    /// True when `buyer_invoice` came from the maker at creation (kept on a reset).
    pub buyer_invoice_from_maker: bool,
    /// The escrow, once created.
    pub hold_invoice: Option<HoldInvoice>,
    /// The buyer's payout.
    pub payout: Payout,
    /// `request_id` of the request that created the hold invoice (echoed when it locks).
    pub hold_request_id: Option<u64>,
    /// Who asked for a cooperative cancel first (trade key).
    pub cancel_initiator: Option<PublicKey>,
    /// Rating flags: each side may rate once.
    pub buyer_rated: bool,
    /// Rating flags: each side may rate once.
    pub seller_rated: bool,
    /// The maker's next trade key and index, announced for a range child order.
    pub next_trade: Option<(PublicKey, u32)>,
    /// The range order this one was split from.
    pub range_parent_id: Option<Uuid>,
    /// Creation time.
    pub created_at: Timestamp,
    /// End of the take window (pending orders).
    pub expires_at: Timestamp,
    /// Start of the current waiting duty (take, hold invoice created, invoice requested).
    pub taken_at: Option<Timestamp>,
    /// `created_at` of the last kind-38383 revision published (strictly increasing).
    pub last_event_at: Option<Timestamp>,
}

impl Order {
    /// The seller of this trade (maker on sell orders, taker on buy orders).
    pub fn seller(&self) -> Option<&Party> {
        match self.kind {
            Kind::Sell => Some(&self.maker),
            Kind::Buy => self.taker.as_ref(),
        }
    }

    /// The buyer of this trade (maker on buy orders, taker on sell orders).
    pub fn buyer(&self) -> Option<&Party> {
        match self.kind {
            Kind::Buy => Some(&self.maker),
            Kind::Sell => self.taker.as_ref(),
        }
    }

    /// True for a range order (fiat bounds set).
    pub fn is_range(&self) -> bool {
        self.min_amount.is_some() && self.max_amount.is_some()
    }

    /// Sats the seller locks in the hold invoice.
    pub fn seller_total(&self) -> u64 {
        self.amount.saturating_add(self.fee)
    }

    /// Sats the buyer receives.
    pub fn buyer_receives(&self) -> u64 {
        self.amount.saturating_sub(self.fee)
    }

    /// The wire view of this order, without private fields. The caller chooses the
    /// `amount` shown (it differs per recipient: `amount + fee` to the seller,
    /// `amount - fee` to the buyer) and whether trade keys are revealed.
    pub fn to_small_order(&self, amount: i64, reveal_trade_keys: bool) -> SmallOrder {
        let (buyer, seller) = if reveal_trade_keys {
            (
                self.buyer().map(|p| p.trade_pubkey.to_hex()),
                self.seller().map(|p| p.trade_pubkey.to_hex()),
            )
        } else {
            (None, None)
        };
        SmallOrder {
            id: Some(self.id),
            kind: Some(self.kind),
            status: Some(self.status),
            amount,
            fiat_code: self.fiat_code.clone(),
            min_amount: self.min_amount,
            max_amount: self.max_amount,
            fiat_amount: self.fiat_amount,
            payment_method: self.payment_method.clone(),
            premium: self.premium,
            buyer_trade_pubkey: buyer,
            seller_trade_pubkey: seller,
            buyer_invoice: None,
            created_at: Some(self.created_at.as_secs() as i64),
            expires_at: Some(self.expires_at.as_secs() as i64),
        }
    }
}

/// A user's reputation and trade index, keyed by identity.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Identity key (index 0 of the user's seed).
    pub identity_pubkey: PublicKey,
    /// Highest trade index the user has consumed.
    pub last_trade_index: i64,
    /// Number of ratings received.
    pub total_reviews: u64,
    /// Running rating (see PROTOCOL.md §5.8 for the exact formula).
    pub total_rating: f64,
    /// The last rating received (0 before any).
    pub last_rating: u8,
    /// Highest rating received.
    pub max_rating: u8,
    /// Lowest rating received.
    pub min_rating: u8,
    /// Solver rights, if the user is a solver.
    pub solver: Option<SolverRole>,
    /// When the user row was created (first reputation-mode create or take).
    pub created_at: Timestamp,
}

/// What a solver may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SolverRole {
    /// May take disputes and read their context.
    Read,
    /// May also settle or cancel.
    ReadWrite,
}

/// Which side opened a dispute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The buyer.
    Buyer,
    /// The seller.
    Seller,
}

/// A dispute on an order.
#[derive(Debug, Clone, PartialEq)]
pub struct Dispute {
    /// Dispute id (UUID v4).
    pub id: Uuid,
    /// The disputed order.
    pub order_id: Uuid,
    /// Dispute status.
    pub status: DisputeStatus,
    /// The order's status when the dispute opened.
    pub order_previous_status: Status,
    /// Who opened it.
    pub initiator: Side,
    /// The solver who took it (identity key).
    pub solver_pubkey: Option<PublicKey>,
    /// When it was opened.
    pub created_at: Timestamp,
    /// When a solver took it.
    pub taken_at: Option<Timestamp>,
    /// `created_at` of the last kind-38386 revision published.
    pub last_event_at: Option<Timestamp>,
    /// True once the assigned solver was warned that the escrow deadline is near
    /// (within twice the margin), so the warning is sent once.
    pub solver_warned: bool,
}

impl Dispute {
    /// True while the dispute waits for or is being handled by a solver.
    pub fn is_open(&self) -> bool {
        matches!(
            self.status,
            DisputeStatus::Initiated | DisputeStatus::InProgress
        )
    }
}

/// A registered dispute solver (PROTOCOL.md §5.10 `admin-add-solver`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solver {
    /// The solver's identity key.
    pub pubkey: PublicKey,
    /// What the solver may do.
    pub role: SolverRole,
    /// The `trade_index` of the message that registered it (0 if absent).
    pub last_trade_index: i64,
    /// When the solver was registered.
    pub created_at: Timestamp,
}
