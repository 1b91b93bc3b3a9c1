//! The wire view of an order (PROTOCOL.md §3.2 and §4.1).
//!
//! [`SmallOrder`] rejects unknown keys wherever it appears (also inside
//! `orders`, `payment_request` and `bond_payout_request`). Which absent fields
//! are omitted and which are rendered as `null` is part of the signed bytes, so
//! the `skip_serializing_if` attributes below mirror the spec table exactly.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::message::UnknownVariant;
use crate::status::Status;

/// Order kind (PROTOCOL.md §4.1): which side the maker takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `buy`.
    Buy,
    /// `sell`.
    Sell,
}

impl Kind {
    /// Every value, in declaration order.
    pub const ALL: [Kind; 2] = [Kind::Buy, Kind::Sell];

    /// The exact wire spelling of this value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Buy => "buy",
            Kind::Sell => "sell",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = UnknownVariant;

    /// Parses the exact wire spelling (case-sensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownVariant::new("Kind", s))
    }
}

/// An order as it travels inside message payloads (PROTOCOL.md §3.2).
///
/// Field order is the serialisation order. `id`, `buyer_trade_pubkey`,
/// `seller_trade_pubkey` and `buyer_invoice` are omitted when absent; the
/// other optional fields are rendered as `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmallOrder {
    /// Order id (omitted when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// Buy or sell; required (non-null) on `new-order`.
    pub kind: Option<Kind>,
    /// Order status.
    pub status: Option<Status>,
    /// Amount in sats; `0` means market price.
    pub amount: i64,
    /// ISO 4217 fiat currency code.
    pub fiat_code: String,
    /// Lower bound of a range order, in fiat units.
    pub min_amount: Option<i64>,
    /// Upper bound of a range order, in fiat units.
    pub max_amount: Option<i64>,
    /// Fiat amount; `0` for range orders.
    pub fiat_amount: i64,
    /// Comma-separated list of payment methods.
    pub payment_method: String,
    /// Premium over the market price, in integer percent (may be negative).
    pub premium: i64,
    /// Buyer's trade public key, hex (omitted when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_trade_pubkey: Option<String>,
    /// Seller's trade public key, hex (omitted when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller_trade_pubkey: Option<String>,
    /// Buyer payout destination: bolt11, Lightning address or LNURL (omitted when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_invoice: Option<String>,
    /// Creation time, unix seconds.
    pub created_at: Option<i64>,
    /// Expiry time, unix seconds.
    pub expires_at: Option<i64>,
}

impl SmallOrder {
    /// Builds an order with the required fields set and every optional field absent.
    pub fn new(
        amount: i64,
        fiat_code: impl Into<String>,
        fiat_amount: i64,
        payment_method: impl Into<String>,
        premium: i64,
    ) -> Self {
        Self {
            id: None,
            kind: None,
            status: None,
            amount,
            fiat_code: fiat_code.into(),
            min_amount: None,
            max_amount: None,
            fiat_amount,
            payment_method: payment_method.into(),
            premium,
            buyer_trade_pubkey: None,
            seller_trade_pubkey: None,
            buyer_invoice: None,
            created_at: None,
            expires_at: None,
        }
    }

    /// True when this is a range order (both bounds present).
    pub fn is_range(&self) -> bool {
        self.min_amount.is_some() && self.max_amount.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_is_lowercase() {
        assert_eq!(serde_json::to_string(&Kind::Buy).unwrap(), "\"buy\"");
        assert_eq!(serde_json::to_string(&Kind::Sell).unwrap(), "\"sell\"");
        assert!(serde_json::from_str::<Kind>("\"Sell\"").is_err());
        assert_eq!("buy".parse::<Kind>().unwrap(), Kind::Buy);
        assert!("BUY".parse::<Kind>().is_err());
    }

    #[test]
    fn absent_fields_are_omitted_or_null_per_spec() {
        let order = SmallOrder::new(0, "VES", 100, "face to face", 1);
        assert_eq!(
            serde_json::to_string(&order).unwrap(),
            r#"{"kind":null,"status":null,"amount":0,"fiat_code":"VES","min_amount":null,"max_amount":null,"fiat_amount":100,"payment_method":"face to face","premium":1,"created_at":null,"expires_at":null}"#
        );
    }

    #[test]
    fn unknown_keys_are_refused() {
        let json = r#"{"amount":0,"fiat_code":"VES","fiat_amount":1,"payment_method":"x","premium":0,"extra":1}"#;
        assert!(serde_json::from_str::<SmallOrder>(json).is_err());
    }

    #[test]
    fn required_keys_are_required() {
        let json = r#"{"amount":0,"fiat_code":"VES","fiat_amount":1,"payment_method":"x"}"#;
        assert!(serde_json::from_str::<SmallOrder>(json).is_err());
    }

    #[test]
    fn range_needs_both_bounds() {
        let mut order = SmallOrder::new(0, "ARS", 0, "x", 0);
        order.min_amount = Some(10);
        assert!(!order.is_range());
        order.max_amount = Some(20);
        assert!(order.is_range());
    }
}
