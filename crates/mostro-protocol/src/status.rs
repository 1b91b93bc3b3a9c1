//! Order and dispute statuses (PROTOCOL.md §4.2 and §4.3), kebab-case on the wire.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::message::UnknownVariant;

/// Order status (PROTOCOL.md §4.2): 17 values, kebab-case on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// `pending`.
    Pending,
    /// `waiting-maker-bond`.
    WaitingMakerBond,
    /// `waiting-taker-bond`.
    WaitingTakerBond,
    /// `waiting-buyer-invoice`.
    WaitingBuyerInvoice,
    /// `waiting-payment`.
    WaitingPayment,
    /// `active`.
    Active,
    /// `fiat-sent`.
    FiatSent,
    /// `dispute`.
    Dispute,
    /// `settled-hold-invoice`.
    SettledHoldInvoice,
    /// `success`.
    Success,
    /// `canceled`.
    Canceled,
    /// `cooperatively-canceled`.
    CooperativelyCanceled,
    /// `canceled-by-admin`.
    CanceledByAdmin,
    /// `expired`.
    Expired,
    /// `in-progress`.
    InProgress,
    /// `settled-by-admin`.
    SettledByAdmin,
    /// `completed-by-admin`.
    CompletedByAdmin,
}

impl Status {
    /// Every value, in declaration order.
    pub const ALL: [Status; 17] = [
        Status::Pending,
        Status::WaitingMakerBond,
        Status::WaitingTakerBond,
        Status::WaitingBuyerInvoice,
        Status::WaitingPayment,
        Status::Active,
        Status::FiatSent,
        Status::Dispute,
        Status::SettledHoldInvoice,
        Status::Success,
        Status::Canceled,
        Status::CooperativelyCanceled,
        Status::CanceledByAdmin,
        Status::Expired,
        Status::InProgress,
        Status::SettledByAdmin,
        Status::CompletedByAdmin,
    ];

    /// The exact wire spelling of this value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::WaitingMakerBond => "waiting-maker-bond",
            Status::WaitingTakerBond => "waiting-taker-bond",
            Status::WaitingBuyerInvoice => "waiting-buyer-invoice",
            Status::WaitingPayment => "waiting-payment",
            Status::Active => "active",
            Status::FiatSent => "fiat-sent",
            Status::Dispute => "dispute",
            Status::SettledHoldInvoice => "settled-hold-invoice",
            Status::Success => "success",
            Status::Canceled => "canceled",
            Status::CooperativelyCanceled => "cooperatively-canceled",
            Status::CanceledByAdmin => "canceled-by-admin",
            Status::Expired => "expired",
            Status::InProgress => "in-progress",
            Status::SettledByAdmin => "settled-by-admin",
            Status::CompletedByAdmin => "completed-by-admin",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = UnknownVariant;

    /// Parses the exact wire spelling (case-sensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownVariant::new("Status", s))
    }
}

/// Dispute status (PROTOCOL.md §4.3), kebab-case on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DisputeStatus {
    /// `initiated`.
    Initiated,
    /// `in-progress`.
    InProgress,
    /// `seller-refunded`.
    SellerRefunded,
    /// `settled`.
    Settled,
    /// `released`.
    Released,
}

impl DisputeStatus {
    /// Every value, in declaration order.
    pub const ALL: [DisputeStatus; 5] = [
        DisputeStatus::Initiated,
        DisputeStatus::InProgress,
        DisputeStatus::SellerRefunded,
        DisputeStatus::Settled,
        DisputeStatus::Released,
    ];

    /// The exact wire spelling of this value.
    pub const fn as_str(self) -> &'static str {
        match self {
            DisputeStatus::Initiated => "initiated",
            DisputeStatus::InProgress => "in-progress",
            DisputeStatus::SellerRefunded => "seller-refunded",
            DisputeStatus::Settled => "settled",
            DisputeStatus::Released => "released",
        }
    }
}

impl fmt::Display for DisputeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DisputeStatus {
    type Err = UnknownVariant;

    /// Parses the exact wire spelling (case-sensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DisputeStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownVariant::new("DisputeStatus", s))
    }
}

#[cfg(test)]
mod status_tests {
    use super::*;

    #[test]
    fn all_values_are_distinct_and_counted() {
        let mut names: Vec<&str> = Status::ALL.iter().map(|v| v.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 17);
    }

    #[test]
    fn serde_form_is_the_wire_spelling() {
        for value in Status::ALL {
            let json = serde_json::to_string(&value).unwrap();
            assert_eq!(json, format!("\"{}\"", value.as_str()));
            assert_eq!(serde_json::from_str::<Status>(&json).unwrap(), value);
            assert_eq!(value.as_str().parse::<Status>().unwrap(), value);
            assert_eq!(value.to_string(), value.as_str());
        }
    }

    #[test]
    fn spelling_is_exact() {
        assert_eq!(
            Status::WaitingBuyerInvoice.as_str(),
            "waiting-buyer-invoice"
        );
        for bad in ["waiting_payment", "Pending", "open"] {
            assert!(bad.parse::<Status>().is_err(), "{bad}");
            assert!(serde_json::from_str::<Status>(&format!("\"{bad}\"")).is_err());
        }
    }
}

#[cfg(test)]
mod dispute_status_tests {
    use super::*;

    #[test]
    fn all_values_are_distinct_and_counted() {
        let mut names: Vec<&str> = DisputeStatus::ALL.iter().map(|v| v.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 5);
    }

    #[test]
    fn serde_form_is_the_wire_spelling() {
        for value in DisputeStatus::ALL {
            let json = serde_json::to_string(&value).unwrap();
            assert_eq!(json, format!("\"{}\"", value.as_str()));
            assert_eq!(serde_json::from_str::<DisputeStatus>(&json).unwrap(), value);
            assert_eq!(value.as_str().parse::<DisputeStatus>().unwrap(), value);
            assert_eq!(value.to_string(), value.as_str());
        }
    }

    #[test]
    fn spelling_is_exact() {
        assert_eq!(DisputeStatus::SellerRefunded.as_str(), "seller-refunded");
        for bad in ["seller_refunded", "Initiated", "open"] {
            assert!(bad.parse::<DisputeStatus>().is_err(), "{bad}");
            assert!(serde_json::from_str::<DisputeStatus>(&format!("\"{bad}\"")).is_err());
        }
    }
}
