//! Opening incoming envelopes of either transport.

use nostr::event::{Event, EventId, Signature};
use nostr::key::{Keys, PublicKey};
use nostr::types::Timestamp;

use super::error::EnvelopeError;
use super::{v1, v2, Transport};
use crate::message::Message;

/// A successfully opened envelope. Every signature it carried has been verified.
#[derive(Debug, Clone)]
pub struct Unwrapped {
    /// Transport the message arrived on.
    pub transport: Transport,
    /// Id of the outer event (v1: the gift wrap; v2: the kind-14 event).
    pub event_id: EventId,
    /// The trade key: v1 rumor author, v2 event author. Replies go here.
    pub sender: PublicKey,
    /// The identity: v1 seal signer, v2 identity-proof key, or `sender` when none.
    pub identity: PublicKey,
    /// Freshness-checked time: v1 rumor `created_at`, v2 event `created_at`.
    pub created_at: Timestamp,
    /// The logical message.
    pub message: Message,
    /// Canonical JSON of `message`, the string the signatures cover.
    pub message_json: String,
    /// The trade signature, if the sender attached one (already verified).
    pub trade_signature: Option<Signature>,
}

impl Unwrapped {
    /// `true` in full-privacy mode: the sender proved no identity besides its trade key.
    pub fn is_full_privacy(&self) -> bool {
        self.identity == self.sender
    }

    /// The §1.2 intake rule: when `identity != sender` the trade signature must be
    /// present. The transport accepts such events (like the reference); the daemon
    /// must drop those for which this returns `false` (PROTOCOL.md §1.6 step 7).
    pub fn satisfies_signature_rule(&self) -> bool {
        self.is_full_privacy() || self.trade_signature.is_some()
    }

    /// The §1.6 freshness check: `created_at` is no older than `now - max_age_secs`
    /// (the daemon uses 10 s). No upper bound is applied, as in the reference.
    pub fn is_fresh(&self, now: Timestamp, max_age_secs: u64) -> bool {
        self.created_at.as_secs() >= now.as_secs().saturating_sub(max_age_secs)
    }
}

/// Opens an incoming Mostro envelope addressed to `receiver`.
///
/// The outer event id and signature are verified first, for both transports (v1 here is
/// stricter than the reference, as PROTOCOL.md §1.3/§1.6 require of a daemon).
///
/// Returns `Ok(None)` when the outer layer does not decrypt with `receiver`'s key ("not
/// addressed to me"), `Ok(Some(_))` when every layer opened and every signature present
/// verified, and an [`EnvelopeError`] for everything else. Never panics on any input.
///
/// Freshness, NIP-40 expiry, PoW and [`Unwrapped::satisfies_signature_rule`] are left to
/// the caller (PROTOCOL.md §1.6).
pub fn unwrap_incoming(event: &Event, receiver: &Keys) -> Result<Option<Unwrapped>, EnvelopeError> {
    let Some(transport) = Transport::from_kind(event.kind) else {
        return Err(EnvelopeError::UnsupportedKind(event.kind.as_u16()));
    };
    event
        .verify()
        .map_err(|_| EnvelopeError::BadOuterSignature)?;
    match transport {
        Transport::V1 => v1::unwrap(event, receiver),
        Transport::V2 => v2::unwrap(event, receiver),
    }
}
