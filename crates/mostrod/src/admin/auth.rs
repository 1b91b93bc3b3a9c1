//! Bearer-token authentication of every admin request.
//!
//! The token is compared in constant time. A missing or wrong token is answered
//! `401` before routing, whatever the path or method, so an unauthenticated caller
//! learns nothing about the interface. Failures are logged at `warn` with the peer
//! address, never with the presented token.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::error::ApiError;
use crate::config::AdminTokenText;

/// The expected bearer token.
#[derive(Clone)]
pub struct AdminToken(Arc<AdminTokenText>);

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(<redacted>)")
    }
}

impl AdminToken {
    /// The token read from (or generated into) the token file.
    pub fn new(text: AdminTokenText) -> Self {
        Self(Arc::new(text))
    }

    /// True when the `Authorization` header value presents this token.
    pub fn accepts(&self, header: Option<&str>) -> bool {
        let Some(presented) = header.and_then(|h| h.strip_prefix("Bearer ")) else {
            return false;
        };
        let expected = self.0.expose().as_bytes();
        let presented = presented.trim().as_bytes();
        // `ct_eq` on slices of different lengths is false (the length is not secret).
        bool::from(expected.ct_eq(presented))
    }
}

/// Middleware: lets the request through only with the right token.
pub async fn require_token(
    State(token): State<AdminToken>,
    request: Request,
    next: Next,
) -> Response {
    let header = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if token.accepts(header) {
        return next.run(request).await;
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |ConnectInfo(a)| a.to_string());
    tracing::warn!(
        %peer,
        method = %request.method(),
        path = request.uri().path(),
        presented = header.is_some(),
        "admin request refused: missing or wrong token"
    );
    ApiError::Unauthorized.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> AdminToken {
        let dir = tempfile::tempdir().unwrap();
        let text = crate::config::load_or_create_admin_token(&dir.path().join("t")).unwrap();
        AdminToken::new(text)
    }

    #[test]
    fn accepts_only_the_exact_bearer_token() {
        let t = token();
        let good = format!("Bearer {}", t.0.expose());
        assert!(t.accepts(Some(&good)));
        assert!(!t.accepts(None));
        assert!(!t.accepts(Some(t.0.expose())), "scheme is required");
        assert!(!t.accepts(Some(&format!("Basic {}", t.0.expose()))));
        assert!(!t.accepts(Some("Bearer ")));
        let mut wrong = good.clone();
        wrong.pop();
        wrong.push(if good.ends_with('0') { '1' } else { '0' });
        assert!(!t.accepts(Some(&wrong)));
        assert!(!t.accepts(Some(&good[..good.len() - 1])));
    }

    #[test]
    fn debug_output_hides_the_token() {
        let t = token();
        let shown = format!("{t:?}");
        assert!(!shown.contains(t.0.expose()));
    }
}
