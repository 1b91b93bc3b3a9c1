//! The single writer of an order (DESIGN.md invariant 1): under the order's lock, load
//! the record and the facts the engine needs, decide, create the hold invoice if the
//! step needs one, render the outbox, commit everything in one transaction, wake the
//! publisher, reschedule the order's deadline; then, with the lock released, run the
//! Lightning effects.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use tracing::Instrument;

use ::nostr::types::Timestamp;
use mostro_protocol::action::Action;
use mostro_protocol::cant_do::CantDoReason;
use mostro_protocol::status::Status;
use uuid::Uuid;

use crate::engine::{
    self, CreatedHoldInvoice, Ctx, Decision, DisputeFacts, DisputeTokens, Effect, HoldInvoicePlan,
    Input, Outgoing, PriceQuote, Refusal, Request, ResolvedPayout, Transition,
};
use crate::lightning::{HoldInvoiceRequest, LightningError, Preimage};
use crate::model::{Dispute, Order, Side, Solver, User};
use crate::store::{Change, OrderUpdate, OutboxItem, ProcessedMark};

use super::error::HandleError;
use super::payout::CheckedValidator;
use super::Inner;

/// What the engine needs besides the record, gathered before deciding.
pub(super) struct Facts {
    pub(super) users: Vec<User>,
    pub(super) pending_order_exists: bool,
    pub(super) price: Option<PriceQuote>,
    pub(super) payout: Option<ResolvedPayout>,
    pub(super) chain_height: Option<u32>,
    pub(super) validator: CheckedValidator,
    pub(super) disputes: Vec<Dispute>,
    pub(super) solvers: Vec<Solver>,
    pub(super) tokens: Option<DisputeTokens>,
}

impl Facts {
    pub(super) fn ctx<'a>(&'a self, inner: &'a Inner) -> Ctx<'a> {
        Ctx {
            settings: &inner.engine,
            validator: &self.validator,
            users: &self.users,
            pending_order_exists: self.pending_order_exists,
            price: self.price,
            payout: self.payout.as_ref(),
            chain_height: self.chain_height,
            fresh_id: Uuid::new_v4(),
            dispute: DisputeFacts {
                disputes: &self.disputes,
                solvers: &self.solvers,
                node_pubkey: Some(inner.keys.public_key()),
                tokens: self.tokens.as_ref(),
            },
        }
    }
}

/// True for requests whose trade index is checked (they also take the identity lock).
fn checks_trade_index(action: Action) -> bool {
    matches!(
        action,
        Action::NewOrder | Action::TakeSell | Action::TakeBuy
    )
}

impl Inner {
    /// Applies one input to one order, one at a time per order.
    ///
    /// Boxed with an explicit `Send`: effects feed their results back through `step`,
    /// so its future type would otherwise depend on itself.
    pub(super) fn step(
        self: &Arc<Self>,
        order_id: Uuid,
        input: Input,
    ) -> BoxFuture<'static, Result<(), HandleError>> {
        self.step_marked(order_id, input, None)
    }

    /// [`Inner::step`] for an input that came from an inbound event: `mark` is
    /// committed with whatever the input causes (DESIGN.md invariant 4).
    pub(super) fn step_marked(
        self: &Arc<Self>,
        order_id: Uuid,
        input: Input,
        mark: Option<ProcessedMark>,
    ) -> BoxFuture<'static, Result<(), HandleError>> {
        let me = Arc::clone(self);
        let span = tracing::debug_span!("order", order_id = %order_id);
        Box::pin(
            async move { me.step_inner(order_id, input, mark).await.map(|_| ()) }.instrument(span),
        )
    }

    /// [`Inner::step`] that also says whether the engine refused the input, and why
    /// (the admin interface reports it to the operator).
    pub(super) fn step_reporting(
        self: &Arc<Self>,
        order_id: Uuid,
        input: Input,
    ) -> BoxFuture<'static, Result<Option<Refusal>, HandleError>> {
        let me = Arc::clone(self);
        let span = tracing::debug_span!("order", order_id = %order_id);
        Box::pin(me.step_inner(order_id, input, None).instrument(span))
    }

    async fn step_inner(
        self: Arc<Self>,
        order_id: Uuid,
        input: Input,
        mark: Option<ProcessedMark>,
    ) -> Result<Option<Refusal>, HandleError> {
        let request = match &input {
            Input::Request(r) => Some(r.clone()),
            _ => None,
        };
        // Identity before order, always in this order: no deadlock.
        let identity_guard = match &request {
            Some(r) if checks_trade_index(r.action) => {
                Some(self.identity_locks.lock(r.identity).await)
            }
            _ => None,
        };
        let order_guard = self.order_locks.lock(order_id).await;
        let effects = self
            .step_locked(order_id, input, request.as_ref(), mark)
            .await;
        drop(order_guard);
        drop(identity_guard);
        let (effects, refusal) = effects?;
        if !effects.is_empty() {
            let me = Arc::clone(&self);
            self.spawn_guarded(
                "effects",
                async move { me.run_effects(order_id, effects).await },
            );
        }
        Ok(refusal)
    }

    async fn step_locked(
        &self,
        order_id: Uuid,
        input: Input,
        request: Option<&Request>,
        mark: Option<ProcessedMark>,
    ) -> Result<(Vec<Effect>, Option<Refusal>), HandleError> {
        let now = self.clock.now();
        let Some(order) = self.store.orders().get(order_id).await? else {
            return match request {
                Some(r) => {
                    let refusal = Refusal::CantDo(CantDoReason::NotFound);
                    self.refuse(refusal, r, now, mark).await?;
                    Ok((Vec::new(), Some(refusal)))
                }
                None => Err(HandleError::OrderNotFound(order_id)),
            };
        };
        let facts = self.facts(&order, &input, request).await?;
        let decision = engine::handle(&order, input, &facts.ctx(self), now);
        let transition = match decision {
            Ok(Decision::Commit(t)) => t,
            Ok(Decision::NeedsHoldInvoice(plan)) => {
                let created = self.create_hold_invoice(&plan).await?;
                match engine::complete_hold_invoice(plan, created, self.clock.now()) {
                    Ok(t) => t,
                    Err(refusal) => {
                        self.refused(&order, refusal, request, now, mark).await?;
                        return Ok((Vec::new(), Some(refusal)));
                    }
                }
            }
            Err(refusal) => {
                self.refused(&order, refusal, request, now, mark).await?;
                return Ok((Vec::new(), Some(refusal)));
            }
        };
        let forced_refund = request.is_none()
            && order.status == Status::Dispute
            && transition.order.status == Status::CanceledByAdmin;
        let effects = self.commit(transition, &facts.users, now, mark).await?;
        if forced_refund {
            tracing::warn!(
                %order_id,
                "dispute still open at the escrow deadline: seller refunded"
            );
        }
        Ok((effects, None))
    }

    /// Loads the users, checks and quotes the engine may need for `input`.
    async fn facts(
        &self,
        order: &Order,
        input: &Input,
        request: Option<&Request>,
    ) -> Result<Facts, HandleError> {
        let mut identities = Vec::new();
        identities.extend(request.map(|r| r.identity));
        identities.push(order.maker.identity_pubkey);
        identities.extend(order.taker.as_ref().map(|t| t.identity_pubkey));
        let users = self.load_users(identities).await?;

        let users_orders = self.store.orders();
        let pending_order_exists = match request {
            Some(r) if r.action == Action::TakeSell => {
                users_orders
                    .exists_as(r.identity, Side::Buyer, Status::WaitingBuyerInvoice)
                    .await?
            }
            Some(r) if r.action == Action::TakeBuy => {
                users_orders
                    .exists_as(r.identity, Side::Seller, Status::WaitingPayment)
                    .await?
            }
            _ => false,
        };
        let price = self.price_of(&order.fiat_code, order.amount == 0);
        let may_pay = match input {
            Input::Request(r) => matches!(r.action, Action::Release | Action::AdminSettle),
            Input::Deadline => order.status == Status::SettledHoldInvoice,
            _ => false,
        };
        let payout = if may_pay {
            self.destinations.resolve(order).await
        } else {
            None
        };
        let guarded = matches!(
            order.status,
            Status::Active | Status::FiatSent | Status::Dispute
        );
        let taking = request.is_some_and(|r| r.action == Action::AdminTakeDispute);
        let chain_height = if (matches!(input, Input::Deadline) && guarded) || taking {
            self.ln_call("chain_height", self.lightning.chain_height())
                .await
                .inspect_err(|error| {
                    tracing::warn!(
                        error = error as &dyn std::error::Error,
                        "chain height unknown"
                    );
                })
                .ok()
        } else {
            None
        };
        let disputed = self.dispute_facts(order, request).await?;
        Ok(Facts {
            users,
            pending_order_exists,
            price,
            payout,
            chain_height,
            validator: self.destinations.prepare(request).await,
            disputes: disputed.disputes,
            solvers: disputed.solvers,
            tokens: disputed.tokens,
        })
    }

    /// The user rows of `identities` that exist (each loaded once).
    pub(super) async fn load_users(
        &self,
        mut identities: Vec<::nostr::key::PublicKey>,
    ) -> Result<Vec<User>, HandleError> {
        identities.sort();
        identities.dedup();
        let mut users = Vec::with_capacity(identities.len());
        for identity in identities {
            users.extend(self.store.users().get(identity).await?);
        }
        Ok(users)
    }

    /// The latest quote for `fiat_code` when the order is priced from the market.
    pub(super) fn price_of(&self, fiat_code: &str, market: bool) -> Option<PriceQuote> {
        market
            .then(|| self.price.as_ref()?.latest(fiat_code))
            .flatten()
    }

    /// Runs a Lightning call with the configured timeout.
    pub(super) async fn ln_call<T>(
        &self,
        operation: &'static str,
        call: impl Future<Output = Result<T, LightningError>>,
    ) -> Result<T, HandleError> {
        let after = self.timeouts.lightning_call;
        match tokio::time::timeout(after, call).await {
            Ok(result) => Ok(result?),
            Err(_) => Err(HandleError::Timeout { operation, after }),
        }
    }

    /// Creates the escrow hold invoice for `plan` with a fresh random preimage.
    async fn create_hold_invoice(
        &self,
        plan: &HoldInvoicePlan,
    ) -> Result<CreatedHoldInvoice, HandleError> {
        let preimage = Preimage::random();
        let hash = preimage.payment_hash();
        let request = HoldInvoiceRequest {
            hash,
            amount_sat: plan.amount_sats,
            memo: plan.memo.clone(),
            cltv_delta: plan.cltv_delta,
            expiry: Duration::from_secs(self.engine.expiration_seconds),
        };
        let invoice = self
            .ln_call(
                "create_hold_invoice",
                self.lightning.create_hold_invoice(request),
            )
            .await?;
        tracing::debug!(payment_hash = %hash, "hold invoice created");
        Ok(CreatedHoldInvoice {
            hash: hash.0,
            preimage: preimage.0,
            bolt11: invoice.payment_request,
        })
    }

    /// After a refusal: answer a request's sender if the protocol says so, and keep
    /// the order's deadline queued if it lies ahead.
    async fn refused(
        &self,
        order: &Order,
        refusal: Refusal,
        request: Option<&Request>,
        now: Timestamp,
        mark: Option<ProcessedMark>,
    ) -> Result<(), HandleError> {
        if request.is_none() {
            // A fired deadline was taken off the queue: put back the next one, unless
            // it is already past (the engine saw nothing due, so it would spin).
            let next = engine::next_deadline(order, &self.engine).filter(|at| *at > now);
            if self.timers.deadline_of(order.id).is_none() {
                self.timers.schedule(order.id, next);
            }
        }
        match request {
            Some(r) => self.refuse(refusal, r, now, mark).await,
            None => {
                if let Refusal::Silent(why) = refusal {
                    tracing::debug!(reason = why, "input ignored");
                }
                Ok(())
            }
        }
    }

    /// Answers `request` with `cant-do`, or logs a silent refusal; either way `mark`
    /// is recorded with it.
    pub(super) async fn refuse(
        &self,
        refusal: Refusal,
        request: &Request,
        now: Timestamp,
        mark: Option<ProcessedMark>,
    ) -> Result<(), HandleError> {
        match refusal.reply(request) {
            Some(reply) => self.send(reply, now, mark).await,
            None => {
                if let Refusal::Silent(why) = refusal {
                    tracing::debug!(action = %request.action, reason = why, "request refused silently");
                }
                self.record_handled(mark).await
            }
        }
    }

    /// Records `mark` for a request that causes nothing (a silent refusal).
    pub(super) async fn record_handled(
        &self,
        mark: Option<ProcessedMark>,
    ) -> Result<(), HandleError> {
        if mark.is_some() {
            self.store
                .commit(Change::default().with_processed(mark))
                .await?;
        }
        Ok(())
    }

    /// Queues one reply that no state change causes (with the `mark` of the request
    /// it answers, in the same transaction), and wakes the publisher.
    pub(super) async fn send(
        &self,
        outgoing: Outgoing,
        now: Timestamp,
        mark: Option<ProcessedMark>,
    ) -> Result<(), HandleError> {
        let rendered = self.renderer.render(&outgoing, &mut [], &[], now)?;
        let item = OutboxItem::new(&rendered.event, rendered.order_id, now)?;
        let change = Change::default().with_outbox([item]).with_processed(mark);
        self.store.commit(change).await?;
        self.publisher_wake.notify_one();
        Ok(())
    }

    /// Commits `t` (record, new orders, users, outbox, and the `mark` of the event that
    /// caused it) in one transaction, then wakes the publisher and reschedules
    /// deadlines. Returns the effects to run.
    pub(super) async fn commit(
        &self,
        mut t: Transition,
        users: &[User],
        now: Timestamp,
        mark: Option<ProcessedMark>,
    ) -> Result<Vec<Effect>, HandleError> {
        let rendered = self.renderer.render_transition(&mut t, users, now)?;
        let outbox = rendered
            .iter()
            .map(|r| OutboxItem::new(&r.event, r.order_id, now))
            .collect::<Result<Vec<_>, _>>()?;
        let mut new_orders = Vec::new();
        let order_update = match t.previous_status {
            Some(expected) => Some(OrderUpdate {
                expected,
                order: t.order.clone(),
            }),
            None => {
                new_orders.push(t.order.clone());
                None
            }
        };
        new_orders.extend(t.new_orders.iter().cloned());
        if let Some(dispute) = &t.dispute_resolution {
            tracing::info!(
                order_id = %t.order.id,
                dispute_id = %dispute.id,
                status = %dispute.status,
                "dispute updated"
            );
            if let Some(solver) = dispute.solver_pubkey.filter(|_| dispute.is_open()) {
                self.known_keys.insert(solver);
            }
        }
        let change = Change {
            order_update,
            new_orders,
            user_updates: t.user_updates.clone(),
            dispute_updates: t.dispute_resolution.iter().cloned().collect(),
            solver_updates: Vec::new(),
            outbox,
            processed: mark,
        };
        self.store.commit(change).await?;
        self.publisher_wake.notify_one();
        for order in std::iter::once(&t.order).chain(t.new_orders.iter()) {
            self.timers
                .schedule(order.id, engine::next_deadline(order, &self.engine));
            self.known_keys.insert(order.maker.trade_pubkey);
            if let Some(taker) = &order.taker {
                self.known_keys.insert(taker.trade_pubkey);
            }
        }
        tracing::debug!(
            order_id = %t.order.id,
            status = %t.order.status,
            previous = ?t.previous_status,
            "order committed"
        );
        Ok(t.effects)
    }
}
