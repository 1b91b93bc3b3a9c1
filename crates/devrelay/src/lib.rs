//! A local Nostr relay (NIP-01) for tests and the sandbox.
//!
//! It verifies event ids and signatures, stores events in memory (optionally
//! journalled to a JSON-lines file), applies replaceable/addressable replacement
//! (newest per `(kind, pubkey[, d])`, ties broken by the lowest id), honours
//! NIP-40 expiration, answers `REQ` with stored events then `EOSE` then live
//! events, and never crashes on bad input (it answers with `NOTICE`, `CLOSED`
//! or `OK false`).
//!
//! Not implemented: NIP-09 deletion, NIP-42 auth, NIP-45 counts, NIP-50 search.

mod connection;
mod error;
mod protocol;
mod store;

use std::net::{Ipv4Addr, SocketAddr};

use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use crate::error::DevRelayError;
pub use crate::store::{EventStore, SaveOutcome, MAX_QUERY_LIMIT};

/// Capacity of the live-event fan-out channel shared by all connections.
const LIVE_CHANNEL_CAPACITY: usize = 4_096;

/// A running relay. Dropping it stops accepting connections and closes the
/// existing ones; [`DevRelay::shutdown`] additionally waits for that to finish.
#[derive(Debug)]
pub struct DevRelay {
    addr: SocketAddr,
    store: EventStore,
    shutdown: CancellationToken,
    tasks: TaskTracker,
}

impl DevRelay {
    /// Starts a relay with an empty in-memory store on `addr` (port 0 picks a
    /// free port).
    pub async fn start(addr: SocketAddr) -> Result<Self, DevRelayError> {
        Self::start_with_store(addr, EventStore::in_memory()).await
    }

    /// Starts a relay on `127.0.0.1` with a free port and an empty store.
    pub async fn start_local() -> Result<Self, DevRelayError> {
        Self::start((Ipv4Addr::LOCALHOST, 0).into()).await
    }

    /// Starts a relay on `addr` serving `store`, e.g. the store of a relay
    /// that was shut down, to simulate a restart.
    pub async fn start_with_store(
        addr: SocketAddr,
        store: EventStore,
    ) -> Result<Self, DevRelayError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| DevRelayError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| DevRelayError::Bind { addr, source })?;
        let shutdown = CancellationToken::new();
        let tasks = TaskTracker::new();
        let (live, _) = broadcast::channel(LIVE_CHANNEL_CAPACITY);
        tasks.spawn(accept_loop(
            listener,
            store.clone(),
            live,
            shutdown.clone(),
            tasks.clone(),
        ));
        tracing::info!(%addr, "dev relay listening");
        Ok(Self {
            addr,
            store,
            shutdown,
            tasks,
        })
    }

    /// WebSocket URL of the relay, e.g. `ws://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// Address the relay listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The relay's event store (shared, not a copy).
    pub fn store(&self) -> &EventStore {
        &self.store
    }

    /// Stops listening, closes every connection and waits until all of them
    /// are gone, so the port can be bound again right away.
    pub async fn shutdown(self) {
        self.shutdown.cancel();
        self.tasks.close();
        self.tasks.wait().await;
        tracing::info!(addr = %self.addr, "dev relay stopped");
    }
}

impl Drop for DevRelay {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

async fn accept_loop(
    listener: TcpListener,
    store: EventStore,
    live: broadcast::Sender<nostr::event::Event>,
    shutdown: CancellationToken,
    tasks: TaskTracker,
) {
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    tasks.spawn(connection::serve(
                        stream,
                        peer,
                        store.clone(),
                        live.clone(),
                        shutdown.clone(),
                    ));
                }
                Err(error) => tracing::warn!(%error, "cannot accept a connection"),
            },
        }
    }
}
