//! Structured refusal reasons carried by `cant-do` replies (PROTOCOL.md §5.15).
//!
//! Reasons are snake_case on the wire (`"not_allowed_by_status"`). The
//! kebab-case spellings shown in the protocol book are not accepted (§11.4).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::message::UnknownVariant;

/// Why Mostro refused a request (PROTOCOL.md §5.15): 35 values, snake_case on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CantDoReason {
    /// `invalid_signature`.
    InvalidSignature,
    /// `invalid_trade_index`.
    InvalidTradeIndex,
    /// `invalid_amount`.
    InvalidAmount,
    /// `invalid_invoice`.
    InvalidInvoice,
    /// `invalid_payment_request`.
    InvalidPaymentRequest,
    /// `invalid_peer`.
    InvalidPeer,
    /// `invalid_rating`.
    InvalidRating,
    /// `invalid_text_message`.
    InvalidTextMessage,
    /// `invalid_order_kind`.
    InvalidOrderKind,
    /// `invalid_order_status`.
    InvalidOrderStatus,
    /// `invalid_pubkey`.
    InvalidPubkey,
    /// `invalid_parameters`.
    InvalidParameters,
    /// `invalid_payload`.
    InvalidPayload,
    /// `order_already_canceled`.
    OrderAlreadyCanceled,
    /// `cant_create_user`.
    CantCreateUser,
    /// `is_not_your_order`.
    IsNotYourOrder,
    /// `not_allowed_by_status`.
    NotAllowedByStatus,
    /// `out_of_range_fiat_amount`.
    OutOfRangeFiatAmount,
    /// `out_of_range_sats_amount`.
    OutOfRangeSatsAmount,
    /// `price_too_stale`.
    PriceTooStale,
    /// `is_not_your_dispute`.
    IsNotYourDispute,
    /// `dispute_taken_by_admin`.
    DisputeTakenByAdmin,
    /// `not_authorized`.
    NotAuthorized,
    /// `dispute_creation_error`.
    DisputeCreationError,
    /// `not_found`.
    NotFound,
    /// `invalid_dispute_status`.
    InvalidDisputeStatus,
    /// `invalid_action`.
    InvalidAction,
    /// `pending_order_exists`.
    PendingOrderExists,
    /// `invalid_fiat_currency`.
    InvalidFiatCurrency,
    /// `too_many_requests`.
    TooManyRequests,
    /// `invalid_cashu_token`.
    InvalidCashuToken,
    /// `cashu_mint_unavailable`.
    CashuMintUnavailable,
    /// `invalid_mint_url`.
    InvalidMintUrl,
    /// `cashu_escrow_not_locked`.
    CashuEscrowNotLocked,
    /// `cashu_signature_missing`.
    CashuSignatureMissing,
}

impl CantDoReason {
    /// Every value, in declaration order.
    pub const ALL: [CantDoReason; 35] = [
        CantDoReason::InvalidSignature,
        CantDoReason::InvalidTradeIndex,
        CantDoReason::InvalidAmount,
        CantDoReason::InvalidInvoice,
        CantDoReason::InvalidPaymentRequest,
        CantDoReason::InvalidPeer,
        CantDoReason::InvalidRating,
        CantDoReason::InvalidTextMessage,
        CantDoReason::InvalidOrderKind,
        CantDoReason::InvalidOrderStatus,
        CantDoReason::InvalidPubkey,
        CantDoReason::InvalidParameters,
        CantDoReason::InvalidPayload,
        CantDoReason::OrderAlreadyCanceled,
        CantDoReason::CantCreateUser,
        CantDoReason::IsNotYourOrder,
        CantDoReason::NotAllowedByStatus,
        CantDoReason::OutOfRangeFiatAmount,
        CantDoReason::OutOfRangeSatsAmount,
        CantDoReason::PriceTooStale,
        CantDoReason::IsNotYourDispute,
        CantDoReason::DisputeTakenByAdmin,
        CantDoReason::NotAuthorized,
        CantDoReason::DisputeCreationError,
        CantDoReason::NotFound,
        CantDoReason::InvalidDisputeStatus,
        CantDoReason::InvalidAction,
        CantDoReason::PendingOrderExists,
        CantDoReason::InvalidFiatCurrency,
        CantDoReason::TooManyRequests,
        CantDoReason::InvalidCashuToken,
        CantDoReason::CashuMintUnavailable,
        CantDoReason::InvalidMintUrl,
        CantDoReason::CashuEscrowNotLocked,
        CantDoReason::CashuSignatureMissing,
    ];

    /// The exact wire spelling of this value.
    pub const fn as_str(self) -> &'static str {
        match self {
            CantDoReason::InvalidSignature => "invalid_signature",
            CantDoReason::InvalidTradeIndex => "invalid_trade_index",
            CantDoReason::InvalidAmount => "invalid_amount",
            CantDoReason::InvalidInvoice => "invalid_invoice",
            CantDoReason::InvalidPaymentRequest => "invalid_payment_request",
            CantDoReason::InvalidPeer => "invalid_peer",
            CantDoReason::InvalidRating => "invalid_rating",
            CantDoReason::InvalidTextMessage => "invalid_text_message",
            CantDoReason::InvalidOrderKind => "invalid_order_kind",
            CantDoReason::InvalidOrderStatus => "invalid_order_status",
            CantDoReason::InvalidPubkey => "invalid_pubkey",
            CantDoReason::InvalidParameters => "invalid_parameters",
            CantDoReason::InvalidPayload => "invalid_payload",
            CantDoReason::OrderAlreadyCanceled => "order_already_canceled",
            CantDoReason::CantCreateUser => "cant_create_user",
            CantDoReason::IsNotYourOrder => "is_not_your_order",
            CantDoReason::NotAllowedByStatus => "not_allowed_by_status",
            CantDoReason::OutOfRangeFiatAmount => "out_of_range_fiat_amount",
            CantDoReason::OutOfRangeSatsAmount => "out_of_range_sats_amount",
            CantDoReason::PriceTooStale => "price_too_stale",
            CantDoReason::IsNotYourDispute => "is_not_your_dispute",
            CantDoReason::DisputeTakenByAdmin => "dispute_taken_by_admin",
            CantDoReason::NotAuthorized => "not_authorized",
            CantDoReason::DisputeCreationError => "dispute_creation_error",
            CantDoReason::NotFound => "not_found",
            CantDoReason::InvalidDisputeStatus => "invalid_dispute_status",
            CantDoReason::InvalidAction => "invalid_action",
            CantDoReason::PendingOrderExists => "pending_order_exists",
            CantDoReason::InvalidFiatCurrency => "invalid_fiat_currency",
            CantDoReason::TooManyRequests => "too_many_requests",
            CantDoReason::InvalidCashuToken => "invalid_cashu_token",
            CantDoReason::CashuMintUnavailable => "cashu_mint_unavailable",
            CantDoReason::InvalidMintUrl => "invalid_mint_url",
            CantDoReason::CashuEscrowNotLocked => "cashu_escrow_not_locked",
            CantDoReason::CashuSignatureMissing => "cashu_signature_missing",
        }
    }
}

impl fmt::Display for CantDoReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CantDoReason {
    type Err = UnknownVariant;

    /// Parses the exact wire spelling (case-sensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CantDoReason::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownVariant::new("CantDoReason", s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_values_are_distinct_and_counted() {
        let mut names: Vec<&str> = CantDoReason::ALL.iter().map(|v| v.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 35);
    }

    #[test]
    fn serde_form_is_the_wire_spelling() {
        for value in CantDoReason::ALL {
            let json = serde_json::to_string(&value).unwrap();
            assert_eq!(json, format!("\"{}\"", value.as_str()));
            assert_eq!(serde_json::from_str::<CantDoReason>(&json).unwrap(), value);
            assert_eq!(value.as_str().parse::<CantDoReason>().unwrap(), value);
            assert_eq!(value.to_string(), value.as_str());
        }
    }

    #[test]
    fn spelling_is_exact() {
        assert_eq!(
            CantDoReason::NotAllowedByStatus.as_str(),
            "not_allowed_by_status"
        );
        for bad in [
            "not-allowed-by-status",
            "NotAllowedByStatus",
            "insufficient_funds",
        ] {
            assert!(bad.parse::<CantDoReason>().is_err(), "{bad}");
            assert!(serde_json::from_str::<CantDoReason>(&format!("\"{bad}\"")).is_err());
        }
    }
}
