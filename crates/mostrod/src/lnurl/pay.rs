//! LUD-06 `payRequest`: the service's parameters and the checks on the invoice it
//! returns.

use std::str::FromStr;

use lightning_invoice::{Bolt11Invoice, Bolt11InvoiceDescriptionRef};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use url::Url;

use super::error::LnurlError;

/// The parameters of an LNURL-pay endpoint (LUD-06 first response).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayParams {
    /// Where to ask for an invoice (already vetted for syntax only; it is checked
    /// against the host policy when called).
    pub callback: Url,
    /// Smallest payable amount, in msat.
    pub min_sendable_msat: u64,
    /// Largest payable amount, in msat.
    pub max_sendable_msat: u64,
    /// The raw `metadata` string; the invoice's description hash commits to it.
    pub metadata: String,
}

impl PayParams {
    /// True when the service accepts `amount_msat`.
    pub fn accepts_msat(&self, amount_msat: u64) -> bool {
        (self.min_sendable_msat..=self.max_sendable_msat).contains(&amount_msat)
    }

    /// True when the service accepts `amount_sats`.
    pub fn accepts_sats(&self, amount_sats: u64) -> bool {
        amount_sats
            .checked_mul(1000)
            .is_some_and(|msat| self.accepts_msat(msat))
    }

    /// SHA-256 of the metadata string's UTF-8 bytes.
    pub fn metadata_hash(&self) -> [u8; 32] {
        Sha256::digest(self.metadata.as_bytes()).into()
    }

    /// The callback URL with `amount=<msat>` appended to its query.
    pub fn callback_for(&self, amount_msat: u64) -> Result<Url, LnurlError> {
        if !self.accepts_msat(amount_msat) {
            return Err(LnurlError::AmountOutOfRange {
                amount_msat,
                min_msat: self.min_sendable_msat,
                max_msat: self.max_sendable_msat,
            });
        }
        let mut url = self.callback.clone();
        url.query_pairs_mut()
            .append_pair("amount", &amount_msat.to_string());
        Ok(url)
    }
}

/// The first response of an LNURL-pay endpoint, as sent.
#[derive(Debug, Deserialize)]
pub(crate) struct RawPayRequest {
    tag: String,
    callback: String,
    #[serde(rename = "minSendable")]
    min_sendable: u64,
    #[serde(rename = "maxSendable")]
    max_sendable: u64,
    metadata: String,
}

impl TryFrom<RawPayRequest> for PayParams {
    type Error = LnurlError;

    fn try_from(raw: RawPayRequest) -> Result<Self, LnurlError> {
        if raw.tag != "payRequest" {
            return Err(LnurlError::NotPayRequest { tag: raw.tag });
        }
        if raw.min_sendable < 1 || raw.min_sendable > raw.max_sendable {
            return Err(LnurlError::BadBounds {
                min_msat: raw.min_sendable,
                max_msat: raw.max_sendable,
            });
        }
        Ok(Self {
            callback: Url::parse(&raw.callback).map_err(LnurlError::BadUrl)?,
            min_sendable_msat: raw.min_sendable,
            max_sendable_msat: raw.max_sendable,
            metadata: raw.metadata,
        })
    }
}

/// The callback's answer, as sent (`routes` and other fields are ignored).
#[derive(Debug, Deserialize)]
pub(crate) struct RawInvoiceResponse {
    pub(crate) pr: String,
}

/// Checks that `bolt11` is a valid invoice for exactly `amount_msat` whose
/// description, when it is a hash, is SHA-256 of the metadata (LUD-06).
pub fn verify_invoice(
    bolt11: &str,
    amount_msat: u64,
    params: &PayParams,
) -> Result<Bolt11Invoice, LnurlError> {
    let invoice = Bolt11Invoice::from_str(bolt11.trim()).map_err(LnurlError::InvoiceUnparseable)?;
    let found_msat = invoice.amount_milli_satoshis();
    if found_msat != Some(amount_msat) {
        return Err(LnurlError::InvoiceAmountMismatch {
            expected_msat: amount_msat,
            found_msat,
        });
    }
    if let Bolt11InvoiceDescriptionRef::Hash(hash) = invoice.description() {
        let committed: &[u8] = hash.0.as_ref();
        if committed != params.metadata_hash().as_slice() {
            return Err(LnurlError::DescriptionHashMismatch);
        }
    }
    Ok(invoice)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(tag: &str, min: u64, max: u64) -> RawPayRequest {
        RawPayRequest {
            tag: tag.to_owned(),
            callback: "https://example.com/cb?k=1".to_owned(),
            min_sendable: min,
            max_sendable: max,
            metadata: r#"[["text/plain","hi"]]"#.to_owned(),
        }
    }

    #[test]
    fn bounds_and_tag_are_checked() {
        assert!(matches!(
            PayParams::try_from(raw("withdrawRequest", 1, 10)),
            Err(LnurlError::NotPayRequest { .. })
        ));
        assert!(matches!(
            PayParams::try_from(raw("payRequest", 0, 10)),
            Err(LnurlError::BadBounds { .. })
        ));
        assert!(matches!(
            PayParams::try_from(raw("payRequest", 11, 10)),
            Err(LnurlError::BadBounds { .. })
        ));
        let params = PayParams::try_from(raw("payRequest", 1_000, 10_000)).unwrap();
        assert!(params.accepts_sats(1) && params.accepts_sats(10));
        assert!(!params.accepts_sats(11) && !params.accepts_msat(999));
        assert!(!params.accepts_sats(u64::MAX));
    }

    #[test]
    fn callback_keeps_its_query_and_gains_the_amount() {
        let params = PayParams::try_from(raw("payRequest", 1_000, 10_000)).unwrap();
        let url = params.callback_for(5_000).unwrap();
        assert_eq!(url.as_str(), "https://example.com/cb?k=1&amount=5000");
        assert!(matches!(
            params.callback_for(20_000),
            Err(LnurlError::AmountOutOfRange {
                amount_msat: 20_000,
                ..
            })
        ));
    }
}
