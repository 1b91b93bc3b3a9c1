//! Outgoing payments over LND's `routerrpc`: pay and track.

use std::str::FromStr;
use std::time::Duration;

use fedimint_tonic_lnd::lnrpc::{payment::PaymentStatus, Payment, PaymentFailureReason};
use fedimint_tonic_lnd::routerrpc::{SendPaymentRequest, TrackPaymentRequest};
use fedimint_tonic_lnd::tonic::{Code, Status, Streaming};
use lightning_invoice::Bolt11Invoice;
use tokio::time::Instant;

use super::connect::Connection;
use super::status::{is_already_exists, map_status};
use crate::lightning::error::LightningError;
use crate::lightning::types::{PayRequest, PaymentFailure, PaymentHash, PaymentOutcome, Preimage};

/// Pays an invoice and waits for the final answer, at most the payment
/// timeout plus one call timeout.
pub(crate) async fn pay(
    conn: &Connection,
    request: &PayRequest,
) -> Result<PaymentOutcome, LightningError> {
    const OP: &str = "send_payment";
    let amt = match request.amount_sat {
        Some(sats) => i64::try_from(sats).map_err(|_| LightningError::InvalidRequest {
            operation: OP,
            detail: format!("amount {sats} is out of range"),
        })?,
        None => 0,
    };
    let fee_limit_sat =
        i64::try_from(request.fee_limit_sat).map_err(|_| LightningError::InvalidRequest {
            operation: OP,
            detail: format!("fee limit {} is out of range", request.fee_limit_sat),
        })?;
    let timeout_seconds = lnd_timeout_seconds(request.timeout);
    let message = SendPaymentRequest {
        payment_request: request.payment_request.clone(),
        amt,
        fee_limit_sat,
        timeout_seconds,
        no_inflight_updates: true,
        ..Default::default()
    };

    let call_timeout = conn.config().call_timeout;
    let deadline = Instant::now() + request.timeout.saturating_add(call_timeout);
    let (mut client, _) = conn.client();
    let opened = tokio::time::timeout(call_timeout, client.router().send_payment_v2(message)).await;
    let mut stream = match opened {
        Err(_) => {
            return Err(LightningError::Timeout {
                operation: OP,
                after: call_timeout,
            })
        }
        Ok(Err(status)) if is_already_exists(&status) => {
            // Paid or being paid already: report that payment, never a second one.
            return already_started(conn, &request.payment_request, status).await;
        }
        Ok(Err(status)) => return Err(map_status(OP, status)),
        Ok(Ok(response)) => response.into_inner(),
    };

    let mut updates = 0usize;
    loop {
        match tokio::time::timeout_at(deadline, stream.message()).await {
            Err(_) => {
                tracing::warn!("payment still in flight at its deadline");
                return Ok(PaymentOutcome::InFlight);
            }
            Ok(Ok(Some(payment))) => {
                updates += 1;
                let outcome = outcome_of(OP, &payment)?;
                if outcome != PaymentOutcome::InFlight {
                    return Ok(outcome);
                }
            }
            Ok(Ok(None)) => {
                tracing::warn!("payment stream ended without a final state");
                return Ok(PaymentOutcome::InFlight);
            }
            Ok(Err(status)) if updates == 0 && !super::status::is_transient(&status) => {
                if is_already_exists(&status) {
                    return already_started(conn, &request.payment_request, status).await;
                }
                return Err(map_status(OP, status));
            }
            Ok(Err(status)) => {
                tracing::warn!(code = ?status.code(), "payment stream broke; the payment must be tracked");
                return Ok(PaymentOutcome::InFlight);
            }
        }
    }
}

/// LND refused a payment because one with this hash exists: report it.
async fn already_started(
    conn: &Connection,
    payment_request: &str,
    status: Status,
) -> Result<PaymentOutcome, LightningError> {
    const OP: &str = "send_payment";
    let hash = Bolt11Invoice::from_str(payment_request)
        .ok()
        .and_then(|invoice| PaymentHash::from_slice(invoice.payment_hash().as_ref()).ok());
    let Some(hash) = hash else {
        return Err(map_status(OP, status));
    };
    tracing::info!(payment_hash = %hash, "payment already known to LND; tracking it");
    match track(conn, hash).await? {
        Some(outcome) => Ok(outcome),
        None => Err(map_status(OP, status)),
    }
}

fn is_payment_not_found(status: &Status) -> bool {
    status.code() == Code::NotFound
        || status.message().contains("not initiated")
        || status.message().contains("not found")
}

/// The current state of a payment, `None` if LND never started it.
pub(crate) async fn track(
    conn: &Connection,
    hash: PaymentHash,
) -> Result<Option<PaymentOutcome>, LightningError> {
    const OP: &str = "track_payment";
    let call_timeout = conn.config().call_timeout;
    let (mut client, _) = conn.client();
    let message = TrackPaymentRequest {
        payment_hash: hash.0.to_vec(),
        no_inflight_updates: false,
    };
    let deadline = Instant::now() + call_timeout;
    let opened = tokio::time::timeout_at(deadline, client.router().track_payment_v2(message)).await;
    let mut stream: Streaming<Payment> = match opened {
        Err(_) => {
            return Err(LightningError::Timeout {
                operation: OP,
                after: call_timeout,
            })
        }
        Ok(Err(status)) if is_payment_not_found(&status) => return Ok(None),
        Ok(Err(status)) => return Err(map_status(OP, status)),
        Ok(Ok(response)) => response.into_inner(),
    };
    match tokio::time::timeout_at(deadline, stream.message()).await {
        Err(_) => Err(LightningError::Timeout {
            operation: OP,
            after: call_timeout,
        }),
        Ok(Ok(Some(payment))) => outcome_of(OP, &payment).map(Some),
        Ok(Ok(None)) => Err(LightningError::Protocol {
            operation: OP,
            detail: "track stream closed without an update".to_owned(),
        }),
        Ok(Err(status)) if is_payment_not_found(&status) => Ok(None),
        Ok(Err(status)) => Err(map_status(OP, status)),
    }
}

/// Maps a payment update to an outcome.
pub(crate) fn outcome_of(
    operation: &'static str,
    payment: &Payment,
) -> Result<PaymentOutcome, LightningError> {
    let status = PaymentStatus::try_from(payment.status).map_err(|_| LightningError::Protocol {
        operation,
        detail: format!("unknown payment status {}", payment.status),
    })?;
    Ok(match status {
        PaymentStatus::Succeeded => {
            let preimage = Preimage::from_str(&payment.payment_preimage).map_err(|_| {
                LightningError::Protocol {
                    operation,
                    detail: "succeeded payment without a valid preimage".to_owned(),
                }
            })?;
            PaymentOutcome::Succeeded {
                preimage,
                fee_msat: u64::try_from(payment.fee_msat).unwrap_or(0),
            }
        }
        PaymentStatus::Failed => PaymentOutcome::Failed {
            reason: failure_of(payment.failure_reason),
        },
        PaymentStatus::Unknown | PaymentStatus::InFlight | PaymentStatus::Initiated => {
            PaymentOutcome::InFlight
        }
    })
}

fn failure_of(reason: i32) -> PaymentFailure {
    match PaymentFailureReason::try_from(reason) {
        Ok(PaymentFailureReason::FailureReasonTimeout) => PaymentFailure::Timeout,
        Ok(PaymentFailureReason::FailureReasonNoRoute) => PaymentFailure::NoRoute,
        Ok(PaymentFailureReason::FailureReasonIncorrectPaymentDetails) => {
            PaymentFailure::IncorrectDetails
        }
        Ok(PaymentFailureReason::FailureReasonInsufficientBalance) => {
            PaymentFailure::InsufficientBalance
        }
        Ok(PaymentFailureReason::FailureReasonCanceled) => PaymentFailure::Canceled,
        Ok(PaymentFailureReason::FailureReasonError)
        | Ok(PaymentFailureReason::FailureReasonNone)
        | Err(_) => PaymentFailure::Error,
    }
}

/// The payment timeout in LND's unit: whole seconds, at least one.
fn lnd_timeout_seconds(timeout: Duration) -> i32 {
    i32::try_from(timeout.as_secs().max(1)).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payment(status: PaymentStatus) -> Payment {
        Payment {
            status: status as i32,
            ..Default::default()
        }
    }

    #[test]
    fn succeeded_payment_carries_preimage_and_fee() {
        let preimage = Preimage([5; 32]);
        let p = Payment {
            payment_preimage: preimage.to_hex(),
            fee_msat: 2500,
            ..payment(PaymentStatus::Succeeded)
        };
        let outcome = outcome_of("test", &p).unwrap();
        assert_eq!(
            outcome,
            PaymentOutcome::Succeeded {
                preimage,
                fee_msat: 2500
            }
        );
        assert_eq!(outcome.fee_sat(), Some(3));
    }

    #[test]
    fn succeeded_without_preimage_is_an_error() {
        let p = payment(PaymentStatus::Succeeded);
        assert!(matches!(
            outcome_of("test", &p),
            Err(LightningError::Protocol { .. })
        ));
    }

    #[test]
    fn failure_reasons_are_classified() {
        let cases = [
            (
                PaymentFailureReason::FailureReasonNoRoute,
                PaymentFailure::NoRoute,
            ),
            (
                PaymentFailureReason::FailureReasonTimeout,
                PaymentFailure::Timeout,
            ),
            (
                PaymentFailureReason::FailureReasonIncorrectPaymentDetails,
                PaymentFailure::IncorrectDetails,
            ),
            (
                PaymentFailureReason::FailureReasonInsufficientBalance,
                PaymentFailure::InsufficientBalance,
            ),
            (
                PaymentFailureReason::FailureReasonCanceled,
                PaymentFailure::Canceled,
            ),
            (
                PaymentFailureReason::FailureReasonError,
                PaymentFailure::Error,
            ),
        ];
        for (lnd, ours) in cases {
            let p = Payment {
                failure_reason: lnd as i32,
                ..payment(PaymentStatus::Failed)
            };
            assert_eq!(
                outcome_of("test", &p).unwrap(),
                PaymentOutcome::Failed { reason: ours }
            );
        }
    }

    #[test]
    fn pending_states_are_in_flight() {
        for s in [
            PaymentStatus::InFlight,
            PaymentStatus::Initiated,
            PaymentStatus::Unknown,
        ] {
            assert_eq!(
                outcome_of("test", &payment(s)).unwrap(),
                PaymentOutcome::InFlight
            );
        }
        let bogus = Payment {
            status: 99,
            ..Default::default()
        };
        assert!(outcome_of("test", &bogus).is_err());
    }

    #[test]
    fn timeout_is_at_least_one_second() {
        assert_eq!(lnd_timeout_seconds(Duration::from_millis(10)), 1);
        assert_eq!(lnd_timeout_seconds(Duration::from_secs(60)), 60);
    }
}
