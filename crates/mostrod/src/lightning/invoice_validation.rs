//! Validation of the buyer's payout invoice (PROTOCOL.md §5.5).
//!
//! Pure: the caller passes the current time in.

use std::str::FromStr;
use std::time::Duration;

use lightning_invoice::{Bolt11Invoice, Currency, ParseOrSemanticError};

use super::types::{Network, PaymentHash};

/// Default for `lightning.invoice_expiration_window`, in seconds.
pub const DEFAULT_INVOICE_EXPIRATION_WINDOW_SECS: u64 = 3600;

/// Default for `lightning.max_final_cltv_expiry_delta`, in blocks.
pub const DEFAULT_MAX_FINAL_CLTV_EXPIRY_DELTA: u64 = 432;

/// Default for `mostro.min_payment_amount`, in sats.
pub const DEFAULT_MIN_PAYMENT_AMOUNT_SAT: u64 = 100;

/// The node settings a payout invoice is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRules {
    /// The network of the node's chain.
    pub network: Network,
    /// Smallest acceptable non-zero invoice amount, in sats.
    pub min_payment_amount_sat: u64,
    /// The invoice must stay payable at least this long after `now`.
    pub invoice_expiration_window: Duration,
    /// Largest acceptable `min_final_cltv_expiry_delta`, in blocks.
    pub max_final_cltv_expiry_delta: u64,
}

impl InvoiceRules {
    /// The rules with the protocol's default settings for `network`.
    pub fn with_defaults(network: Network) -> Self {
        Self {
            network,
            min_payment_amount_sat: DEFAULT_MIN_PAYMENT_AMOUNT_SAT,
            invoice_expiration_window: Duration::from_secs(DEFAULT_INVOICE_EXPIRATION_WINDOW_SECS),
            max_final_cltv_expiry_delta: DEFAULT_MAX_FINAL_CLTV_EXPIRY_DELTA,
        }
    }
}

/// Why a payout invoice was refused.
#[derive(Debug, thiserror::Error)]
pub enum InvoiceRejection {
    /// Not a valid BOLT 11 invoice. (The parser's error type does not
    /// implement `std::error::Error`, so it is kept as a field, not a source.)
    #[error("not a valid bolt11 invoice: {0}")]
    Unparseable(ParseOrSemanticError),
    /// For another network than the node's.
    #[error("invoice is for {found}, the node runs on {expected}")]
    WrongNetwork {
        /// The node's network.
        expected: Network,
        /// The invoice's network.
        found: Network,
    },
    /// Asks for a final CLTV delta above the configured maximum.
    #[error("min_final_cltv_expiry_delta {delta} exceeds the maximum {max}")]
    CltvDeltaTooLarge {
        /// The invoice's delta.
        delta: u64,
        /// The configured maximum.
        max: u64,
    },
    /// Already expired.
    #[error("invoice expired at {expires_at}")]
    Expired {
        /// Expiry, in Unix seconds.
        expires_at: u64,
    },
    /// Expires before `now + invoice_expiration_window`.
    #[error("invoice expires at {expires_at}, it must stay valid until {required}")]
    ExpiresTooSoon {
        /// Expiry, in Unix seconds.
        expires_at: u64,
        /// Earliest acceptable expiry, in Unix seconds.
        required: u64,
    },
    /// Its amount is not what the buyer is owed.
    #[error("invoice amount {found_msat} msat differs from the {expected_sat} sats owed")]
    AmountMismatch {
        /// What the buyer is owed, in sats.
        expected_sat: u64,
        /// What the invoice asks for, in millisats.
        found_msat: u64,
    },
    /// Its amount is below the node's minimum payment.
    #[error("invoice amount {amount_sat} sats is below the minimum {min_sat}")]
    BelowMinimum {
        /// The invoice amount, in sats.
        amount_sat: u64,
        /// The configured minimum, in sats.
        min_sat: u64,
    },
}

impl InvoiceRejection {
    /// The `cant-do` reason sent to the user (every rejection is
    /// `invalid_invoice` on the wire).
    pub fn cant_do_reason(&self) -> &'static str {
        "invalid_invoice"
    }
}

/// A payout invoice that passed every check.
#[derive(Debug, Clone)]
pub struct ValidatedInvoice {
    /// The decoded invoice.
    pub invoice: Bolt11Invoice,
    /// Its payment hash (the payout's idempotency key).
    pub payment_hash: PaymentHash,
    /// Its amount in sats, or `None` when amountless.
    pub amount_sat: Option<u64>,
    /// When it expires, in Unix seconds.
    pub expires_at: u64,
}

impl ValidatedInvoice {
    /// The amount to pass with the payment: the owed amount for an amountless
    /// invoice, nothing for a fixed-amount one (the invoice carries it).
    pub fn amount_to_send(&self, owed_sat: u64) -> Option<u64> {
        match self.amount_sat {
            None => Some(owed_sat),
            Some(_) => None,
        }
    }
}

fn network_of(currency: Currency) -> Network {
    match currency {
        Currency::Bitcoin => Network::Mainnet,
        Currency::BitcoinTestnet => Network::Testnet,
        Currency::Regtest => Network::Regtest,
        Currency::Simnet => Network::Simnet,
        Currency::Signet => Network::Signet,
    }
}

/// Checks a buyer's BOLT 11 payout invoice against the rules, in the order of
/// PROTOCOL.md §5.5: decodable, network, CLTV delta, not expired, expiry
/// window, amount (exactly `owed_sat` or amountless; non-zero ≥ minimum).
///
/// `now_unix` is the current time in Unix seconds.
pub fn validate_payout_invoice(
    bolt11: &str,
    owed_sat: u64,
    rules: &InvoiceRules,
    now_unix: u64,
) -> Result<ValidatedInvoice, InvoiceRejection> {
    let invoice = Bolt11Invoice::from_str(bolt11.trim()).map_err(InvoiceRejection::Unparseable)?;

    let found = network_of(invoice.currency());
    if found != rules.network {
        return Err(InvoiceRejection::WrongNetwork {
            expected: rules.network,
            found,
        });
    }

    let delta = invoice.min_final_cltv_expiry_delta();
    if delta > rules.max_final_cltv_expiry_delta {
        return Err(InvoiceRejection::CltvDeltaTooLarge {
            delta,
            max: rules.max_final_cltv_expiry_delta,
        });
    }

    let expires_at = invoice
        .expires_at()
        .map(|d| d.as_secs())
        .unwrap_or(u64::MAX);
    if expires_at <= now_unix {
        return Err(InvoiceRejection::Expired { expires_at });
    }
    let required = now_unix.saturating_add(rules.invoice_expiration_window.as_secs());
    if expires_at < required {
        return Err(InvoiceRejection::ExpiresTooSoon {
            expires_at,
            required,
        });
    }

    let amount_sat = match invoice.amount_milli_satoshis() {
        None | Some(0) => None,
        Some(msat) => {
            if owed_sat.checked_mul(1000) != Some(msat) {
                return Err(InvoiceRejection::AmountMismatch {
                    expected_sat: owed_sat,
                    found_msat: msat,
                });
            }
            if owed_sat < rules.min_payment_amount_sat {
                return Err(InvoiceRejection::BelowMinimum {
                    amount_sat: owed_sat,
                    min_sat: rules.min_payment_amount_sat,
                });
            }
            Some(owed_sat)
        }
    };

    let payment_hash = PaymentHash::from_slice(invoice.payment_hash().as_ref()).map_err(|_| {
        // A decoded invoice always has a 32-byte hash; keep this path panic-free.
        InvoiceRejection::Unparseable(ParseOrSemanticError::SemanticError(
            lightning_invoice::Bolt11SemanticError::NoPaymentHash,
        ))
    })?;

    Ok(ValidatedInvoice {
        invoice,
        payment_hash,
        amount_sat,
        expires_at,
    })
}

#[cfg(test)]
#[path = "invoice_validation_tests.rs"]
mod tests;
