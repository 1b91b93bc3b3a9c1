//! Errors of the relay pool.

use std::time::Duration;

/// Failure of a [`crate::RelayPool`] operation.
///
/// Per-relay problems while publishing are not errors: they are reported in
/// [`crate::PublishOutcome`] so the caller can apply its own success policy.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// A relay URL could not be parsed or is not `ws://`/`wss://`.
    #[error("invalid relay url {url:?}")]
    InvalidUrl {
        /// The rejected input.
        url: String,
        /// Parse error.
        #[source]
        source: nostr::error::Error,
    },
    /// The pool was created without any relay.
    #[error("no relay url given")]
    NoRelays,
    /// No relay was connected within the allowed time.
    #[error("no relay connected within {timeout:?}")]
    NoConnectedRelay {
        /// How long the call waited.
        timeout: Duration,
    },
}
