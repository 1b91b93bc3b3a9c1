//! Dispute actions performed as the node key: `POST /v1/disputes/{id}/take`,
//! `POST /v1/orders/{id}/settle`, `POST /v1/orders/{id}/cancel`.
//!
//! Each builds the protocol message a solver would send and hands it to the order's
//! writer (see [`crate::runtime::AdminHandle::submit`]). The answer is `200` with the
//! order and dispute states when the action took effect, `409 refused` with the
//! engine's `cant-do` reason when it refused (the same `cant-do` also went to the node
//! key as a direct message), `404` for an unknown id.

use axum::extract::{Path, State};
use axum::Json;
use mostro_protocol::action::Action;
use mostro_protocol::message::{Message, MessageKind};
use mostro_protocol::status::{DisputeStatus, Status};
use serde::Serialize;
use uuid::Uuid;

use super::error::ApiError;
use super::records::parse_id;
use super::AdminState;
use crate::engine::Refusal;
use crate::runtime::{AdminError, OrderSnapshot};

/// A dispute's state after an action.
#[derive(Debug, Serialize)]
pub struct DisputeState {
    /// Dispute id.
    pub id: Uuid,
    /// Status.
    pub status: DisputeStatus,
    /// Assigned solver, hex.
    pub solver_pubkey: Option<String>,
}

/// The answer to an applied action.
#[derive(Debug, Serialize)]
pub struct ActionResult {
    /// The action performed.
    pub action: Action,
    /// Always `applied` (refusals are errors).
    pub outcome: &'static str,
    /// The order.
    pub order_id: Uuid,
    /// Its status before.
    pub previous_status: Status,
    /// Its status now.
    pub status: Status,
    /// Its disputes now.
    pub disputes: Vec<DisputeState>,
}

fn disputes(s: &OrderSnapshot) -> Vec<DisputeState> {
    s.disputes
        .iter()
        .map(|(id, status, solver)| DisputeState {
            id: *id,
            status: *status,
            solver_pubkey: solver.map(|k| k.to_hex()),
        })
        .collect()
}

async fn perform(
    state: &AdminState,
    action: Action,
    raw_id: &str,
) -> Result<Json<ActionResult>, ApiError> {
    let id = parse_id(raw_id)?;
    let kind = MessageKind::new(action).with_id(id);
    let message = match action {
        Action::AdminTakeDispute => Message::new_dispute(kind),
        _ => Message::new_order(kind),
    };
    let outcome = state.handle.submit(&message).await.map_err(|e| match e {
        AdminError::NotFound(id) => ApiError::NotFound(format!("no order or dispute {id}")),
        other => ApiError::internal(other),
    })?;
    let order = (outcome.after.order_id, outcome.after.status);
    match outcome.refusal {
        Some(Refusal::CantDo(reason)) => {
            return Err(ApiError::Refused {
                message: format!(
                    "{action} refused: {reason}; order {} stays {}",
                    order.0, order.1
                ),
                reason: Some(reason.as_str()),
            });
        }
        Some(Refusal::Silent(why)) => {
            return Err(ApiError::Refused {
                message: format!(
                    "{action} ignored ({why}); order {} stays {}",
                    order.0, order.1
                ),
                reason: None,
            });
        }
        None if !outcome.applied() => {
            return Err(ApiError::Refused {
                message: format!(
                    "{action} changed nothing; order {} stays {}",
                    order.0, order.1
                ),
                reason: None,
            });
        }
        None => {}
    }
    Ok(Json(ActionResult {
        action,
        outcome: "applied",
        order_id: outcome.after.order_id,
        previous_status: outcome.before.status,
        status: outcome.after.status,
        disputes: disputes(&outcome.after),
    }))
}

/// `POST /v1/disputes/{id}/take`: `admin-take-dispute` as the node key.
pub async fn take_dispute(
    State(state): State<AdminState>,
    Path(id): Path<String>,
) -> Result<Json<ActionResult>, ApiError> {
    perform(&state, Action::AdminTakeDispute, &id).await
}

/// `POST /v1/orders/{id}/settle`: `admin-settle` as the node key.
pub async fn settle(
    State(state): State<AdminState>,
    Path(id): Path<String>,
) -> Result<Json<ActionResult>, ApiError> {
    perform(&state, Action::AdminSettle, &id).await
}

/// `POST /v1/orders/{id}/cancel`: `admin-cancel` as the node key.
pub async fn cancel(
    State(state): State<AdminState>,
    Path(id): Path<String>,
) -> Result<Json<ActionResult>, ApiError> {
    perform(&state, Action::AdminCancel, &id).await
}
