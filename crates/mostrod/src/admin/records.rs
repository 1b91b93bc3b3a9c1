//! Read-only record queries: orders, disputes, the outbox.

use std::str::FromStr;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::Json;
use mostro_protocol::status::Status;
use nostr::types::Timestamp;
use serde::Deserialize;
use uuid::Uuid;

use super::error::ApiError;
use super::views::{DisputeView, OrderView, OutboxView};
use super::AdminState;

/// Default and largest number of rows of a list.
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 500;

/// `?status=…&limit=…`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<String>,
    limit: Option<usize>,
}

/// The query, or a JSON `400` naming what is wrong with it.
fn query(q: Result<Query<ListQuery>, QueryRejection>) -> Result<ListQuery, ApiError> {
    q.map(|Query(q)| q)
        .map_err(|r| ApiError::BadRequest(r.body_text()))
}

fn limit(asked: Option<usize>) -> usize {
    asked.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

/// Parses a path id.
pub(super) fn parse_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::BadRequest(format!("{raw:?} is not a UUID")))
}

/// `GET /v1/orders?status=…&limit=…`: newest first.
pub async fn orders(
    State(state): State<AdminState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Vec<OrderView>>, ApiError> {
    let query = self::query(query)?;
    let status = query
        .status
        .as_deref()
        .map(|s| {
            Status::from_str(s).map_err(|_| ApiError::BadRequest(format!("unknown status {s:?}")))
        })
        .transpose()?;
    let orders = state
        .handle
        .store()
        .list_orders(status, limit(query.limit))
        .await?;
    Ok(Json(orders.iter().map(OrderView::from).collect()))
}

/// `GET /v1/orders/{id}`.
pub async fn order(
    State(state): State<AdminState>,
    Path(id): Path<String>,
) -> Result<Json<OrderView>, ApiError> {
    let id = parse_id(&id)?;
    match state.handle.store().orders().get(id).await? {
        Some(order) => Ok(Json(OrderView::from(&order))),
        None => Err(ApiError::NotFound(format!("no order {id}"))),
    }
}

/// `GET /v1/disputes`: the open ones (`initiated`, `in-progress`), oldest first.
pub async fn disputes(State(state): State<AdminState>) -> Result<Json<Vec<DisputeView>>, ApiError> {
    let open = state.handle.store().disputes().open().await?;
    Ok(Json(open.iter().map(DisputeView::from).collect()))
}

/// `GET /v1/disputes/{id}`.
pub async fn dispute(
    State(state): State<AdminState>,
    Path(id): Path<String>,
) -> Result<Json<DisputeView>, ApiError> {
    let id = parse_id(&id)?;
    match state.handle.store().disputes().get(id).await? {
        Some(dispute) => Ok(Json(DisputeView::from(&dispute))),
        None => Err(ApiError::NotFound(format!("no dispute {id}"))),
    }
}

/// `GET /v1/outbox?limit=…`: queued events, next due first.
pub async fn outbox(
    State(state): State<AdminState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Vec<OutboxView>>, ApiError> {
    let query = self::query(query)?;
    if query.status.is_some() {
        return Err(ApiError::BadRequest(
            "the outbox has no status filter".to_owned(),
        ));
    }
    // Everything queued, whenever due.
    let horizon = Timestamp::from_secs(i64::MAX as u64);
    let items = state
        .handle
        .store()
        .outbox()
        .due(horizon, limit(query.limit))
        .await?;
    Ok(Json(items.iter().map(OutboxView::from).collect()))
}
