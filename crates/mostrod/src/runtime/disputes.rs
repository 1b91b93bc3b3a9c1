//! Dispute plumbing of the runtime: the dispute facts an order's writer loads, the
//! routing of `admin-take-dispute` (whose `id` is a dispute id) to the writer of the
//! dispute's order, and `admin-add-solver`, which concerns no order.

use std::sync::Arc;

use mostro_protocol::action::Action;
use mostro_protocol::dispute_token::dispute_token;
use mostro_protocol::status::Status;

use crate::engine::{self, DisputeTokens, Input, Request};
use crate::model::{Dispute, Order, Solver};
use crate::store::{Change, OutboxItem, ProcessedMark};

use super::error::HandleError;
use super::Inner;

/// The dispute rows, solver rows and tokens one input may need.
pub(super) struct DisputeContext {
    pub(super) disputes: Vec<Dispute>,
    pub(super) solvers: Vec<Solver>,
    pub(super) tokens: Option<DisputeTokens>,
}

/// True for inputs that may concern a dispute of `order`.
fn concerns_disputes(order: &Order, request: Option<&Request>) -> bool {
    let running = matches!(
        order.status,
        Status::Active | Status::FiatSent | Status::Dispute | Status::CooperativelyCanceled
    );
    running
        || request.is_some_and(|r| {
            matches!(
                r.action,
                Action::AdminTakeDispute | Action::AdminSettle | Action::AdminCancel
            )
        })
}

impl Inner {
    /// Loads the order's disputes, the solver rows of the requester and of the
    /// assigned solver, and (for `admin-take-dispute`) the per-side tokens.
    pub(super) async fn dispute_facts(
        &self,
        order: &Order,
        request: Option<&Request>,
    ) -> Result<DisputeContext, HandleError> {
        if !concerns_disputes(order, request) {
            return Ok(DisputeContext {
                disputes: Vec::new(),
                solvers: Vec::new(),
                tokens: None,
            });
        }
        let disputes = self.store.disputes().for_order(order.id).await?;
        let mut keys: Vec<_> = request.map(|r| r.identity).into_iter().collect();
        keys.extend(disputes.iter().filter_map(|d| d.solver_pubkey));
        keys.sort();
        keys.dedup();
        let mut solvers = Vec::with_capacity(keys.len());
        for key in keys {
            solvers.extend(self.store.solvers().get(key).await?);
        }
        let taking = request.filter(|r| r.action == Action::AdminTakeDispute);
        let tokens = taking
            .and_then(|r| disputes.iter().find(|d| Some(d.id) == r.order_id))
            .and_then(|d| self.tokens(order, d));
        Ok(DisputeContext {
            disputes,
            solvers,
            tokens,
        })
    }

    /// The per-side tokens of `dispute` (docs/adr/0010-dispute-tokens.md).
    fn tokens(&self, order: &Order, dispute: &Dispute) -> Option<DisputeTokens> {
        let secret = self.keys.secret_key();
        let token = |key| {
            dispute_token(secret, key, &dispute.id)
                .inspect_err(|error| {
                    tracing::warn!(
                        error = error as &dyn std::error::Error,
                        "cannot derive a dispute token"
                    );
                })
                .ok()
        };
        Some(DisputeTokens {
            dispute_id: dispute.id,
            buyer: token(&order.buyer()?.trade_pubkey)?,
            seller: token(&order.seller()?.trade_pubkey)?,
        })
    }

    /// `admin-take-dispute`: runs on the writer of the dispute's order (one writer per
    /// order). An unknown dispute id is dropped silently (§5.10).
    pub(super) async fn take_dispute(
        self: &Arc<Self>,
        request: Request,
        mark: ProcessedMark,
    ) -> Result<(), HandleError> {
        let dispute = match request.order_id {
            Some(id) => self.store.disputes().get(id).await?,
            None => None,
        };
        match dispute {
            Some(dispute) => {
                self.step_marked(dispute.order_id, Input::Request(request), Some(mark))
                    .await
            }
            None => {
                tracing::debug!("admin-take-dispute for an unknown dispute dropped");
                self.record_handled(Some(mark)).await
            }
        }
    }

    /// `admin-add-solver`: the solver row and the reply are committed together.
    pub(super) async fn add_solver(
        &self,
        request: Request,
        mark: ProcessedMark,
    ) -> Result<(), HandleError> {
        let now = self.clock.now();
        match engine::add_solver(&request, &self.keys.public_key(), now) {
            Ok((solver, reply)) => {
                let rendered = self.renderer.render(&reply, &mut [], &[], now)?;
                let item = OutboxItem::new(&rendered.event, rendered.order_id, now)?;
                tracing::info!(solver = %solver.pubkey, role = ?solver.role, "solver registered");
                let change = Change {
                    solver_updates: vec![solver],
                    ..Change::default()
                }
                .with_outbox([item])
                .with_processed(Some(mark));
                self.store.commit(change).await?;
                self.publisher_wake.notify_one();
                Ok(())
            }
            Err(refusal) => self.refuse(refusal, &request, now, Some(mark)).await,
        }
    }
}
