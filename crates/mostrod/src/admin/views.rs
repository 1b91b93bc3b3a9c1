//! The JSON shapes the admin interface answers with.
//!
//! Secrets never appear: an order's hold-invoice preimage is left out, and invoices
//! (the escrow's and the buyer's) are abbreviated to their first and last characters.
//! Outbox items show where and when an event goes, never its content.

use mostro_protocol::status::{DisputeStatus, Status};
use nostr::event::{Event, Kind};
use serde::Serialize;
use uuid::Uuid;

use crate::model::{Dispute, Order, Party, Payout, Pricing, Side};
use crate::store::OutboxItem;

/// Characters kept at each end of an abbreviated invoice.
const INVOICE_ENDS: usize = 10;

/// `lnbc10u1p…q8x9vz4k`: enough to recognise an invoice, not enough to pay it.
pub fn abbreviate_invoice(invoice: &str) -> String {
    let chars: Vec<char> = invoice.chars().collect();
    if chars.len() <= 2 * INVOICE_ENDS {
        return "…".to_owned();
    }
    let head: String = chars[..INVOICE_ENDS].iter().collect();
    let tail: String = chars[chars.len() - INVOICE_ENDS..].iter().collect();
    format!("{head}…{tail}")
}

/// One side of a trade.
#[derive(Debug, Serialize)]
pub struct PartyView {
    /// Trade key, hex.
    pub trade_pubkey: String,
    /// Identity key, hex.
    pub identity_pubkey: String,
    /// Trade index.
    pub trade_index: i64,
    /// `nip44` or `gift-wrap`.
    pub transport: &'static str,
}

impl From<&Party> for PartyView {
    fn from(p: &Party) -> Self {
        Self {
            trade_pubkey: p.trade_pubkey.to_hex(),
            identity_pubkey: p.identity_pubkey.to_hex(),
            trade_index: p.trade_index,
            transport: p.transport.as_str(),
        }
    }
}

/// The escrow hold invoice, without its preimage.
#[derive(Debug, Serialize)]
pub struct HoldInvoiceView {
    /// Payment hash, hex.
    pub payment_hash: String,
    /// Amount, in sats.
    pub amount_sats: u64,
    /// When the seller's HTLC was accepted (unix seconds).
    pub held_at: Option<u64>,
    /// Lowest expiry height of the accepted HTLCs.
    pub htlc_expiry_height: Option<u32>,
}

/// An order as the operator sees it.
#[derive(Debug, Serialize)]
pub struct OrderView {
    /// Order id.
    pub id: Uuid,
    /// `buy` or `sell`.
    pub kind: String,
    /// Status.
    pub status: Status,
    /// `fixed` or `market`.
    pub pricing: &'static str,
    /// Amount, in sats (0 for a market order not yet taken).
    pub amount: u64,
    /// Node fee, in sats.
    pub fee: u64,
    /// Development fee, in sats.
    pub dev_fee: u64,
    /// Premium, in percent.
    pub premium: i64,
    /// Currency.
    pub fiat_code: String,
    /// Fiat amount.
    pub fiat_amount: i64,
    /// Range minimum.
    pub min_amount: Option<i64>,
    /// Range maximum.
    pub max_amount: Option<i64>,
    /// Payment method.
    pub payment_method: String,
    /// The maker.
    pub maker: PartyView,
    /// The taker, once taken.
    pub taker: Option<PartyView>,
    /// The buyer's payout destination, abbreviated.
    pub buyer_invoice: Option<String>,
    /// The escrow, without its preimage.
    pub hold_invoice: Option<HoldInvoiceView>,
    /// Payout state: `not-started`, `in-flight`, `failed` or `succeeded`.
    pub payout: &'static str,
    /// Payout attempts so far.
    pub payout_attempts: u32,
    /// Creation time (unix seconds).
    pub created_at: u64,
    /// End of the take window (unix seconds).
    pub expires_at: u64,
    /// When it was taken (unix seconds).
    pub taken_at: Option<u64>,
}

impl From<&Order> for OrderView {
    fn from(o: &Order) -> Self {
        let (payout, payout_attempts) = match &o.payout {
            Payout::NotStarted => ("not-started", 0),
            Payout::InFlight { attempt, .. } => ("in-flight", *attempt),
            Payout::Failed { attempts, .. } => ("failed", *attempts),
            Payout::Succeeded { .. } => ("succeeded", 0),
        };
        Self {
            id: o.id,
            kind: o.kind.to_string(),
            status: o.status,
            pricing: match o.pricing {
                Pricing::Fixed => "fixed",
                Pricing::Market => "market",
            },
            amount: o.amount,
            fee: o.fee,
            dev_fee: o.dev_fee,
            premium: o.premium,
            fiat_code: o.fiat_code.clone(),
            fiat_amount: o.fiat_amount,
            min_amount: o.min_amount,
            max_amount: o.max_amount,
            payment_method: o.payment_method.clone(),
            maker: PartyView::from(&o.maker),
            taker: o.taker.as_ref().map(PartyView::from),
            buyer_invoice: o.buyer_invoice.as_deref().map(abbreviate_invoice),
            hold_invoice: o.hold_invoice.as_ref().map(|h| HoldInvoiceView {
                payment_hash: hex::encode(h.hash),
                amount_sats: h.amount_sats,
                held_at: h.held_at.map(|t| t.as_secs()),
                htlc_expiry_height: h.htlc_expiry_height,
            }),
            payout,
            payout_attempts,
            created_at: o.created_at.as_secs(),
            expires_at: o.expires_at.as_secs(),
            taken_at: o.taken_at.map(|t| t.as_secs()),
        }
    }
}

/// A dispute.
#[derive(Debug, Serialize)]
pub struct DisputeView {
    /// Dispute id.
    pub id: Uuid,
    /// The disputed order.
    pub order_id: Uuid,
    /// Status.
    pub status: DisputeStatus,
    /// The order's status before the dispute.
    pub order_previous_status: Status,
    /// `buyer` or `seller`.
    pub initiator: &'static str,
    /// The solver who took it, hex.
    pub solver_pubkey: Option<String>,
    /// When it was opened (unix seconds).
    pub created_at: u64,
    /// When a solver took it (unix seconds).
    pub taken_at: Option<u64>,
}

impl From<&Dispute> for DisputeView {
    fn from(d: &Dispute) -> Self {
        Self {
            id: d.id,
            order_id: d.order_id,
            status: d.status,
            order_previous_status: d.order_previous_status,
            initiator: match d.initiator {
                Side::Buyer => "buyer",
                Side::Seller => "seller",
            },
            solver_pubkey: d.solver_pubkey.map(|k| k.to_hex()),
            created_at: d.created_at.as_secs(),
            taken_at: d.taken_at.map(|t| t.as_secs()),
        }
    }
}

/// A queued outbound event, without its content.
#[derive(Debug, Serialize)]
pub struct OutboxView {
    /// Event id, hex.
    pub id: String,
    /// The order it is about.
    pub order_id: Option<Uuid>,
    /// Event kind.
    pub kind: Option<u16>,
    /// Recipient (`p` tag) of a direct message, hex; `None` for public events.
    pub recipient: Option<String>,
    /// Failed sends so far.
    pub attempts: u32,
    /// Queued at (unix seconds).
    pub created_at: u64,
    /// Next attempt not before (unix seconds).
    pub next_attempt_at: u64,
}

impl From<&OutboxItem> for OutboxView {
    fn from(item: &OutboxItem) -> Self {
        let event: Option<Event> = serde_json::from_str(&item.event_json).ok();
        let kind = event.as_ref().map(|e| e.kind.as_u16());
        let recipient = event
            .as_ref()
            .filter(|e| matches!(e.kind, Kind::PrivateDirectMessage | Kind::GiftWrap))
            .and_then(|e| e.tags.public_keys().next().map(|k| k.to_hex()));
        Self {
            id: item.id.to_hex(),
            order_id: item.order_id,
            kind,
            recipient,
            attempts: item.attempts,
            created_at: item.created_at.as_secs(),
            next_attempt_at: item.next_attempt_at.as_secs(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoices_are_abbreviated_never_whole() {
        let invoice = "lnbcrt10u1pjqwerty0123456789abcdefghijklmnopqrstuvwxyz";
        let short = abbreviate_invoice(invoice);
        assert!(short.starts_with("lnbcrt10u1"));
        assert!(short.ends_with("qrstuvwxyz"));
        assert!(short.chars().count() < invoice.chars().count());
        assert_eq!(abbreviate_invoice("lnbc1short"), "…");
    }
}
