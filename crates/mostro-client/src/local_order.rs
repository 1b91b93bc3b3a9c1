//! What the client remembers about one of its orders.

use mostro_protocol::{Kind, SmallOrder, Status};
use nostr::key::PublicKey;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::update::Update;

/// Which side of the trade we are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Side {
    /// We receive sats and pay fiat.
    Buyer,
    /// We pay sats and receive fiat.
    Seller,
}

/// State of a cooperative cancel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CooperativeCancel {
    /// We asked; waiting for the counterparty.
    ByMe,
    /// The counterparty asked; cancel too to accept.
    ByPeer,
}

/// An order we created or took, as known locally.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalOrder {
    /// Order id.
    pub id: Uuid,
    /// Index of the trade key used for this order.
    pub trade_index: u32,
    /// Order kind.
    pub kind: Kind,
    /// `true` if we created the order.
    pub is_maker: bool,
    /// Last known status.
    pub status: Option<Status>,
    /// Last wire view of the order received from Mostro.
    pub order: Option<SmallOrder>,
    /// The counterparty's trade key (known once the trade is active).
    pub peer_pubkey: Option<PublicKey>,
    /// The solver's key, once a solver took a dispute.
    pub solver_pubkey: Option<PublicKey>,
    /// Dispute id, if one was opened.
    pub dispute_id: Option<Uuid>,
    /// Hold invoice we must pay (seller), while it is pending.
    pub hold_invoice: Option<String>,
    /// Mostro asked us for a payout invoice (buyer) and has not got one yet.
    pub invoice_requested: bool,
    /// Sats the payout invoice must be for, if Mostro said.
    pub invoice_amount: Option<i64>,
    /// Cooperative cancel in progress.
    pub cooperative_cancel: Option<CooperativeCancel>,
    /// Mostro asked us to rate the counterparty.
    pub rating_requested: bool,
    /// We rated the counterparty.
    pub rated: bool,
    /// Index reserved for a range order's next child (`next_trade`).
    pub next_trade_index: Option<u32>,
    /// Local time the record was created (unix seconds).
    pub created_at: u64,
    /// Local time of the last change (unix seconds).
    pub updated_at: u64,
}

impl LocalOrder {
    /// A fresh record for an order created or taken with trade key `trade_index`.
    pub fn new(id: Uuid, trade_index: u32, kind: Kind, is_maker: bool, now: u64) -> Self {
        Self {
            id,
            trade_index,
            kind,
            is_maker,
            status: None,
            order: None,
            peer_pubkey: None,
            solver_pubkey: None,
            dispute_id: None,
            hold_invoice: None,
            invoice_requested: false,
            invoice_amount: None,
            cooperative_cancel: None,
            rating_requested: false,
            rated: false,
            next_trade_index: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// Our side: the maker of a sell order and the taker of a buy order sell.
    pub fn side(&self) -> Side {
        match (self.kind, self.is_maker) {
            (Kind::Sell, true) | (Kind::Buy, false) => Side::Seller,
            (Kind::Buy, true) | (Kind::Sell, false) => Side::Buyer,
        }
    }

    /// `true` once the order can no longer change (success or any cancel).
    pub fn is_finished(&self) -> bool {
        matches!(
            self.status,
            Some(
                Status::Success
                    | Status::Canceled
                    | Status::CooperativelyCanceled
                    | Status::CanceledByAdmin
                    | Status::Expired
            )
        ) && !self.rating_requested
    }

    fn absorb(&mut self, order: &SmallOrder) {
        if let Some(status) = order.status {
            self.status = Some(status);
        }
        self.order = Some(order.clone());
    }

    /// Whether `update` is older news than the state already recorded.
    ///
    /// Message times are whole seconds, so the daemon's messages of one second
    /// can be replayed in any order. A hold-invoice request or a
    /// `waiting-buyer-invoice` notice never follows the escrow being locked,
    /// and on a sell order the hold invoice is only created once the buyer's
    /// invoice is known (PROTOCOL.md §5.3, §5.5), so `waiting-buyer-invoice`
    /// never follows it either.
    fn is_stale(&self, update: &Update) -> bool {
        let escrow_locked = matches!(
            self.status,
            Some(
                Status::Active
                    | Status::FiatSent
                    | Status::SettledHoldInvoice
                    | Status::Success
                    | Status::Dispute
            )
        );
        match update {
            Update::PayHoldInvoice { .. } => escrow_locked,
            Update::WaitingBuyerInvoice => {
                escrow_locked || (self.kind == Kind::Sell && self.hold_invoice.is_some())
            }
            _ => false,
        }
    }

    /// Applies an update received for this order at local time `now`.
    pub fn apply(&mut self, update: &Update, now: u64) {
        self.updated_at = now;
        match update {
            Update::NewOrder { order } => {
                self.absorb(order);
                // A taker left: the order is back in the book.
                self.peer_pubkey = None;
                self.hold_invoice = None;
                self.invoice_requested = false;
            }
            // Stale: replayed after a message of the same second that locked
            // the escrow (see `is_stale`).
            Update::PayHoldInvoice { .. } | Update::WaitingBuyerInvoice
                if self.is_stale(update) => {}
            Update::PayHoldInvoice { order, bolt11 } => {
                if let Some(order) = order {
                    self.absorb(order);
                }
                self.status = Some(Status::WaitingPayment);
                self.hold_invoice = Some(bolt11.clone());
            }
            Update::AddInvoice { order } => {
                match order {
                    Some(order) => {
                        self.absorb(order);
                        self.invoice_amount = Some(order.amount);
                    }
                    None => self.status = Some(Status::WaitingBuyerInvoice),
                }
                self.invoice_requested = true;
            }
            Update::WaitingSellerToPay => {
                self.status = Some(Status::WaitingPayment);
                self.invoice_requested = false;
            }
            Update::WaitingBuyerInvoice => self.status = Some(Status::WaitingBuyerInvoice),
            Update::Active { order, peer_pubkey } => {
                // A same-second replay keeps the later status (see `status_after`).
                let later = self.status.filter(|s| status_after(*s, Status::Active));
                self.absorb(order);
                self.status = later.or(Some(Status::Active));
                if peer_pubkey.is_some() {
                    self.peer_pubkey = *peer_pubkey;
                }
                self.hold_invoice = None;
                self.invoice_requested = false;
            }
            Update::FiatSentOk { peer_pubkey } => {
                if !self
                    .status
                    .is_some_and(|s| status_after(s, Status::FiatSent))
                {
                    self.status = Some(Status::FiatSent);
                }
                if peer_pubkey.is_some() {
                    self.peer_pubkey = *peer_pubkey;
                }
            }
            Update::Released | Update::HoldInvoiceSettled | Update::AdminSettled => {
                self.status = Some(Status::SettledHoldInvoice);
            }
            Update::PurchaseCompleted => {
                self.status = Some(Status::Success);
                self.invoice_requested = false;
            }
            Update::InvoiceUpdated => self.invoice_requested = false,
            Update::RateCounterparty => self.rating_requested = !self.rated,
            Update::RateReceived { .. } => {
                self.rated = true;
                self.rating_requested = false;
            }
            Update::Canceled | Update::HoldInvoiceCanceled => {
                self.status = Some(Status::Canceled);
                self.hold_invoice = None;
            }
            Update::CooperativeCancelInitiatedByYou => {
                self.cooperative_cancel = Some(CooperativeCancel::ByMe);
            }
            Update::CooperativeCancelInitiatedByPeer => {
                self.cooperative_cancel = Some(CooperativeCancel::ByPeer);
            }
            Update::CooperativeCancelAccepted => {
                self.status = Some(Status::CooperativelyCanceled);
                self.cooperative_cancel = None;
            }
            Update::DisputeInitiated { dispute_id, .. } => {
                self.status = Some(Status::Dispute);
                if dispute_id.is_some() {
                    self.dispute_id = *dispute_id;
                }
            }
            Update::SolverAssigned { solver } => self.solver_pubkey = *solver,
            Update::AdminCanceled => self.status = Some(Status::CanceledByAdmin),
            Update::PayBondInvoice { .. }
            | Update::AddBondInvoice { .. }
            | Update::ReputationNotice { .. }
            | Update::PaymentFailed { .. }
            | Update::Bond { .. }
            | Update::TradePubkey
            | Update::CantDo { .. }
            | Update::Other { .. } => {}
        }
    }
}

/// Whether a trade in `current` can never again be in `earlier` (`active` or
/// `fiat-sent`): once the fiat is reported, a dispute opened, the escrow released or
/// the trade ended, a replayed `active` or `fiat-sent-ok` of the same second is old
/// news and must not move the status back.
fn status_after(current: Status, earlier: Status) -> bool {
    let beyond_fiat_sent = matches!(
        current,
        Status::Dispute
            | Status::SettledHoldInvoice
            | Status::Success
            | Status::Canceled
            | Status::CooperativelyCanceled
            | Status::CanceledByAdmin
    );
    match earlier {
        Status::Active => beyond_fiat_sent || current == Status::FiatSent,
        Status::FiatSent => beyond_fiat_sent,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replayed_fiat_sent_and_active_never_move_a_dispute_back() {
        let peer = nostr::key::Keys::generate().public_key();
        let dispute = Update::DisputeInitiated {
            by_you: false,
            dispute_id: Some(Uuid::nil()),
        };
        let fiat_sent = Update::FiatSentOk {
            peer_pubkey: Some(peer),
        };
        let mut order = LocalOrder::new(Uuid::nil(), 1, Kind::Sell, true, 0);
        order.status = Some(Status::Active);
        // Same second, replayed out of order: the dispute first.
        order.apply(&dispute, 5);
        order.apply(&fiat_sent, 5);
        assert_eq!(order.status, Some(Status::Dispute));
        assert_eq!(order.peer_pubkey, Some(peer));
        // In order, fiat-sent-ok still moves an active trade forward.
        let mut fresh = LocalOrder::new(Uuid::nil(), 1, Kind::Sell, true, 0);
        fresh.status = Some(Status::Active);
        fresh.apply(&fiat_sent, 5);
        assert_eq!(fresh.status, Some(Status::FiatSent));
        fresh.apply(&dispute, 6);
        assert_eq!(fresh.status, Some(Status::Dispute));
    }

    fn hold() -> Update {
        Update::PayHoldInvoice {
            order: None,
            bolt11: "lnbcrt1hold".into(),
        }
    }

    #[test]
    fn same_second_replays_in_any_order_end_in_the_same_state() {
        // Seller of a sell order: `waiting-buyer-invoice`, then the hold invoice.
        let id = Uuid::nil();
        let mut in_order = LocalOrder::new(id, 1, Kind::Sell, true, 0);
        in_order.apply(&Update::WaitingBuyerInvoice, 1);
        in_order.apply(&hold(), 1);
        let mut reversed = LocalOrder::new(id, 1, Kind::Sell, true, 0);
        reversed.apply(&hold(), 1);
        reversed.apply(&Update::WaitingBuyerInvoice, 1);
        for order in [&in_order, &reversed] {
            assert_eq!(order.status, Some(Status::WaitingPayment));
            assert_eq!(order.hold_invoice.as_deref(), Some("lnbcrt1hold"));
        }
    }

    #[test]
    fn a_buy_order_waits_for_the_buyer_invoice_after_the_escrow_is_paid() {
        // Seller who took a buy order: hold invoice, then `waiting-buyer-invoice`.
        let mut order = LocalOrder::new(Uuid::nil(), 1, Kind::Buy, false, 0);
        order.apply(&hold(), 1);
        order.apply(&Update::WaitingBuyerInvoice, 2);
        assert_eq!(order.status, Some(Status::WaitingBuyerInvoice));
    }

    #[test]
    fn nothing_reopens_a_locked_escrow() {
        let mut order = LocalOrder::new(Uuid::nil(), 1, Kind::Buy, false, 0);
        order.status = Some(Status::Active);
        order.apply(&hold(), 1);
        order.apply(&Update::WaitingBuyerInvoice, 1);
        assert_eq!(order.status, Some(Status::Active));
        assert_eq!(order.hold_invoice, None);
    }
}
