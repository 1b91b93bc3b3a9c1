//! Errors raised while wrapping or unwrapping transport envelopes.

use thiserror::Error;

use crate::message::MessageError;

/// The layer of a v1 gift wrap that a failure refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// The outer kind-1059 gift wrap.
    Wrap,
    /// The kind-13 seal inside the gift wrap.
    Seal,
    /// The unsigned kind-1 rumor inside the seal.
    Rumor,
    /// The v2 kind-14 event.
    Direct,
}

impl std::fmt::Display for Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Wrap => "gift wrap",
            Self::Seal => "seal",
            Self::Rumor => "rumor",
            Self::Direct => "kind-14 event",
        })
    }
}

/// Why an envelope could not be built or opened.
///
/// Every unwrap failure that is not "not addressed to me" is one of these; the daemon
/// drops such events silently (PROTOCOL.md §1.6).
#[derive(Debug, Error)]
pub enum EnvelopeError {
    /// The event kind is neither 14 (v2) nor 1059 (v1).
    #[error("no Mostro transport for event kind {0}")]
    UnsupportedKind(u16),
    /// The outer event's id or signature does not verify.
    #[error("outer event id or signature does not verify")]
    BadOuterSignature,
    /// A layer decrypted, but its plaintext is not UTF-8.
    #[error("decrypted {0} content is not UTF-8")]
    NotUtf8(Layer),
    /// The seal could not be decrypted although the wrap was for us.
    #[error("seal content cannot be decrypted")]
    SealDecrypt(#[source] nostr::error::Error),
    /// The decrypted wrap content is not a JSON event.
    #[error("seal is not a valid event")]
    BadSeal(#[source] serde_json::Error),
    /// A layer has an unexpected kind (seal must be 13, rumor must be 1).
    #[error("{layer} has kind {found}, expected {expected}")]
    WrongKind {
        /// The layer that carries the wrong kind.
        layer: Layer,
        /// The kind that was found.
        found: u16,
        /// The kind the protocol requires.
        expected: u16,
    },
    /// The seal's id or signature does not verify.
    #[error("seal id or signature does not verify")]
    SealSignature,
    /// The decrypted seal content is not an unsigned event.
    #[error("rumor is not a valid unsigned event")]
    BadRumor(#[source] serde_json::Error),
    /// The rumor carries an id that does not match its content.
    #[error("rumor id does not match its content")]
    RumorId,
    /// The decrypted content is not a JSON array.
    #[error("content is not a JSON array")]
    BadTuple(#[source] serde_json::Error),
    /// The content array has the wrong number of elements.
    #[error("content tuple has {found} elements, expected {expected}")]
    TupleArity {
        /// Elements the transport requires (v1: 2, v2: 3).
        expected: usize,
        /// Elements found.
        found: usize,
    },
    /// The first tuple element is not a valid Mostro message.
    #[error("invalid message in content tuple")]
    Message(#[source] MessageError),
    /// The second tuple element is neither `null` nor a 64-byte hex signature.
    #[error("malformed trade signature element")]
    SignatureEncoding(#[source] serde_json::Error),
    /// The third tuple element is neither `null` nor `[pubkey hex, signature hex]`.
    #[error("malformed identity proof element")]
    IdentityProofEncoding(#[source] serde_json::Error),
    /// The identity public key in the proof is not a valid key.
    #[error("identity proof public key is invalid")]
    IdentityKey(#[source] nostr::error::Error),
    /// The trade signature does not verify against the trade key (rumor/event author).
    #[error("trade signature does not verify against the sender")]
    TradeSignature,
    /// The v2 identity proof does not verify for this trade key and message.
    #[error("identity proof does not verify")]
    IdentityProof,
    /// NIP-44 encryption failed while wrapping.
    #[error("NIP-44 encryption failed")]
    Encrypt(#[source] nostr::error::Error),
    /// Signing an event failed while wrapping.
    #[error("event signing failed")]
    Sign(#[source] nostr::error::Error),
    /// Serialising a layer to JSON failed while wrapping.
    #[error("JSON serialisation failed")]
    Serialize(#[source] serde_json::Error),
}
