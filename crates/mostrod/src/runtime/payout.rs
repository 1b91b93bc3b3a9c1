//! Buyer payout destinations: checking them before the engine sees them, and turning
//! them into the invoice to pay.
//!
//! The engine's checks are synchronous; a Lightning address or an LNURL needs the
//! network. So the runtime asks the LNURL service first ([`Destinations::prepare`]) and
//! hands the engine a validator that accepts exactly the destinations that resolved.
//! BOLT 11 invoices are checked by the engine with the pure rules.

use std::str::FromStr;
use std::time::Duration;

use ::nostr::types::Timestamp;
use lightning_invoice::Bolt11Invoice;
use mostro_protocol::action::Action;
use mostro_protocol::payload::Payload;
use mostro_protocol::status::Status;

use crate::engine::{Bolt11Validator, InvoiceRefused, PayoutValidator, Request, ResolvedPayout};
use crate::lightning::InvoiceRules;
use crate::lnurl::{is_lnurl_destination, LnurlResolver};
use crate::model::Order;

/// How long one LNURL round trip may take.
const LNURL_TIMEOUT: Duration = Duration::from_secs(15);

/// True for a Lightning address (`name@domain`) or an LNURL.
fn is_address(destination: &str) -> bool {
    is_lnurl_destination(destination) || destination.contains('@')
}

/// The node's payout destination rules and LNURL access.
#[derive(Debug, Clone)]
pub(crate) struct Destinations {
    rules: InvoiceRules,
    lnurl: Option<LnurlResolver>,
}

/// A validator for one engine call: BOLT 11 by the rules, addresses only if they
/// were found reachable just before.
#[derive(Debug)]
pub(crate) struct CheckedValidator {
    bolt11: Bolt11Validator,
    reachable: Option<String>,
}

impl PayoutValidator for CheckedValidator {
    fn validate(
        &self,
        destination: &str,
        expected_sats: Option<u64>,
        now: Timestamp,
    ) -> Result<(), InvoiceRefused> {
        if !is_address(destination) {
            return self.bolt11.validate(destination, expected_sats, now);
        }
        if self.reachable.as_deref() == Some(destination) {
            Ok(())
        } else {
            Err(InvoiceRefused {
                reason: "Lightning address or LNURL not reachable".to_owned(),
                source: None,
            })
        }
    }
}

/// The destination a request names, if any (`new-order` with `buyer_invoice`,
/// `take-sell` and `add-invoice` with a `payment_request`).
fn named_destination(request: &Request) -> Option<&str> {
    match (&request.action, &request.payload) {
        (Action::NewOrder, Some(Payload::Order(order))) => order.buyer_invoice.as_deref(),
        (Action::TakeSell | Action::AddInvoice, Some(Payload::PaymentRequest(_, dest, _))) => {
            Some(dest.as_str())
        }
        _ => None,
    }
}

impl Destinations {
    pub(crate) fn new(rules: InvoiceRules, lnurl: Option<LnurlResolver>) -> Self {
        Self { rules, lnurl }
    }

    /// The validator for `request`: if it names a Lightning address or LNURL, the
    /// service is asked first; a destination that does not answer is refused.
    pub(crate) async fn prepare(&self, request: Option<&Request>) -> CheckedValidator {
        let mut reachable = None;
        let named = request
            .and_then(named_destination)
            .filter(|d| is_address(d));
        if let (Some(dest), Some(lnurl)) = (named, &self.lnurl) {
            match tokio::time::timeout(LNURL_TIMEOUT, lnurl.check_reachable(dest)).await {
                Ok(Ok(_)) => reachable = Some(dest.to_owned()),
                Ok(Err(error)) => tracing::debug!(
                    error = &error as &dyn std::error::Error,
                    "payout address refused"
                ),
                Err(_) => tracing::debug!("payout address did not answer in time"),
            }
        }
        CheckedValidator {
            bolt11: Bolt11Validator {
                rules: self.rules.clone(),
            },
            reachable,
        }
    }

    /// The invoice to pay the buyer of `order`, for inputs that may start a payout
    /// (a release, a due payout retry). `None` when nothing may be paid now or the
    /// destination cannot be turned into an invoice (the engine then records a failed
    /// attempt).
    pub(crate) async fn resolve(&self, order: &Order) -> Option<ResolvedPayout> {
        let may_pay = matches!(
            order.status,
            Status::FiatSent | Status::Dispute | Status::SettledHoldInvoice
        );
        let destination = order.buyer_invoice.as_deref().filter(|_| may_pay)?;
        let owed = order.buyer_receives();
        let bolt11 = if is_address(destination) {
            let lnurl = self.lnurl.as_ref()?;
            match tokio::time::timeout(LNURL_TIMEOUT, lnurl.resolve_payout(destination, owed)).await
            {
                Ok(Ok(bolt11)) => bolt11,
                Ok(Err(error)) => {
                    tracing::warn!(
                        order_id = %order.id,
                        error = &error as &dyn std::error::Error,
                        "cannot obtain an invoice from the buyer's address"
                    );
                    return None;
                }
                Err(_) => {
                    tracing::warn!(order_id = %order.id, "buyer's address did not answer in time");
                    return None;
                }
            }
        } else {
            destination.to_owned()
        };
        // Validated when it was accepted; only its hash is needed now.
        let invoice = match Bolt11Invoice::from_str(bolt11.trim()) {
            Ok(invoice) => invoice,
            Err(error) => {
                tracing::warn!(order_id = %order.id, %error, "buyer's invoice cannot be decoded");
                return None;
            }
        };
        let hash: &[u8] = invoice.payment_hash().as_ref();
        let payment_hash = <[u8; 32]>::try_from(hash).ok()?;
        Some(ResolvedPayout {
            destination: destination.to_owned(),
            bolt11,
            payment_hash,
        })
    }
}
