//! Why a Lightning address or LNURL-pay destination could not be used.

use std::net::IpAddr;

use super::policy::ForbiddenRange;

/// A payout destination failed to resolve, or resolving it would have been unsafe.
#[derive(Debug, thiserror::Error)]
pub enum LnurlError {
    /// Neither `name@domain` nor a bech32 `lnurl1…` string.
    #[error("not a Lightning address or LNURL")]
    NotLnurl,
    /// A Lightning address whose name or domain has forbidden characters.
    #[error("malformed Lightning address")]
    BadAddress,
    /// The bech32 `lnurl1…` string does not decode.
    #[error("malformed bech32 LNURL")]
    Bech32(#[source] bech32::DecodeError),
    /// The bech32 string decodes, but not to an `lnurl` UTF-8 text.
    #[error("bech32 string is not an LNURL")]
    NotLnurlBech32,
    /// A URL (decoded, built or returned by the service) does not parse.
    #[error("malformed URL")]
    BadUrl(#[source] url::ParseError),
    /// Only `https` is allowed (plain `http` only to 127.0.0.1 under the test switch).
    #[error("URL scheme {scheme:?} refused: https only")]
    InsecureScheme {
        /// The refused scheme.
        scheme: String,
    },
    /// The URL embeds credentials, or has no host.
    #[error("URL refused: credentials or missing host")]
    BadHost,
    /// The host is, or resolves to, an address that must not be contacted.
    #[error("{host} refused: {addr} is a {range} address")]
    ForbiddenAddress {
        /// The host as written in the URL.
        host: String,
        /// The offending address.
        addr: IpAddr,
        /// Which reserved range it lies in.
        range: ForbiddenRange,
    },
    /// DNS resolution failed.
    #[error("cannot resolve {host}")]
    Dns {
        /// The host.
        host: String,
        /// The resolver's error.
        #[source]
        source: std::io::Error,
    },
    /// DNS resolution returned no address.
    #[error("{host} has no address")]
    NoAddress {
        /// The host.
        host: String,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client")]
    Client(#[source] reqwest::Error),
    /// DNS, connection or response did not complete in time.
    #[error("LNURL service timed out")]
    Timeout,
    /// Connection or protocol failure.
    #[error("LNURL service unreachable")]
    Transport(#[source] reqwest::Error),
    /// The service answered with a redirect; redirects are never followed.
    #[error("LNURL service answered with a redirect (HTTP {status}), refused")]
    Redirect {
        /// The HTTP status code.
        status: u16,
    },
    /// The service answered with a non-success status.
    #[error("LNURL service answered HTTP {status}")]
    Status {
        /// The HTTP status code.
        status: u16,
    },
    /// The response body exceeded the size cap.
    #[error("LNURL response larger than {limit} bytes")]
    BodyTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The body is not the JSON the LUD documents.
    #[error("malformed LNURL response")]
    Malformed(#[source] serde_json::Error),
    /// The service answered `{"status":"ERROR","reason":…}`.
    #[error("LNURL service error: {reason}")]
    Service {
        /// The service's reason text.
        reason: String,
    },
    /// The endpoint is not an LNURL-pay endpoint (`tag` ≠ `payRequest`).
    #[error("LNURL tag {tag:?} is not payRequest")]
    NotPayRequest {
        /// The tag found.
        tag: String,
    },
    /// `minSendable`/`maxSendable` are inconsistent (`1 ≤ min ≤ max` violated).
    #[error("LNURL-pay bounds invalid: min {min_msat} msat, max {max_msat} msat")]
    BadBounds {
        /// `minSendable`.
        min_msat: u64,
        /// `maxSendable`.
        max_msat: u64,
    },
    /// The amount is outside what the service accepts.
    #[error("{amount_msat} msat outside the accepted range {min_msat}..={max_msat}")]
    AmountOutOfRange {
        /// The requested amount.
        amount_msat: u64,
        /// `minSendable`.
        min_msat: u64,
        /// `maxSendable`.
        max_msat: u64,
    },
    /// The amount in sats does not fit in msat.
    #[error("amount too large")]
    AmountOverflow,
    /// The returned `pr` is not a valid BOLT 11 invoice. (The parse error is kept as a
    /// field, not a `#[source]`: it implements `std::error::Error` only with
    /// lightning-invoice's `std` feature.)
    #[error("LNURL service returned an invalid invoice: {0}")]
    InvoiceUnparseable(lightning_invoice::ParseOrSemanticError),
    /// The returned invoice is not for the requested amount.
    #[error("invoice amount {found_msat:?} msat differs from the requested {expected_msat} msat")]
    InvoiceAmountMismatch {
        /// The requested amount.
        expected_msat: u64,
        /// The invoice's amount (`None` = amountless).
        found_msat: Option<u64>,
    },
    /// The returned invoice's description hash is not SHA-256 of the metadata.
    #[error("invoice description hash does not commit to the LNURL metadata")]
    DescriptionHashMismatch,
}
