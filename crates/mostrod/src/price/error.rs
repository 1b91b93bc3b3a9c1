//! Why a price could not be fetched or quoted.

/// A price provider failed, or no usable price exists for a currency.
#[derive(Debug, thiserror::Error)]
pub enum PriceError {
    /// The HTTP client could not be built (TLS roots, settings).
    #[error("cannot build the HTTP client")]
    Client(#[source] reqwest::Error),
    /// The provider URL could not be formed from the configured base.
    #[error("bad URL for price provider {provider}")]
    BadUrl {
        /// The provider's id.
        provider: &'static str,
        /// The parse failure.
        #[source]
        source: url::ParseError,
    },
    /// The request did not complete in time.
    #[error("price provider {provider} timed out")]
    Timeout {
        /// The provider's id.
        provider: &'static str,
    },
    /// Connection or protocol failure.
    #[error("price provider {provider} unreachable")]
    Transport {
        /// The provider's id.
        provider: &'static str,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The provider answered with a non-success HTTP status.
    #[error("price provider {provider} answered HTTP {status}")]
    Status {
        /// The provider's id.
        provider: &'static str,
        /// The HTTP status code.
        status: u16,
    },
    /// The response body exceeded the size limit.
    #[error("price provider {provider} sent more than {limit} bytes")]
    BodyTooLarge {
        /// The provider's id.
        provider: &'static str,
        /// The limit, in bytes.
        limit: usize,
    },
    /// The body was not the JSON shape the provider documents.
    #[error("price provider {provider} sent malformed JSON")]
    Malformed {
        /// The provider's id.
        provider: &'static str,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },
    /// The body parsed but held no usable (positive, finite) rate.
    #[error("price provider {provider} returned no usable rate")]
    NoRates {
        /// The provider's id.
        provider: &'static str,
    },
    /// No provider has ever delivered a price for this currency.
    #[error("no market price known for {currency}")]
    Unknown {
        /// The fiat code asked for.
        currency: String,
    },
    /// The latest price is older than `max_price_staleness_seconds`.
    #[error("market price for {currency} is {age_secs} s old (limit {max_age_secs} s)")]
    Stale {
        /// The fiat code asked for.
        currency: String,
        /// Age of the latest price, in seconds.
        age_secs: u64,
        /// The configured limit, in seconds.
        max_age_secs: u64,
    },
}
