//! The Lightning port's error type.

use std::time::Duration;

use super::types::PaymentHash;

/// A boxed error from the backend, kept as the source of a [`LightningError`].
pub type BackendError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a call to the Lightning node failed.
///
/// Transient failures ([`LightningError::is_transient`]) may succeed when
/// retried; the others will not. After a transient failure of a call that moves
/// money (settle, cancel, pay) the caller must ask the node what really happened
/// (`lookup_invoice`, `track_payment`) before acting again.
#[derive(Debug, thiserror::Error)]
pub enum LightningError {
    /// The connection settings are unusable (bad address, unreadable TLS
    /// certificate or macaroon).
    #[error("invalid lightning node configuration: {what}")]
    Config {
        /// What is wrong.
        what: String,
        /// The underlying error, when there is one.
        #[source]
        source: Option<BackendError>,
    },
    /// The node could not be reached, or it is starting or shutting down.
    #[error("lightning node unavailable during {operation}")]
    Unavailable {
        /// The operation that failed.
        operation: &'static str,
        /// The transport or server error.
        #[source]
        source: BackendError,
    },
    /// The node did not answer in time.
    #[error("{operation} timed out after {after:?}")]
    Timeout {
        /// The operation that timed out.
        operation: &'static str,
        /// How long we waited.
        after: Duration,
    },
    /// The node does not know this invoice.
    #[error("invoice {hash} not found")]
    InvoiceNotFound {
        /// The hash looked up.
        hash: PaymentHash,
    },
    /// An invoice with this hash already exists.
    #[error("invoice {hash} already exists")]
    InvoiceExists {
        /// The duplicated hash.
        hash: PaymentHash,
    },
    /// The node refused the request (wrong invoice state, invalid argument,
    /// permission denied, ...).
    #[error("lightning node rejected {operation}")]
    Rejected {
        /// The operation that was refused.
        operation: &'static str,
        /// The node's error.
        #[source]
        source: BackendError,
    },
    /// The request cannot be expressed to the node (for instance an amount
    /// out of the node's range).
    #[error("invalid {operation} request: {detail}")]
    InvalidRequest {
        /// The operation.
        operation: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// The node's answer could not be understood.
    #[error("unexpected answer to {operation}: {detail}")]
    Protocol {
        /// The operation whose answer was malformed.
        operation: &'static str,
        /// What was wrong with it.
        detail: String,
    },
    /// The Lightning backend has been shut down.
    #[error("lightning backend shut down")]
    ShutDown,
}

impl LightningError {
    /// True for failures that may go away if the call is retried later.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Unavailable { .. } | Self::Timeout { .. } | Self::ShutDown
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_classification() {
        let io = std::io::Error::other("refused");
        assert!(LightningError::Unavailable {
            operation: "settle",
            source: Box::new(io)
        }
        .is_transient());
        assert!(LightningError::Timeout {
            operation: "pay",
            after: Duration::from_secs(1)
        }
        .is_transient());
        assert!(!LightningError::InvoiceNotFound {
            hash: PaymentHash([0; 32])
        }
        .is_transient());
    }

    #[test]
    fn source_is_kept() {
        use std::error::Error as _;
        let err = LightningError::Rejected {
            operation: "cancel",
            source: Box::new(std::io::Error::other("invoice already settled")),
        };
        let source = err.source().map(|s| s.to_string());
        assert_eq!(source.as_deref(), Some("invoice already settled"));
    }
}
