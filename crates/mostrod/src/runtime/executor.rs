//! The effect executor: settle, cancel and pay after the intent is committed
//! (DESIGN.md invariant 2), and feed the results back to the order's writer.
//!
//! Effects of one transition run in order, and a failed settle stops the rest: the
//! buyer is never paid from an escrow that was not settled. A failed settle or cancel
//! is logged; start-up recovery finishes it from the committed record. A payment whose
//! outcome is unknown is tracked, never re-sent: the payout's payment hash is its
//! idempotency key.

use std::str::FromStr;
use std::sync::Arc;

use lightning_invoice::Bolt11Invoice;
use uuid::Uuid;

use crate::engine::{Effect, Input};
use crate::lightning::{PayRequest, PaymentFailure, PaymentHash, PaymentOutcome, Preimage};

use super::error::HandleError;
use super::Inner;

impl Inner {
    /// Runs `effects` for `order_id` in order.
    #[tracing::instrument(skip_all, fields(order_id = %order_id))]
    pub(super) async fn run_effects(self: Arc<Self>, order_id: Uuid, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::SettleHoldInvoice { hash, preimage } => {
                    let call = self.lightning.settle_hold_invoice(Preimage(preimage));
                    if let Err(error) = self.ln_call("settle_hold_invoice", call).await {
                        tracing::error!(
                            payment_hash = %PaymentHash(hash),
                            error = &error as &dyn std::error::Error,
                            "settling the escrow failed; recovery will retry it"
                        );
                        return;
                    }
                    tracing::info!(payment_hash = %PaymentHash(hash), "escrow settled");
                }
                Effect::CancelHoldInvoice { hash } => {
                    let call = self.lightning.cancel_hold_invoice(PaymentHash(hash));
                    match self.ln_call("cancel_hold_invoice", call).await {
                        Ok(()) => {
                            tracing::info!(payment_hash = %PaymentHash(hash), "escrow canceled")
                        }
                        Err(error) => tracing::error!(
                            payment_hash = %PaymentHash(hash),
                            error = &error as &dyn std::error::Error,
                            "canceling the escrow failed; recovery will retry it"
                        ),
                    }
                }
                Effect::PayBuyer {
                    payment_hash,
                    bolt11,
                    amount_sats,
                    fee_limit_sats,
                    attempt,
                } => {
                    tracing::info!(attempt, payment_hash = %PaymentHash(payment_hash), "paying the buyer");
                    let outcome = self.pay(&bolt11, amount_sats, fee_limit_sats).await;
                    self.finish_payment(order_id, PaymentHash(payment_hash), outcome)
                        .await;
                }
            }
        }
    }

    /// One payment attempt. `None` when the outcome is unknown (the call failed or
    /// timed out): the payment may have started.
    async fn pay(
        &self,
        bolt11: &str,
        amount_sats: u64,
        fee_limit_sats: u64,
    ) -> Option<PaymentOutcome> {
        // The amount goes with amountless invoices only.
        let amountless = Bolt11Invoice::from_str(bolt11.trim())
            .map(|i| i.amount_milli_satoshis().is_none())
            .unwrap_or(false);
        let request = PayRequest {
            payment_request: bolt11.to_owned(),
            amount_sat: amountless.then_some(amount_sats),
            fee_limit_sat: fee_limit_sats,
            timeout: self.timeouts.payment,
        };
        let patience = self.timeouts.payment + self.timeouts.lightning_call;
        match tokio::time::timeout(patience, self.lightning.pay_invoice(request)).await {
            Ok(Ok(outcome)) => Some(outcome),
            Ok(Err(error)) => {
                tracing::warn!(
                    error = &error as &dyn std::error::Error,
                    "payout call failed; tracking it"
                );
                None
            }
            Err(_) => {
                tracing::warn!("payout call timed out; tracking it");
                None
            }
        }
    }

    /// Follows a payment to its final outcome and feeds it to the order's writer.
    /// `outcome = None` means unknown: a payment the node never started counts as
    /// failed (so it may be retried without paying twice). Stops on shutdown; recovery
    /// picks the payment up again.
    pub(super) async fn finish_payment(
        self: &Arc<Self>,
        order_id: Uuid,
        hash: PaymentHash,
        mut outcome: Option<PaymentOutcome>,
    ) {
        let input = loop {
            match outcome {
                Some(PaymentOutcome::Succeeded { fee_msat, .. }) => {
                    break Input::PayoutSucceeded {
                        payment_hash: hash.0,
                        routing_fee_sats: fee_msat.div_ceil(1000),
                    };
                }
                Some(PaymentOutcome::Failed { reason }) => {
                    tracing::warn!(payment_hash = %hash, %reason, "payout failed");
                    break Input::PayoutFailed {
                        payment_hash: hash.0,
                    };
                }
                Some(PaymentOutcome::InFlight) | None => {}
            }
            let was_unknown = outcome.is_none();
            tokio::select! {
                () = self.stop.cancelled() => return,
                () = tokio::time::sleep(self.timeouts.track_poll) => {}
            }
            outcome = match self
                .ln_call("track_payment", self.lightning.track_payment(hash))
                .await
            {
                Ok(Some(found)) => Some(found),
                // Never started: paying again cannot pay twice, so it counts as failed.
                Ok(None) => Some(PaymentOutcome::Failed {
                    reason: PaymentFailure::Error,
                }),
                Err(error) => {
                    tracing::debug!(
                        error = &error as &dyn std::error::Error,
                        "track_payment failed"
                    );
                    if was_unknown {
                        None
                    } else {
                        Some(PaymentOutcome::InFlight)
                    }
                }
            };
        };
        if let Err(error) = self.step(order_id, input).await {
            log_feedback_error(order_id, &error);
        }
    }
}

fn log_feedback_error(order_id: Uuid, error: &HandleError) {
    tracing::error!(
        %order_id,
        error = error as &dyn std::error::Error,
        "recording the payout result failed; recovery will retry"
    );
}
