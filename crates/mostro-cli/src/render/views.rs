//! The `--json` output shapes. They are part of the CLI's interface: fields
//! are only ever added, never renamed or removed (see docs/user-guide.md).

use mostro_client::{LocalOrder, Update};
use mostro_protocol::events::{FiatAmount, InfoEvent, OrderEvent};
use serde::Serialize;

use super::explain::{self, StepView};
use super::words;

/// One order of the public order book (`orders`).
#[derive(Debug, Clone, Serialize)]
pub struct BookOrderView {
    /// Order id.
    pub id: String,
    /// `buy` or `sell` (what the maker does).
    pub kind: &'static str,
    /// Status bucket: `pending`, `in-progress`, `success`, `canceled`, ...
    pub status: &'static str,
    /// Fiat currency code.
    pub fiat_code: String,
    /// Fixed fiat amount (null for ranges).
    pub fiat_amount: Option<f64>,
    /// Range lower bound (null for fixed amounts).
    pub fiat_min: Option<f64>,
    /// Range upper bound (null for fixed amounts).
    pub fiat_max: Option<f64>,
    /// Sats; 0 means market price.
    pub amount_sats: u64,
    /// Premium over market, percent.
    pub premium: f64,
    /// Payment methods.
    pub payment_methods: Vec<String>,
    /// Maker's average rating (0-5), if published.
    pub maker_rating: Option<f64>,
    /// Maker's number of ratings, if published.
    pub maker_reviews: Option<u64>,
    /// Maker's days on this Mostro, if published.
    pub maker_days: Option<u64>,
    /// End of the take window (unix seconds).
    pub expires_at: Option<u64>,
}

impl From<&OrderEvent> for BookOrderView {
    fn from(o: &OrderEvent) -> Self {
        let (fiat_amount, fiat_min, fiat_max) = match o.fiat_amount {
            Some(FiatAmount::Single(v)) => (Some(v), None, None),
            Some(FiatAmount::Range { min, max }) => (None, Some(min), Some(max)),
            None => (None, None, None),
        };
        Self {
            id: o.id.clone(),
            kind: o.kind.as_str(),
            status: o.status.as_str(),
            fiat_code: o.fiat_code.clone(),
            fiat_amount,
            fiat_min,
            fiat_max,
            amount_sats: o.amount.unwrap_or(0),
            premium: o.premium.unwrap_or(0.0),
            payment_methods: o.payment_methods.clone(),
            maker_rating: o.rating.map(|r| r.total_rating),
            maker_reviews: o.rating.map(|r| r.total_reviews),
            maker_days: o.rating.map(|r| r.days),
            expires_at: o.expires_at.or(o.expiration).map(|t| t.as_secs()),
        }
    }
}

/// The `orders` document.
#[derive(Debug, Clone, Serialize)]
pub struct BookView {
    /// The daemon's public key (hex).
    pub mostro: String,
    /// Matching orders, newest first.
    pub orders: Vec<BookOrderView>,
}

/// A per-currency fiat limit.
#[derive(Debug, Clone, Serialize)]
pub struct FiatLimitView {
    /// Currency code.
    pub code: String,
    /// Smallest fiat amount.
    pub min: u64,
    /// Largest fiat amount.
    pub max: u64,
}

/// The `info` document.
#[derive(Debug, Clone, Serialize)]
pub struct InfoView {
    /// The daemon's public key (hex).
    pub mostro: String,
    /// Daemon version.
    pub version: String,
    /// Protocol version it speaks (1: gift wrap, 2: kind 14).
    pub protocol_version: u8,
    /// Total fee as a fraction of the amount (e.g. 0.006 = 0.6 %).
    pub fee: f64,
    /// Smallest order, sats.
    pub min_order_sats: u64,
    /// Largest order, sats.
    pub max_order_sats: u64,
    /// Accepted currencies (empty: any).
    pub fiat_currencies: Vec<String>,
    /// Per-currency fiat limits.
    pub fiat_limits: Vec<FiatLimitView>,
    /// Hours a pending order stays in the book.
    pub order_expiration_hours: Option<u64>,
    /// Seconds allowed for each waiting step (paying, sending an invoice).
    pub step_timeout_seconds: Option<u64>,
    /// Seconds the buyer's invoice must stay valid.
    pub invoice_expiration_window: Option<u64>,
    /// Seconds a hold invoice stays payable.
    pub hold_invoice_expiration_window: Option<u64>,
    /// Proof-of-work difficulty required.
    pub pow: u8,
    /// Lightning node alias.
    pub lightning_alias: String,
    /// Lightning networks (e.g. `mainnet`, `regtest`).
    pub lightning_networks: Vec<String>,
}

impl From<&InfoEvent> for InfoView {
    fn from(i: &InfoEvent) -> Self {
        Self {
            mostro: i.mostro_pubkey.to_hex(),
            version: i.mostro_version.clone(),
            protocol_version: i.protocol_version,
            fee: i.fee,
            min_order_sats: i.min_order_amount,
            max_order_sats: i.max_order_amount,
            fiat_currencies: i.fiat_currencies_accepted.clone(),
            fiat_limits: i
                .fiat_limits
                .iter()
                .map(|l| FiatLimitView {
                    code: l.code.clone(),
                    min: l.min,
                    max: l.max,
                })
                .collect(),
            order_expiration_hours: i.expiration_hours,
            step_timeout_seconds: i.expiration_seconds,
            invoice_expiration_window: i.invoice_expiration_window,
            hold_invoice_expiration_window: i.hold_invoice_expiration_window,
            pow: i.pow,
            lightning_alias: i.lnd.node_alias.clone(),
            lightning_networks: i.lnd.networks.clone(),
        }
    }
}

/// One of my orders (`my-orders`, and in every action's result).
#[derive(Debug, Clone, Serialize)]
pub struct TradeView {
    /// Order id.
    pub id: String,
    /// `buy` or `sell` (the order's kind).
    pub kind: &'static str,
    /// My side: `buyer` or `seller`.
    pub side: &'static str,
    /// Whether I created the order.
    pub is_maker: bool,
    /// Wire status (e.g. `active`), null while unknown.
    pub status: Option<String>,
    /// Sats (0: market price, not fixed yet).
    pub amount_sats: Option<i64>,
    /// Fiat currency code.
    pub fiat_code: Option<String>,
    /// Fiat amount (0 for a range).
    pub fiat_amount: Option<i64>,
    /// Range bounds.
    pub fiat_min: Option<i64>,
    /// Range bounds.
    pub fiat_max: Option<i64>,
    /// Premium, percent.
    pub premium: Option<i64>,
    /// Payment methods, comma-separated.
    pub payment_method: Option<String>,
    /// Counterparty trade key (hex), once known.
    pub peer_pubkey: Option<String>,
    /// Dispute id, if any.
    pub dispute_id: Option<String>,
    /// Hold invoice to pay, while one is pending.
    pub hold_invoice: Option<String>,
    /// Trade key index used for this order.
    pub trade_index: u32,
    /// What to do next.
    pub next_step: StepView,
}

impl From<&LocalOrder> for TradeView {
    fn from(o: &LocalOrder) -> Self {
        let small = o.order.as_ref();
        Self {
            id: o.id.to_string(),
            kind: o.kind.as_str(),
            side: words::side(o.side()),
            is_maker: o.is_maker,
            status: o.status.map(|s| s.to_string()),
            amount_sats: small.map(|s| s.amount),
            fiat_code: small.map(|s| s.fiat_code.clone()),
            fiat_amount: small.map(|s| s.fiat_amount),
            fiat_min: small.and_then(|s| s.min_amount),
            fiat_max: small.and_then(|s| s.max_amount),
            premium: small.map(|s| s.premium),
            payment_method: small.map(|s| s.payment_method.clone()),
            peer_pubkey: o.peer_pubkey.map(|p| p.to_hex()),
            dispute_id: o.dispute_id.map(|d| d.to_string()),
            hold_invoice: o.hold_invoice.clone(),
            trade_index: o.trade_index,
            next_step: explain::step(o),
        }
    }
}

/// What Mostro said, in a stable code and a sentence.
#[derive(Debug, Clone, Serialize)]
pub struct UpdateView {
    /// Stable code, mostly the wire action (e.g. `pay-invoice`, `canceled`).
    pub code: String,
    /// A sentence.
    pub text: String,
    /// The invoice to pay, for `pay-invoice` / `pay-bond-invoice`.
    pub invoice: Option<String>,
}

impl From<&Update> for UpdateView {
    fn from(u: &Update) -> Self {
        let invoice = match u {
            Update::PayHoldInvoice { bolt11, .. } | Update::PayBondInvoice { bolt11, .. } => {
                Some(bolt11.clone())
            }
            _ => None,
        };
        Self {
            code: explain::update_code(u),
            text: explain::update_text(u),
            invoice,
        }
    }
}

/// The result of an order action (`sell`, `take-buy`, `release`, ...), and
/// one line of `watch --json`.
#[derive(Debug, Clone, Serialize)]
pub struct ActionView {
    /// What Mostro answered.
    pub update: UpdateView,
    /// The order afterwards (null when Mostro named no order we know).
    pub order: Option<TradeView>,
}

/// The `my-orders` document.
#[derive(Debug, Clone, Serialize)]
pub struct TradesView {
    /// My orders, newest first.
    pub orders: Vec<TradeView>,
}

/// The `init` and `mnemonic` documents.
#[derive(Debug, Clone, Serialize)]
pub struct KeysView {
    /// The data directory.
    pub data_dir: String,
    /// Whether the mnemonic was created (or imported) by this command.
    pub created: bool,
    /// The words: only when just created or explicitly shown.
    pub mnemonic: Option<String>,
    /// Identity public key (npub); it is never published in clear.
    pub identity: String,
}

/// One chat message.
#[derive(Debug, Clone, Serialize)]
pub struct ChatMessageView {
    /// Inner event id (hex), unique per message.
    pub id: String,
    /// `me`, `peer` or `solver`.
    pub from: &'static str,
    /// Sender key (hex).
    pub sender: String,
    /// Unix seconds.
    pub created_at: u64,
    /// The text.
    pub text: String,
}

/// The `chat read` document.
#[derive(Debug, Clone, Serialize)]
pub struct ChatView {
    /// The order id.
    pub order: String,
    /// Messages, oldest first.
    pub messages: Vec<ChatMessageView>,
}

/// `chat send` and `chat export-key` results.
#[derive(Debug, Clone, Serialize)]
pub struct ChatSentView {
    /// The order id.
    pub order: String,
    /// Id of the published event (hex).
    pub event_id: Option<String>,
    /// The exported disclosure (export-key without --send-to-solver).
    pub key: Option<String>,
}

/// `restore` result.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreView {
    /// Orders found and stored.
    pub orders: Vec<TradeView>,
    /// The local trade index afterwards.
    pub last_trade_index: u32,
}

/// `show-invoice` result.
#[derive(Debug, Clone, Serialize)]
pub struct InvoiceView {
    /// The order id.
    pub order: String,
    /// The hold invoice.
    pub invoice: String,
}

/// A failure, printed on stdout in `--json` mode.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorView {
    /// The error.
    pub error: ErrorBody,
}

/// Details of [`ErrorView`].
#[derive(Debug, Clone, Serialize)]
pub struct ErrorBody {
    /// `usage`, `cant-do`, `timeout`, `relay`, `storage` or `error`.
    pub category: &'static str,
    /// The process exit code.
    pub exit_code: i32,
    /// The `cant-do` reason, if Mostro refused.
    pub reason: Option<String>,
    /// A sentence saying what happened and what to do.
    pub message: String,
}
