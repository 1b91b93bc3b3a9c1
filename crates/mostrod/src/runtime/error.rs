//! The runtime's error types.

use std::time::Duration;

use uuid::Uuid;

use crate::lightning::LightningError;
use crate::nostr::RenderError;
use crate::store::StoreError;

/// A component [`super::MostroBuilder::build`] needs was not given.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A required part is missing.
    #[error("mostro builder: missing {0}")]
    Missing(&'static str),
    /// The Lightning node could not tell its network.
    #[error("cannot read the Lightning node's network")]
    NodeInfo(#[source] LightningError),
    /// The Lightning node did not answer `GetInfo` in time.
    #[error("the Lightning node did not answer within {0:?}")]
    NodeInfoTimeout(Duration),
    /// The node answers for a network this daemon does not know.
    #[error("unsupported Lightning network {0:?}")]
    UnknownNetwork(String),
}

/// Why handling one input failed (logged by the dispatcher; the user gets no reply).
#[derive(Debug, thiserror::Error)]
pub enum HandleError {
    /// The store failed.
    #[error("store failure")]
    Store(#[from] StoreError),
    /// A Lightning call failed.
    #[error("lightning failure")]
    Lightning(#[from] LightningError),
    /// A Lightning call did not answer in time.
    #[error("{operation} timed out after {after:?}")]
    Timeout {
        /// The call.
        operation: &'static str,
        /// How long we waited.
        after: Duration,
    },
    /// The outbox could not be signed.
    #[error("cannot sign outgoing events")]
    Render(#[from] RenderError),
    /// The input names an order that does not exist.
    #[error("order {0} not found")]
    OrderNotFound(Uuid),
}

/// Why [`super::Mostro::run`] stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// Start-up recovery could not read the store.
    #[error("start-up recovery failed")]
    Recovery(#[source] StoreError),
    /// Intake could not be prepared.
    #[error("cannot start intake")]
    Intake(#[source] StoreError),
}
