//! `GET /v1/health`, `GET /v1/lightning/balance`, `GET /v1/lightning/channels`.

use std::future::Future;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::error::ApiError;
use super::AdminState;
use crate::lightning::{ChannelSummary, LightningError, LnResult, NodeBalance};

/// How long a health or balance call waits for the Lightning node.
const LIGHTNING_TIMEOUT: Duration = Duration::from_secs(10);

async fn ln<T>(call: impl Future<Output = LnResult<T>>) -> Result<T, LightningError> {
    match tokio::time::timeout(LIGHTNING_TIMEOUT, call).await {
        Ok(result) => result,
        Err(_) => Err(LightningError::Timeout {
            operation: "admin",
            after: LIGHTNING_TIMEOUT,
        }),
    }
}

/// The Lightning part of the health report.
#[derive(Debug, Serialize)]
struct LightningHealth {
    reachable: bool,
    synced_to_chain: bool,
    block_height: Option<u32>,
    alias: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct RelayHealth {
    configured: Vec<String>,
    connected: Vec<String>,
}

#[derive(Debug, Serialize)]
struct DatabaseHealth {
    ok: bool,
    schema_version: Option<u32>,
}

/// The health report.
#[derive(Debug, Serialize)]
struct Health {
    /// `ok` when Lightning is reachable and synced, a relay is connected and the
    /// database answers; `degraded` otherwise.
    status: &'static str,
    version: &'static str,
    node_pubkey: String,
    uptime_seconds: u64,
    lightning: LightningHealth,
    relays: RelayHealth,
    database: DatabaseHealth,
    outbox_depth: Option<usize>,
}

/// `GET /v1/health`: `200` when healthy, `503` when degraded (same body).
pub async fn health(State(state): State<AdminState>) -> Response {
    let h = &state.handle;
    let lightning = match ln(h.lightning().node_info()).await {
        Ok(info) => LightningHealth {
            reachable: true,
            synced_to_chain: info.synced_to_chain,
            block_height: Some(info.block_height),
            alias: Some(info.alias),
            error: None,
        },
        Err(error) => LightningHealth {
            reachable: false,
            synced_to_chain: false,
            block_height: None,
            alias: None,
            error: Some(error.to_string()),
        },
    };
    let relays = RelayHealth {
        configured: h.relays().relays().iter().map(|u| u.to_string()).collect(),
        connected: h
            .relays()
            .connected_relays()
            .iter()
            .map(|u| u.to_string())
            .collect(),
    };
    let schema_version = h.store().schema_version().await.ok();
    let database = DatabaseHealth {
        ok: schema_version.is_some(),
        schema_version,
    };
    let outbox_depth = h.store().outbox().len().await.ok();
    let healthy = lightning.reachable
        && lightning.synced_to_chain
        && !relays.connected.is_empty()
        && database.ok;
    let report = Health {
        status: if healthy { "ok" } else { "degraded" },
        version: env!("CARGO_PKG_VERSION"),
        node_pubkey: h.node_pubkey().to_hex(),
        uptime_seconds: state.started.elapsed().as_secs(),
        lightning,
        relays,
        database,
        outbox_depth,
    };
    let code = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(report)).into_response()
}

/// `GET /v1/lightning/balance`.
pub async fn balance(State(state): State<AdminState>) -> Result<Json<NodeBalance>, ApiError> {
    ln(state.handle.lightning().balance())
        .await
        .map(Json)
        .map_err(ApiError::Lightning)
}

/// `GET /v1/lightning/channels`.
pub async fn channels(
    State(state): State<AdminState>,
) -> Result<Json<Vec<ChannelSummary>>, ApiError> {
    ln(state.handle.lightning().channels())
        .await
        .map(Json)
        .map_err(ApiError::Lightning)
}
