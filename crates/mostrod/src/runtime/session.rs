//! Session actions, handled without an order lock (PROTOCOL.md §5.2, §5.11):
//! `new-order` (the order has no other writer yet; the maker's identity lock keeps
//! its trade index consistent), `orders`, `last-trade-index` and `restore-session`.

use std::sync::Arc;

use mostro_protocol::action::Action;
use mostro_protocol::payload::Payload;
use uuid::Uuid;

use crate::engine::{self, session, Ctx, DisputeFacts, Refusal, Request};
use crate::store::ProcessedMark;

use super::error::HandleError;
use super::Inner;

impl Inner {
    /// Answers one session action; `mark` is committed with the answer.
    #[tracing::instrument(skip_all, fields(action = %request.action))]
    pub(super) async fn session(
        self: &Arc<Self>,
        request: Request,
        mark: Option<ProcessedMark>,
    ) -> Result<(), HandleError> {
        let now = self.clock.now();
        let identity = request.identity;
        let answer = match request.action {
            Action::NewOrder => return self.new_order(&request, mark).await,
            Action::Orders => {
                let ids: Vec<Uuid> = match &request.payload {
                    // Never load more than a valid request may name; the engine
                    // refuses longer lists from the payload itself.
                    Some(Payload::Ids(ids)) => ids
                        .iter()
                        .copied()
                        .take(self.engine.max_orders_per_response)
                        .collect(),
                    _ => Vec::new(),
                };
                let loaded = self.store.orders().for_identity(identity, ids).await?;
                session::orders(&request, &loaded, &self.engine)
            }
            Action::LastTradeIndex => {
                let user = self.store.users().get(identity).await?;
                session::last_trade_index(&request, user.as_ref())
            }
            Action::RestoreSession => {
                let rows = self.store.orders().session_rows(identity).await?;
                session::restore_session(&request, &rows.orders, &rows.disputes)
            }
            _ => Err(Refusal::Silent("not a session action")),
        };
        match answer {
            Ok(reply) => self.send(reply, now, mark).await,
            Err(refusal) => self.refuse(refusal, &request, now, mark).await,
        }
    }

    /// `new-order`: the engine checks and builds the order; it is committed with the
    /// maker's user row and its `new-order` reply and 38383 revision.
    async fn new_order(
        self: &Arc<Self>,
        request: &Request,
        mark: Option<ProcessedMark>,
    ) -> Result<(), HandleError> {
        let _identity = self.identity_locks.lock(request.identity).await;
        let now = self.clock.now();
        let users = self.load_users(vec![request.identity]).await?;
        let price = match &request.payload {
            Some(Payload::Order(order)) => self.price_of(&order.fiat_code, order.amount == 0),
            _ => None,
        };
        let validator = self.destinations.prepare(Some(request)).await;
        // The context borrows a validator that is not `Sync`: decide before any await.
        let decision = {
            let ctx = Ctx {
                settings: &self.engine,
                validator: &validator,
                users: &users,
                pending_order_exists: false,
                price,
                payout: None,
                chain_height: None,
                fresh_id: Uuid::new_v4(),
                dispute: DisputeFacts::default(),
            };
            engine::new_order(request, &ctx, Uuid::new_v4(), now)
        };
        match decision {
            Ok(transition) => {
                let order_id = transition.order.id;
                let effects = self.commit(transition, &users, now, mark).await?;
                tracing::info!(%order_id, "order created");
                debug_assert!(effects.is_empty(), "a new order has no Lightning effects");
                Ok(())
            }
            Err(refusal) => self.refuse(refusal, request, now, mark).await,
        }
    }
}
