//! [`LnurlResolver`]: Lightning address / LNURL-pay → BOLT 11 invoice.

use super::error::LnurlError;
use super::fetch::get_json;
use super::options::LnurlOptions;
use super::pay::{verify_invoice, PayParams, RawInvoiceResponse, RawPayRequest};
use super::target::endpoint_url;

/// Resolves buyer payout destinations given as a Lightning address or an LNURL.
#[derive(Debug, Clone)]
pub struct LnurlResolver {
    options: LnurlOptions,
}

impl LnurlResolver {
    /// A resolver with `options` ([`LnurlOptions::default`] in production).
    pub fn new(options: LnurlOptions) -> Self {
        Self { options }
    }

    /// The options in force.
    pub fn options(&self) -> &LnurlOptions {
        &self.options
    }

    /// Fetches and checks the LNURL-pay parameters of `destination` ("must resolve",
    /// PROTOCOL.md §5.5): used when an order or `add-invoice` names an address.
    #[tracing::instrument(skip_all)]
    pub async fn check_reachable(&self, destination: &str) -> Result<PayParams, LnurlError> {
        let url = endpoint_url(destination, self.options.allow_insecure_localhost)?;
        let raw: RawPayRequest = get_json(url, &self.options).await?;
        let params = PayParams::try_from(raw)?;
        tracing::debug!(
            min_msat = params.min_sendable_msat,
            max_msat = params.max_sendable_msat,
            "LNURL-pay endpoint reachable"
        );
        Ok(params)
    }

    /// Obtains a BOLT 11 invoice for exactly `amount_sats` from `destination` (LUD-06:
    /// parameters, bounds check, callback with `amount=<msat>`), and checks that the
    /// invoice is for that amount and commits to the endpoint's metadata.
    ///
    /// The node's own payout-invoice rules (network, expiry window, CLTV delta:
    /// [`crate::lightning::validate_payout_invoice`]) still apply to the result.
    #[tracing::instrument(skip_all)]
    pub async fn resolve_payout(
        &self,
        destination: &str,
        amount_sats: u64,
    ) -> Result<String, LnurlError> {
        let amount_msat = amount_sats
            .checked_mul(1000)
            .ok_or(LnurlError::AmountOverflow)?;
        let params = self.check_reachable(destination).await?;
        let callback = params.callback_for(amount_msat)?;
        let answer: RawInvoiceResponse = get_json(callback, &self.options).await?;
        verify_invoice(&answer.pr, amount_msat, &params)?;
        tracing::debug!(amount_msat, "LNURL-pay invoice obtained");
        Ok(answer.pr.trim().to_owned())
    }
}
