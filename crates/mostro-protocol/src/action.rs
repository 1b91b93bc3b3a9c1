//! Message verbs (PROTOCOL.md §5.1).
//!
//! The daemon dispatches purely on [`Action`]; its serde form is the kebab-case
//! spelling listed in the spec (e.g. `"new-order"`). Parsing is case-sensitive.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::message::UnknownVariant;

/// A message verb (PROTOCOL.md §5.1): 51 values, kebab-case on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// `new-order`.
    NewOrder,
    /// `take-sell`.
    TakeSell,
    /// `take-buy`.
    TakeBuy,
    /// `pay-invoice`.
    PayInvoice,
    /// `pay-bond-invoice`.
    PayBondInvoice,
    /// `fiat-sent`.
    FiatSent,
    /// `fiat-sent-ok`.
    FiatSentOk,
    /// `release`.
    Release,
    /// `released`.
    Released,
    /// `cancel`.
    Cancel,
    /// `canceled`.
    Canceled,
    /// `cooperative-cancel-initiated-by-you`.
    CooperativeCancelInitiatedByYou,
    /// `cooperative-cancel-initiated-by-peer`.
    CooperativeCancelInitiatedByPeer,
    /// `dispute-initiated-by-you`.
    DisputeInitiatedByYou,
    /// `dispute-initiated-by-peer`.
    DisputeInitiatedByPeer,
    /// `cooperative-cancel-accepted`.
    CooperativeCancelAccepted,
    /// `buyer-invoice-accepted`.
    BuyerInvoiceAccepted,
    /// `bond-invoice-accepted`.
    BondInvoiceAccepted,
    /// `purchase-completed`.
    PurchaseCompleted,
    /// `bond-payout-completed`.
    BondPayoutCompleted,
    /// `bond-slashed`.
    BondSlashed,
    /// `hold-invoice-payment-accepted`.
    HoldInvoicePaymentAccepted,
    /// `hold-invoice-payment-settled`.
    HoldInvoicePaymentSettled,
    /// `hold-invoice-payment-canceled`.
    HoldInvoicePaymentCanceled,
    /// `waiting-seller-to-pay`.
    WaitingSellerToPay,
    /// `waiting-buyer-invoice`.
    WaitingBuyerInvoice,
    /// `add-invoice`.
    AddInvoice,
    /// `add-bond-invoice`.
    AddBondInvoice,
    /// `buyer-took-order`.
    BuyerTookOrder,
    /// `rate`.
    Rate,
    /// `rate-user`.
    RateUser,
    /// `rate-received`.
    RateReceived,
    /// `cant-do`.
    CantDo,
    /// `dispute`.
    Dispute,
    /// `admin-cancel`.
    AdminCancel,
    /// `admin-canceled`.
    AdminCanceled,
    /// `admin-settle`.
    AdminSettle,
    /// `admin-settled`.
    AdminSettled,
    /// `admin-add-solver`.
    AdminAddSolver,
    /// `admin-take-dispute`.
    AdminTakeDispute,
    /// `admin-took-dispute`.
    AdminTookDispute,
    /// `payment-failed`.
    PaymentFailed,
    /// `invoice-updated`.
    InvoiceUpdated,
    /// `send-dm`.
    SendDm,
    /// `trade-pubkey`.
    TradePubkey,
    /// `restore-session`.
    RestoreSession,
    /// `last-trade-index`.
    LastTradeIndex,
    /// `orders`.
    Orders,
    /// `add-cashu-escrow`.
    AddCashuEscrow,
    /// `cashu-escrow-locked`.
    CashuEscrowLocked,
    /// `cashu-pm-signature`.
    CashuPmSignature,
}

impl Action {
    /// Every value, in declaration order.
    pub const ALL: [Action; 51] = [
        Action::NewOrder,
        Action::TakeSell,
        Action::TakeBuy,
        Action::PayInvoice,
        Action::PayBondInvoice,
        Action::FiatSent,
        Action::FiatSentOk,
        Action::Release,
        Action::Released,
        Action::Cancel,
        Action::Canceled,
        Action::CooperativeCancelInitiatedByYou,
        Action::CooperativeCancelInitiatedByPeer,
        Action::DisputeInitiatedByYou,
        Action::DisputeInitiatedByPeer,
        Action::CooperativeCancelAccepted,
        Action::BuyerInvoiceAccepted,
        Action::BondInvoiceAccepted,
        Action::PurchaseCompleted,
        Action::BondPayoutCompleted,
        Action::BondSlashed,
        Action::HoldInvoicePaymentAccepted,
        Action::HoldInvoicePaymentSettled,
        Action::HoldInvoicePaymentCanceled,
        Action::WaitingSellerToPay,
        Action::WaitingBuyerInvoice,
        Action::AddInvoice,
        Action::AddBondInvoice,
        Action::BuyerTookOrder,
        Action::Rate,
        Action::RateUser,
        Action::RateReceived,
        Action::CantDo,
        Action::Dispute,
        Action::AdminCancel,
        Action::AdminCanceled,
        Action::AdminSettle,
        Action::AdminSettled,
        Action::AdminAddSolver,
        Action::AdminTakeDispute,
        Action::AdminTookDispute,
        Action::PaymentFailed,
        Action::InvoiceUpdated,
        Action::SendDm,
        Action::TradePubkey,
        Action::RestoreSession,
        Action::LastTradeIndex,
        Action::Orders,
        Action::AddCashuEscrow,
        Action::CashuEscrowLocked,
        Action::CashuPmSignature,
    ];

    /// The exact wire spelling of this value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::NewOrder => "new-order",
            Action::TakeSell => "take-sell",
            Action::TakeBuy => "take-buy",
            Action::PayInvoice => "pay-invoice",
            Action::PayBondInvoice => "pay-bond-invoice",
            Action::FiatSent => "fiat-sent",
            Action::FiatSentOk => "fiat-sent-ok",
            Action::Release => "release",
            Action::Released => "released",
            Action::Cancel => "cancel",
            Action::Canceled => "canceled",
            Action::CooperativeCancelInitiatedByYou => "cooperative-cancel-initiated-by-you",
            Action::CooperativeCancelInitiatedByPeer => "cooperative-cancel-initiated-by-peer",
            Action::DisputeInitiatedByYou => "dispute-initiated-by-you",
            Action::DisputeInitiatedByPeer => "dispute-initiated-by-peer",
            Action::CooperativeCancelAccepted => "cooperative-cancel-accepted",
            Action::BuyerInvoiceAccepted => "buyer-invoice-accepted",
            Action::BondInvoiceAccepted => "bond-invoice-accepted",
            Action::PurchaseCompleted => "purchase-completed",
            Action::BondPayoutCompleted => "bond-payout-completed",
            Action::BondSlashed => "bond-slashed",
            Action::HoldInvoicePaymentAccepted => "hold-invoice-payment-accepted",
            Action::HoldInvoicePaymentSettled => "hold-invoice-payment-settled",
            Action::HoldInvoicePaymentCanceled => "hold-invoice-payment-canceled",
            Action::WaitingSellerToPay => "waiting-seller-to-pay",
            Action::WaitingBuyerInvoice => "waiting-buyer-invoice",
            Action::AddInvoice => "add-invoice",
            Action::AddBondInvoice => "add-bond-invoice",
            Action::BuyerTookOrder => "buyer-took-order",
            Action::Rate => "rate",
            Action::RateUser => "rate-user",
            Action::RateReceived => "rate-received",
            Action::CantDo => "cant-do",
            Action::Dispute => "dispute",
            Action::AdminCancel => "admin-cancel",
            Action::AdminCanceled => "admin-canceled",
            Action::AdminSettle => "admin-settle",
            Action::AdminSettled => "admin-settled",
            Action::AdminAddSolver => "admin-add-solver",
            Action::AdminTakeDispute => "admin-take-dispute",
            Action::AdminTookDispute => "admin-took-dispute",
            Action::PaymentFailed => "payment-failed",
            Action::InvoiceUpdated => "invoice-updated",
            Action::SendDm => "send-dm",
            Action::TradePubkey => "trade-pubkey",
            Action::RestoreSession => "restore-session",
            Action::LastTradeIndex => "last-trade-index",
            Action::Orders => "orders",
            Action::AddCashuEscrow => "add-cashu-escrow",
            Action::CashuEscrowLocked => "cashu-escrow-locked",
            Action::CashuPmSignature => "cashu-pm-signature",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = UnknownVariant;

    /// Parses the exact wire spelling (case-sensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownVariant::new("Action", s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_values_are_distinct_and_counted() {
        let mut names: Vec<&str> = Action::ALL.iter().map(|v| v.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 51);
    }

    #[test]
    fn serde_form_is_the_wire_spelling() {
        for value in Action::ALL {
            let json = serde_json::to_string(&value).unwrap();
            assert_eq!(json, format!("\"{}\"", value.as_str()));
            assert_eq!(serde_json::from_str::<Action>(&json).unwrap(), value);
            assert_eq!(value.as_str().parse::<Action>().unwrap(), value);
            assert_eq!(value.to_string(), value.as_str());
        }
    }

    #[test]
    fn spelling_is_exact() {
        assert_eq!(
            Action::CooperativeCancelInitiatedByPeer.as_str(),
            "cooperative-cancel-initiated-by-peer"
        );
        for bad in ["take_sell", "TakeSell", "TAKE-SELL", "take-order", ""] {
            assert!(bad.parse::<Action>().is_err(), "{bad}");
            assert!(serde_json::from_str::<Action>(&format!("\"{bad}\"")).is_err());
        }
    }
}
