//! Mapping of LND's gRPC errors to [`LightningError`].

use std::future::Future;
use std::time::Duration;

use fedimint_tonic_lnd::tonic::{Code, Status};

use crate::lightning::error::LightningError;
use crate::lightning::types::PaymentHash;

/// Messages LND answers with while its RPC server is not ready yet.
const STARTING_UP_MARKERS: [&str; 3] = [
    "in the process of starting",
    "not yet ready",
    "waiting to start",
];

/// Messages LND uses for an unknown invoice.
const INVOICE_NOT_FOUND_MARKERS: [&str; 2] = ["unable to locate invoice", "no existing invoices"];

/// True when the status comes from the transport (connection refused, reset,
/// TLS failure, ...) or says the server is not ready, rather than from LND
/// refusing the request.
pub(crate) fn is_transient(status: &Status) -> bool {
    match status.code() {
        Code::Unavailable | Code::Cancelled | Code::DeadlineExceeded | Code::Aborted => true,
        // Statuses built from a local error carry it as their source; the ones
        // LND sends back never do.
        Code::Unknown | Code::Internal if std::error::Error::source(status).is_some() => true,
        Code::Unknown => {
            let message = status.message();
            STARTING_UP_MARKERS.iter().any(|m| message.contains(m))
        }
        _ => false,
    }
}

/// True when LND says it does not know the invoice.
pub(crate) fn is_invoice_not_found(status: &Status) -> bool {
    status.code() == Code::NotFound
        || INVOICE_NOT_FOUND_MARKERS
            .iter()
            .any(|m| status.message().contains(m))
}

/// True when LND says the thing being created already exists.
pub(crate) fn is_already_exists(status: &Status) -> bool {
    status.code() == Code::AlreadyExists || status.message().contains("already exists")
}

/// The generic mapping: transient failures become `Unavailable`, the rest
/// `Rejected`.
pub(crate) fn map_status(operation: &'static str, status: Status) -> LightningError {
    if is_transient(&status) {
        LightningError::Unavailable {
            operation,
            source: Box::new(status),
        }
    } else {
        LightningError::Rejected {
            operation,
            source: Box::new(status),
        }
    }
}

/// Like [`map_status`], but an unknown invoice becomes `InvoiceNotFound`.
pub(crate) fn map_invoice_status(
    operation: &'static str,
    hash: PaymentHash,
    status: Status,
) -> LightningError {
    if is_invoice_not_found(&status) {
        LightningError::InvoiceNotFound { hash }
    } else {
        map_status(operation, status)
    }
}

/// Runs one gRPC call with a deadline, mapping its error with `map`.
pub(crate) async fn with_timeout<T, F, M>(
    operation: &'static str,
    after: Duration,
    call: F,
    map: M,
) -> Result<T, LightningError>
where
    F: Future<Output = Result<T, Status>>,
    M: FnOnce(Status) -> LightningError,
{
    match tokio::time::timeout(after, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(status)) => Err(map(status)),
        Err(_) => Err(LightningError::Timeout { operation, after }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_refusals_are_not_transient() {
        let status = Status::new(Code::Unknown, "invoice already settled");
        assert!(!is_transient(&status));
        assert!(matches!(
            map_status("cancel", status),
            LightningError::Rejected {
                operation: "cancel",
                ..
            }
        ));
    }

    #[test]
    fn transport_failures_are_transient() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let status = Status::from_error(Box::new(io));
        assert!(is_transient(&status));
        assert!(is_transient(&Status::unavailable("down")));
        let starting = Status::new(
            Code::Unknown,
            "the RPC server is in the process of starting up, but not yet ready to accept calls",
        );
        assert!(is_transient(&starting));
    }

    #[test]
    fn not_found_is_recognised_by_code_or_message() {
        let hash = PaymentHash([1; 32]);
        let by_code = Status::not_found("whatever");
        assert!(matches!(
            map_invoice_status("lookup", hash, by_code),
            LightningError::InvoiceNotFound { .. }
        ));
        let by_message = Status::new(Code::Unknown, "unable to locate invoice");
        assert!(is_invoice_not_found(&by_message));
        assert!(!is_invoice_not_found(&Status::new(Code::Unknown, "other")));
    }

    #[tokio::test]
    async fn slow_calls_time_out() {
        let result: Result<(), LightningError> = with_timeout(
            "get_info",
            Duration::from_millis(10),
            std::future::pending(),
            |s| map_status("get_info", s),
        )
        .await;
        assert!(matches!(
            result,
            Err(LightningError::Timeout {
                operation: "get_info",
                ..
            })
        ));
    }
}
