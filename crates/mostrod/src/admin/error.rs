//! The admin interface's errors and their JSON responses.
//!
//! Every error answers `{"error": "<code>", "message": "<text>"}`; a refusal by the
//! engine also carries `"reason"`, the protocol's `cant-do` reason, when there is one. Internal failures
//! are logged in full and answered with a generic message, so that nothing about the
//! daemon's internals leaks to the caller.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// An error answered to an admin request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No or a wrong bearer token.
    #[error("unauthorized")]
    Unauthorized,
    /// The request is malformed (bad id, bad query, bad body).
    #[error("{0}")]
    BadRequest(String),
    /// Nothing with that id.
    #[error("{0}")]
    NotFound(String),
    /// The engine refused the operator action.
    #[error("{message}")]
    Refused {
        /// What was refused, and the order's status.
        message: String,
        /// The `cant-do` reason (`None` when the engine ignored the request).
        reason: Option<&'static str>,
    },
    /// The Lightning node did not answer.
    #[error("lightning node unavailable")]
    Lightning(#[source] crate::lightning::LightningError),
    /// Anything else (store failure, panicked writer); logged, not detailed.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// Wraps an internal failure.
    pub fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        ApiError::Internal(Box::new(error))
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Refused { .. } => (StatusCode::CONFLICT, "refused"),
            ApiError::Lightning(_) => (StatusCode::BAD_GATEWAY, "lightning_unavailable"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(error: crate::store::StoreError) -> Self {
        ApiError::internal(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        match &self {
            ApiError::Internal(_) | ApiError::Lightning(_) => {
                tracing::error!(
                    error = &self as &dyn std::error::Error,
                    "admin request failed"
                );
            }
            _ => {}
        }
        let mut body = json!({ "error": code, "message": self.to_string() });
        if let ApiError::Refused {
            reason: Some(reason),
            ..
        } = &self
        {
            body["reason"] = json!(reason);
        }
        (status, Json(body)).into_response()
    }
}
