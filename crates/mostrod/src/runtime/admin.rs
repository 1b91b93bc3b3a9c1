//! Operator requests from the admin interface.
//!
//! An operator action (take a dispute, settle, cancel) is a protocol [`Message`] sent
//! as the node key: it becomes a [`Request`] whose sender and identity are the node's
//! public key and goes to the order's single writer exactly like a request that
//! arrived over Nostr, under the same lock and the same engine rules. The only
//! difference is that there is no inbound event to mark as processed.
//!
//! [`AdminHandle::submit`] waits until the writer has committed (or refused), then
//! compares the order and its disputes with what they were before; the caller learns
//! whether the action took effect and, if the engine refused it, why. The engine's
//! reply itself is also a direct message to the node key, like any reply.

use std::sync::Arc;

use ::nostr::key::PublicKey;
use mostro_protocol::action::Action;
use mostro_protocol::message::Message;
use mostro_protocol::status::{DisputeStatus, Status};
use mostro_relay::RelayPool;
use uuid::Uuid;

use crate::config::Settings;
use crate::engine::{Input, Refusal, Request};
use crate::lightning::DynLightning;
use crate::model::Transport;
use crate::store::{Store, StoreError};

use super::error::HandleError;
use super::{Inner, Mostro};

/// The operator actions the admin interface may submit.
const OPERATOR_ACTIONS: [Action; 3] = [
    Action::AdminTakeDispute,
    Action::AdminSettle,
    Action::AdminCancel,
];

/// Why an operator request could not be handled.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Only `admin-take-dispute`, `admin-settle` and `admin-cancel` are submitted.
    #[error("action {0} is not an operator action")]
    NotAnOperatorAction(Action),
    /// The message carries no id.
    #[error("the message has no id")]
    MissingId,
    /// The id names neither an order nor a dispute.
    #[error("no order or dispute {0}")]
    NotFound(Uuid),
    /// Reading the state before or after failed.
    #[error("store failure")]
    Store(#[from] StoreError),
    /// The writer failed (store, Lightning or signing); nothing was committed.
    #[error("the request failed")]
    Handle(#[from] HandleError),
    /// The writer task panicked or the daemon is stopping.
    #[error("the request was abandoned")]
    Abandoned,
}

/// An order and its disputes, as the operator sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderSnapshot {
    /// The order.
    pub order_id: Uuid,
    /// Its status.
    pub status: Status,
    /// Its disputes: id, status and solver.
    pub disputes: Vec<(Uuid, DisputeStatus, Option<PublicKey>)>,
}

/// What became of an operator request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminOutcome {
    /// The order and its disputes before the request.
    pub before: OrderSnapshot,
    /// The order and its disputes after the writer finished.
    pub after: OrderSnapshot,
    /// Why the engine refused the request, when it did.
    pub refusal: Option<Refusal>,
}

impl AdminOutcome {
    /// True when the request changed the order or one of its disputes; false when
    /// the engine refused it (its reason went to the node key as a `cant-do`).
    pub fn applied(&self) -> bool {
        self.before != self.after
    }
}

/// The admin interface's access to the daemon. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AdminHandle {
    inner: Arc<Inner>,
}

impl Mostro {
    /// A handle for the admin interface.
    pub fn admin_handle(&self) -> AdminHandle {
        AdminHandle {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl AdminHandle {
    /// The node's public key (sender and identity of operator requests).
    pub fn node_pubkey(&self) -> PublicKey {
        self.inner.keys.public_key()
    }

    /// The daemon's settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The Lightning backend.
    pub fn lightning(&self) -> &DynLightning {
        &self.inner.lightning
    }

    /// The relay pool.
    pub fn relays(&self) -> &RelayPool {
        &self.inner.relays
    }

    /// The order whose writer handles `action` with message id `id`, as the
    /// dispatcher routes it: the dispute's order for `admin-take-dispute` (whose id
    /// is a dispute id), the order itself otherwise.
    async fn route_key(&self, action: Action, id: Uuid) -> Result<Option<Uuid>, StoreError> {
        if action == Action::AdminTakeDispute {
            let dispute = self.inner.store.disputes().get(id).await?;
            Ok(dispute.map(|d| d.order_id))
        } else {
            Ok(Some(id))
        }
    }

    /// Order `order_id` and its disputes, if the order exists.
    pub async fn snapshot(&self, order_id: Uuid) -> Result<Option<OrderSnapshot>, StoreError> {
        let store = &self.inner.store;
        let Some(order) = store.orders().get(order_id).await? else {
            return Ok(None);
        };
        let disputes = store
            .disputes()
            .for_order(order.id)
            .await?
            .into_iter()
            .map(|d| (d.id, d.status, d.solver_pubkey))
            .collect();
        Ok(Some(OrderSnapshot {
            order_id: order.id,
            status: order.status,
            disputes,
        }))
    }

    /// Hands `message` to the order's writer as a request from the node key and
    /// waits until it has been handled.
    pub async fn submit(&self, message: &Message) -> Result<AdminOutcome, AdminError> {
        let action = message.action();
        if !OPERATOR_ACTIONS.contains(&action) {
            return Err(AdminError::NotAnOperatorAction(action));
        }
        let id = message.inner().id.ok_or(AdminError::MissingId)?;
        let order_id = self
            .route_key(action, id)
            .await?
            .ok_or(AdminError::NotFound(id))?;
        let before = self
            .snapshot(order_id)
            .await?
            .ok_or(AdminError::NotFound(id))?;
        let node = self.node_pubkey();
        let request = Request::from_message(message, node, node, Transport::Nip44);
        tracing::info!(%action, %id, "operator request from the admin interface");
        // Tracked, so that shutdown waits for it; spawned, so that a panic in the
        // writer is contained like any other input's.
        let me = Arc::clone(&self.inner);
        let handled = self
            .inner
            .tasks
            .spawn(async move { me.step_reporting(order_id, Input::Request(request)).await });
        let refusal = handled.await.map_err(|_| AdminError::Abandoned)??;
        let after = self
            .snapshot(order_id)
            .await?
            .ok_or(AdminError::NotFound(id))?;
        Ok(AdminOutcome {
            before,
            after,
            refusal,
        })
    }
}
