//! The consumer of the Lightning node's single invoice event stream: a hold invoice
//! accepted or canceled becomes an input of the order that owns it.
//!
//! Events are idempotent for the engine (a second "accepted" is refused silently), so
//! replays after a node reconnection are harmless. A lagging receiver reconciles every
//! open order with a lookup instead.

use std::sync::Arc;

use tokio::sync::broadcast::{self, error::RecvError};

use crate::engine::Input;
use crate::lightning::{InvoiceEvent, InvoiceState};

use super::Inner;

/// The engine input an invoice state stands for, if any.
pub(super) fn input_for(state: &InvoiceState) -> Option<Input> {
    match state {
        InvoiceState::Accepted { .. } => Some(Input::HoldInvoiceAccepted {
            htlc_expiry_height: state.earliest_htlc_expiry(),
        }),
        InvoiceState::Canceled => Some(Input::HoldInvoiceCanceled),
        InvoiceState::Open | InvoiceState::Settled => None,
    }
}

/// Consumes `events` until shutdown or the end of the stream.
pub(super) async fn run(inner: &Arc<Inner>, mut events: broadcast::Receiver<InvoiceEvent>) {
    loop {
        let received = tokio::select! {
            () = inner.stop.cancelled() => return,
            received = events.recv() => received,
        };
        match received {
            Ok(event) => route(inner, event).await,
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "invoice events lagged; reconciling open orders");
                if let Err(error) = inner.reconcile_holds().await {
                    tracing::error!(
                        error = &error as &dyn std::error::Error,
                        "reconciliation failed"
                    );
                }
            }
            Err(RecvError::Closed) => {
                tracing::info!("invoice event stream closed");
                return;
            }
        }
    }
}

async fn route(inner: &Arc<Inner>, event: InvoiceEvent) {
    let Some(input) = input_for(&event.state) else {
        return;
    };
    match inner.store.orders().by_hold_hash(event.hash.0).await {
        Ok(Some(order)) => {
            tracing::debug!(order_id = %order.id, payment_hash = %event.hash, ?input, "invoice event");
            inner.spawn_input(order.id, input);
        }
        Ok(None) => tracing::debug!(payment_hash = %event.hash, "event for an unknown invoice"),
        Err(error) => tracing::error!(
            payment_hash = %event.hash,
            error = &error as &dyn std::error::Error,
            "cannot map invoice event to an order"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_carries_the_earliest_htlc_expiry() {
        let state = InvoiceState::Accepted {
            htlc_expiry_heights: vec![300, 244, 260],
        };
        assert_eq!(
            input_for(&state),
            Some(Input::HoldInvoiceAccepted {
                htlc_expiry_height: Some(244)
            })
        );
        assert_eq!(
            input_for(&InvoiceState::Canceled),
            Some(Input::HoldInvoiceCanceled)
        );
        assert_eq!(input_for(&InvoiceState::Open), None);
        assert_eq!(input_for(&InvoiceState::Settled), None);
    }
}
