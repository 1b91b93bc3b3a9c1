//! The encrypted content tuple (PROTOCOL.md §1.2).
//!
//! * v1: `[<message>, <trade_sig | null>]`
//! * v2: `[<message>, <trade_sig | null>, [<identity_pubkey_hex>, <identity_sig>] | null]`
//!
//! Decoding parses the message into [`Message`] and re-serialises it: signatures are
//! checked against that canonical string, never against the bytes received.

use nostr::event::Signature;
use nostr::key::PublicKey;
use serde_json::value::RawValue;

use super::error::EnvelopeError;
use crate::message::Message;

/// Number of elements of the v1 content tuple.
pub(crate) const V1_ARITY: usize = 2;
/// Number of elements of the v2 content tuple.
pub(crate) const V2_ARITY: usize = 3;

/// A decoded content tuple. Nothing in it has been verified yet.
#[derive(Debug)]
pub(crate) struct ContentTuple {
    /// The parsed message.
    pub message: Message,
    /// Canonical JSON of `message`: what the signatures cover.
    pub message_json: String,
    /// Second element.
    pub trade_signature: Option<Signature>,
    /// Third element (v2 only).
    pub identity_proof: Option<(PublicKey, Signature)>,
}

/// Parses `content` as a tuple of exactly `arity` elements (2 for v1, 3 for v2).
pub(crate) fn decode(content: &str, arity: usize) -> Result<ContentTuple, EnvelopeError> {
    let items: Vec<&RawValue> = serde_json::from_str(content).map_err(EnvelopeError::BadTuple)?;
    if items.len() != arity {
        return Err(EnvelopeError::TupleArity {
            expected: arity,
            found: items.len(),
        });
    }
    let (Some(message_raw), Some(signature_raw)) = (items.first(), items.get(1)) else {
        return Err(EnvelopeError::TupleArity {
            expected: arity,
            found: items.len(),
        });
    };
    let message = Message::from_json(message_raw.get()).map_err(EnvelopeError::Message)?;
    let message_json = message.to_json().map_err(EnvelopeError::Message)?;
    let trade_signature: Option<Signature> =
        serde_json::from_str(signature_raw.get()).map_err(EnvelopeError::SignatureEncoding)?;
    let identity_proof = match items.get(2) {
        Some(raw) => decode_identity_proof(raw)?,
        None => None,
    };
    Ok(ContentTuple {
        message,
        message_json,
        trade_signature,
        identity_proof,
    })
}

fn decode_identity_proof(raw: &RawValue) -> Result<Option<(PublicKey, Signature)>, EnvelopeError> {
    let proof: Option<(String, Signature)> =
        serde_json::from_str(raw.get()).map_err(EnvelopeError::IdentityProofEncoding)?;
    proof
        .map(|(key_hex, sig)| {
            PublicKey::from_hex(&key_hex)
                .map(|key| (key, sig))
                .map_err(EnvelopeError::IdentityKey)
        })
        .transpose()
}

/// Encodes the v1 tuple `[message, trade_sig | null]`.
pub(crate) fn encode_v1(
    message: &Message,
    trade_signature: Option<&Signature>,
) -> Result<String, EnvelopeError> {
    serde_json::to_string(&(message, trade_signature)).map_err(EnvelopeError::Serialize)
}

/// Encodes the v2 tuple `[message, trade_sig | null, [identity_hex, proof] | null]`.
pub(crate) fn encode_v2(
    message: &Message,
    trade_signature: Option<&Signature>,
    identity_proof: Option<(&PublicKey, &Signature)>,
) -> Result<String, EnvelopeError> {
    let proof = identity_proof.map(|(key, sig)| (key.to_hex(), sig));
    serde_json::to_string(&(message, trade_signature, proof)).map_err(EnvelopeError::Serialize)
}
