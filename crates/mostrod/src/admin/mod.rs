//! The operator's admin interface: HTTP/1.1 + JSON on a loopback address, every
//! request authenticated with a bearer token (docs/adr/0011-admin-interface.md).
//!
//! | Method | Path | What |
//! |---|---|---|
//! | GET | `/v1/health` | daemon, Lightning, relays, database, outbox depth |
//! | GET | `/v1/orders?status=&limit=` | orders, newest first |
//! | GET | `/v1/orders/{id}` | one order (no preimage; invoices abbreviated) |
//! | GET | `/v1/disputes` | open disputes |
//! | GET | `/v1/disputes/{id}` | one dispute |
//! | GET/POST | `/v1/solvers` | list / register a solver |
//! | DELETE | `/v1/solvers/{pubkey}` | remove a solver |
//! | GET | `/v1/outbox?limit=` | queued outbound events (no content) |
//! | GET | `/v1/lightning/balance` | on-chain and channel balances |
//! | GET | `/v1/lightning/channels` | open channels |
//! | POST | `/v1/disputes/{id}/take` | `admin-take-dispute` as the node key |
//! | POST | `/v1/orders/{id}/settle` | `admin-settle` as the node key |
//! | POST | `/v1/orders/{id}/cancel` | `admin-cancel` as the node key |

mod actions;
mod auth;
mod error;
mod node;
mod records;
mod solvers;
pub mod views;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Instant;

use axum::routing::{delete, get, post};
use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::{load_or_create_admin_token, AdminSettings, ConfigError};
use crate::runtime::AdminHandle;

pub use auth::AdminToken;
pub use error::ApiError;

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AdminState {
    handle: AdminHandle,
    started: Instant,
}

/// Why the admin interface could not start.
#[derive(Debug, thiserror::Error)]
pub enum AdminStartError {
    /// The `[admin]` settings or the token file are unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// The admin interface, bound and ready to serve.
#[derive(Debug)]
pub struct AdminServer {
    listener: TcpListener,
    router: Router,
}

impl AdminServer {
    /// Reads (or generates) the token file and binds `settings.listen` (refused when
    /// not loopback unless `allow_remote`).
    pub async fn bind(
        settings: &AdminSettings,
        data_dir: &Path,
        handle: AdminHandle,
    ) -> Result<Self, AdminStartError> {
        let addr = settings.listen_addr()?;
        let token_path = settings.token_path(data_dir);
        let token = tokio::task::spawn_blocking(move || load_or_create_admin_token(&token_path))
            .await
            .map_err(|e| ConfigError::Io {
                path: settings.token_path(data_dir),
                source: std::io::Error::other(e),
            })??;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| AdminStartError::Bind { addr, source })?;
        Ok(Self {
            listener,
            router: router(handle, AdminToken::new(token)),
        })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> Result<SocketAddr, std::io::Error> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` is cancelled; in-flight requests are finished.
    pub async fn serve(self, shutdown: CancellationToken) -> Result<(), std::io::Error> {
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await
    }
}

/// Every route, behind the token check (which also covers unknown paths).
pub fn router(handle: AdminHandle, token: AdminToken) -> Router {
    let state = AdminState {
        handle,
        started: Instant::now(),
    };
    Router::new()
        .route("/v1/health", get(node::health))
        .route("/v1/orders", get(records::orders))
        .route("/v1/orders/{id}", get(records::order))
        .route("/v1/orders/{id}/settle", post(actions::settle))
        .route("/v1/orders/{id}/cancel", post(actions::cancel))
        .route("/v1/disputes", get(records::disputes))
        .route("/v1/disputes/{id}", get(records::dispute))
        .route("/v1/disputes/{id}/take", post(actions::take_dispute))
        .route("/v1/solvers", get(solvers::list).post(solvers::add))
        .route("/v1/solvers/{pubkey}", delete(solvers::remove))
        .route("/v1/outbox", get(records::outbox))
        .route("/v1/lightning/balance", get(node::balance))
        .route("/v1/lightning/channels", get(node::channels))
        .fallback(|| async { ApiError::NotFound("no such endpoint".to_owned()) })
        .layer(axum::middleware::from_fn_with_state(
            token,
            auth::require_token,
        ))
        .with_state(state)
}
