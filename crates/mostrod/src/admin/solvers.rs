//! `GET/POST /v1/solvers`, `DELETE /v1/solvers/{pubkey}`.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use nostr::key::PublicKey;
use nostr::types::Timestamp;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::AdminState;
use crate::model::{Solver, SolverRole};

/// A registered solver.
#[derive(Debug, Serialize)]
pub struct SolverView {
    /// Identity key, hex.
    pub pubkey: String,
    /// Identity key, `npub`.
    pub npub: String,
    /// `read` or `read-write`.
    pub rights: &'static str,
    /// Registered at (unix seconds).
    pub created_at: u64,
}

fn rights(role: SolverRole) -> &'static str {
    match role {
        SolverRole::Read => "read",
        SolverRole::ReadWrite => "read-write",
    }
}

impl From<&Solver> for SolverView {
    fn from(s: &Solver) -> Self {
        use nostr::nips::nip19::ToBech32;
        Self {
            pubkey: s.pubkey.to_hex(),
            npub: s.pubkey.to_bech32().unwrap_or_default(),
            rights: rights(s.role),
            created_at: s.created_at.as_secs(),
        }
    }
}

/// `POST /v1/solvers` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSolver {
    /// `npub…` or hex.
    pubkey: String,
    /// `read` or `read-write` (default `read-write`).
    rights: Option<String>,
}

fn parse_pubkey(raw: &str) -> Result<PublicKey, ApiError> {
    PublicKey::parse(raw.trim())
        .map_err(|_| ApiError::BadRequest(format!("{raw:?} is not an npub or hex public key")))
}

/// `GET /v1/solvers`.
pub async fn list(State(state): State<AdminState>) -> Result<Json<Vec<SolverView>>, ApiError> {
    let solvers = state.handle.store().solvers().list_solvers().await?;
    Ok(Json(solvers.iter().map(SolverView::from).collect()))
}

/// `POST /v1/solvers`: registers (or changes the rights of) a solver.
pub async fn add(
    State(state): State<AdminState>,
    body: Result<Json<NewSolver>, JsonRejection>,
) -> Result<(StatusCode, Json<SolverView>), ApiError> {
    let Json(body) = body.map_err(|r| ApiError::BadRequest(r.body_text()))?;
    let pubkey = parse_pubkey(&body.pubkey)?;
    let role = match body.rights.as_deref() {
        None | Some("read-write") => SolverRole::ReadWrite,
        Some("read") => SolverRole::Read,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "rights must be \"read\" or \"read-write\", not {other:?}"
            )))
        }
    };
    let solver = Solver {
        pubkey,
        role,
        last_trade_index: 0,
        created_at: Timestamp::now(),
    };
    state
        .handle
        .store()
        .solvers()
        .add_solver(solver.clone())
        .await?;
    tracing::info!(solver = %pubkey, rights = rights(role), "solver registered by the operator");
    // The stored row (an existing solver keeps its registration time).
    let stored = state
        .handle
        .store()
        .solvers()
        .get(pubkey)
        .await?
        .unwrap_or(solver);
    Ok((StatusCode::CREATED, Json(SolverView::from(&stored))))
}

/// `DELETE /v1/solvers/{pubkey}`: `204`, or `404` when not registered.
pub async fn remove(
    State(state): State<AdminState>,
    Path(raw): Path<String>,
) -> Result<StatusCode, ApiError> {
    let pubkey = parse_pubkey(&raw)?;
    if state.handle.store().solvers().remove_solver(pubkey).await? {
        tracing::info!(solver = %pubkey, "solver removed by the operator");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!("{raw} is not a solver")))
    }
}
