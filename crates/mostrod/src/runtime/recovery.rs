//! Start-up recovery (DESIGN.md invariant 2): before intake opens, every open order
//! is reconciled with the Lightning node, which knows what really happened while the
//! daemon was down.
//!
//! * escrow states: the hold invoice is watched again and looked up; accepted or
//!   canceled meanwhile becomes the matching input;
//! * `settled-hold-invoice`: an escrow still only accepted is settled again (the
//!   intent was committed); a payout recorded in flight is tracked: succeeded and
//!   failed become inputs, never started is paid now; a payout not started yet or due
//!   for retry is left to its deadline;
//! * every open order's deadline is queued.

use std::sync::Arc;

use mostro_protocol::status::Status;

use crate::engine::{self, Effect, Input};
use crate::lightning::{max_routing_fee_sat, InvoiceState, PaymentHash};
use crate::model::{Order, Payout};
use crate::nostr::KnownKeysSource;
use crate::store::StoreError;

use super::lightning_events::input_for;
use super::Inner;

/// Reconciles every open order and queues its deadline.
pub(super) async fn recover(inner: &Arc<Inner>) -> Result<(), StoreError> {
    inner
        .known_keys
        .replace(inner.store.load_known_keys().await?);
    let orders = inner.store.orders().open().await?;
    tracing::info!(open_orders = orders.len(), "start-up recovery");
    for order in &orders {
        inner
            .timers
            .schedule(order.id, engine::next_deadline(order, &inner.engine));
    }
    for order in orders {
        inner.recover_order(order, true).await;
    }
    Ok(())
}

impl Inner {
    /// Looks up the hold invoice of every open order again (after the event stream
    /// lagged), without re-running settlements or payouts.
    pub(super) async fn reconcile_holds(self: &Arc<Self>) -> Result<(), StoreError> {
        for order in self.store.orders().open().await? {
            self.recover_order(order, false).await;
        }
        Ok(())
    }

    /// Reconciles one order; failures are logged and left for the next start.
    async fn recover_order(self: &Arc<Self>, order: Order, finish_intents: bool) {
        let Some(hold) = &order.hold_invoice else {
            return;
        };
        let hash = PaymentHash(hold.hash);
        let escrow = matches!(
            order.status,
            Status::WaitingPayment
                | Status::WaitingBuyerInvoice
                | Status::Active
                | Status::FiatSent
                | Status::Dispute
        );
        let settled = order.status == Status::SettledHoldInvoice;
        if !(escrow || (settled && finish_intents)) {
            return;
        }
        if escrow {
            self.lightning.watch_invoice(hash);
        }
        let state = match self
            .ln_call("lookup_invoice", self.lightning.lookup_invoice(hash))
            .await
        {
            Ok(snapshot) => snapshot.state,
            Err(error) => {
                tracing::warn!(
                    order_id = %order.id,
                    error = &error as &dyn std::error::Error,
                    "cannot look up the escrow; left as is"
                );
                return;
            }
        };
        if escrow {
            if let Some(input) = input_for(&state) {
                if let Err(error) = self.step(order.id, input).await {
                    tracing::error!(order_id = %order.id, error = &error as &dyn std::error::Error, "recovery input failed");
                }
            }
            return;
        }
        // settled-hold-invoice: finish the settlement, then the payout.
        if matches!(state, InvoiceState::Accepted { .. }) {
            tracing::info!(order_id = %order.id, "settling an escrow left accepted");
            let settle = Effect::SettleHoldInvoice {
                hash: hold.hash,
                preimage: hold.preimage,
            };
            Arc::clone(self).run_effects(order.id, vec![settle]).await;
        }
        if let Payout::InFlight {
            payment_hash,
            attempt,
        } = order.payout
        {
            self.recover_payout(&order, PaymentHash(payment_hash), attempt)
                .await;
        }
    }

    /// A payout recorded in flight: ask the node before anything else.
    async fn recover_payout(self: &Arc<Self>, order: &Order, hash: PaymentHash, attempt: u32) {
        match self
            .ln_call("track_payment", self.lightning.track_payment(hash))
            .await
        {
            Ok(Some(outcome)) => {
                let me = Arc::clone(self);
                let order_id = order.id;
                self.spawn_guarded("payout tracking", async move {
                    me.finish_payment(order_id, hash, Some(outcome)).await;
                });
            }
            Ok(None) => {
                // Never sent: pay now, the same invoice, so the hash stays the key.
                let resolved = self.destinations.resolve(order).await;
                match resolved.filter(|r| r.payment_hash == hash.0) {
                    Some(r) => {
                        tracing::info!(order_id = %order.id, "payout was never sent; paying now");
                        let pay = Effect::PayBuyer {
                            payment_hash: r.payment_hash,
                            bolt11: r.bolt11,
                            amount_sats: order.buyer_receives(),
                            fee_limit_sats: max_routing_fee_sat(
                                order.amount,
                                self.engine.max_routing_fee,
                            ),
                            attempt,
                        };
                        let me = Arc::clone(self);
                        let order_id = order.id;
                        self.spawn_guarded("payout", async move {
                            me.run_effects(order_id, vec![pay]).await;
                        });
                    }
                    None => {
                        // The recorded invoice cannot be paid any more: a failed attempt.
                        if let Err(error) = self
                            .step(
                                order.id,
                                Input::PayoutFailed {
                                    payment_hash: hash.0,
                                },
                            )
                            .await
                        {
                            tracing::error!(order_id = %order.id, error = &error as &dyn std::error::Error, "recovery input failed");
                        }
                    }
                }
            }
            Err(error) => {
                tracing::warn!(
                    order_id = %order.id,
                    error = &error as &dyn std::error::Error,
                    "cannot track the payout; following it in the background"
                );
                let me = Arc::clone(self);
                let order_id = order.id;
                self.spawn_guarded("payout tracking", async move {
                    me.finish_payment(order_id, hash, None).await;
                });
            }
        }
    }
}
