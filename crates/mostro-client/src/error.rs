//! The client's public error type.
//!
//! Every failure a front end can meet is a [`ClientError`]; [`ClientError::kind`]
//! gives a stable, payload-free [`ErrorKind`] a CLI can map to exit codes.

use std::time::Duration;

use mostro_protocol::{Action, CantDoReason};
use nostr::key::PublicKey;
use uuid::Uuid;

use crate::explain::explain;

/// Stable category of a [`ClientError`], for mapping to exit codes or UI states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The daemon did not answer in time.
    Timeout,
    /// The daemon refused the request (`cant-do`).
    CantDo,
    /// Relays could not be reached or refused the event.
    Relay,
    /// The local database or data directory failed.
    Storage,
    /// The caller supplied something invalid.
    InvalidInput,
    /// The daemon (or a peer) sent something we could not use.
    Protocol,
    /// The requested order is not known locally.
    UnknownOrder,
}

/// Errors of the Mostro client library.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No reply to a request within the configured timeout. Mostro does not
    /// answer many failures at all (PROTOCOL.md §5.15), so silence is failure.
    #[error(
        "no reply from Mostro {daemon} to `{action}` within {waited:?} (relays without an answer: {})",
        silent_relays.join(", ")
    )]
    Timeout {
        /// The daemon that stayed silent.
        daemon: PublicKey,
        /// The request's action.
        action: Action,
        /// How long we waited.
        waited: Duration,
        /// Relays that delivered no reply (every relay of the pool, since none did).
        silent_relays: Vec<String>,
        /// Relays that did not acknowledge the request event itself.
        unacknowledged_relays: Vec<String>,
    },
    /// Mostro answered with `cant-do`.
    #[error("Mostro refused `{action}`: {}", describe_reason(*reason))]
    CantDo {
        /// The request's action.
        action: Action,
        /// The refusal reason (the daemon may send none).
        reason: Option<CantDoReason>,
    },
    /// No relay accepted an event we published.
    #[error("no relay accepted the event ({})", rejections.join("; "))]
    NotPublished {
        /// `relay: answer` for every relay.
        rejections: Vec<String>,
    },
    /// The relay pool failed (bad URL, no connection).
    #[error("relay error")]
    Relay(#[from] mostro_relay::RelayError),
    /// The local store failed.
    #[error("local storage error")]
    Storage(#[from] crate::store::StoreError),
    /// Key derivation or mnemonic handling failed (e.g. a bad mnemonic).
    #[error("key error")]
    Keys(#[source] mostro_protocol::keys::KeyError),
    /// Caller input was rejected before anything was sent.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// Building or opening a transport envelope failed.
    #[error("envelope error")]
    Envelope(#[from] mostro_protocol::envelope::EnvelopeError),
    /// A chat operation failed.
    #[error("chat error")]
    Chat(#[from] mostro_protocol::chat::ChatError),
    /// An event of the daemon could not be parsed.
    #[error("malformed event from Mostro")]
    Event(#[from] mostro_protocol::events::EventError),
    /// The daemon sent an unexpected reply.
    #[error("unexpected reply `{action}` to `{request}`")]
    UnexpectedReply {
        /// The request's action.
        request: Action,
        /// The reply's action.
        action: Action,
    },
    /// No info event (kind 38385) of the daemon was found on the relays.
    #[error("no info event from Mostro {0} on the relays")]
    NoDaemonInfo(PublicKey),
    /// The order is not in the local store.
    #[error("order {0} is not known locally")]
    UnknownOrder(Uuid),
    /// The order has no counterparty (or solver) key yet, so there is no chat.
    #[error("order {0} has no {1} key yet")]
    NoPeer(Uuid, &'static str),
    /// A dispute token could not be computed.
    #[error("dispute token error")]
    DisputeToken(#[from] mostro_protocol::dispute_token::DisputeTokenError),
    /// Proof-of-work mining was interrupted.
    #[error("proof-of-work task failed")]
    Mining(#[source] tokio::task::JoinError),
}

fn describe_reason(reason: Option<CantDoReason>) -> String {
    match reason {
        Some(r) => format!("{} ({})", r.as_str(), explain(r)),
        None => "no reason given".to_owned(),
    }
}

impl ClientError {
    /// The stable category of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Timeout { .. } => ErrorKind::Timeout,
            Self::CantDo { .. } => ErrorKind::CantDo,
            Self::NotPublished { .. } | Self::Relay(_) => ErrorKind::Relay,
            Self::Storage(_) => ErrorKind::Storage,
            Self::Keys(_) | Self::InvalidInput(_) => ErrorKind::InvalidInput,
            Self::Envelope(_)
            | Self::Chat(_)
            | Self::Event(_)
            | Self::UnexpectedReply { .. }
            | Self::NoDaemonInfo(_)
            | Self::DisputeToken(_)
            | Self::Mining(_) => ErrorKind::Protocol,
            Self::UnknownOrder(_) | Self::NoPeer(..) => ErrorKind::UnknownOrder,
        }
    }

    /// The `cant-do` reason, if this is a refusal.
    pub fn cant_do_reason(&self) -> Option<CantDoReason> {
        match self {
            Self::CantDo { reason, .. } => *reason,
            _ => None,
        }
    }

    /// What the user should do about a `cant-do` refusal, if this is one.
    pub fn explanation(&self) -> Option<&'static str> {
        self.cant_do_reason().map(explain)
    }
}

impl From<mostro_protocol::keys::KeyError> for ClientError {
    fn from(e: mostro_protocol::keys::KeyError) -> Self {
        Self::Keys(e)
    }
}
