//! Protocol v2: a signed kind-14 event with NIP-44 content (PROTOCOL.md §1.4).
//!
//! The visible event is authored and signed by the sender's trade key (or by the
//! Mostro key for replies). Its content is the 3-element tuple, encrypted with the
//! conversation key of (author secret, receiver pubkey).

use nostr::event::{Event, Kind, Tag, UnsignedEvent};
use nostr::key::{Keys, PublicKey};
use nostr::types::Timestamp;

use super::error::{EnvelopeError, Layer};
use super::layer::{self, Opened};
use super::tuple::{self, V2_ARITY};
use super::unwrapped::Unwrapped;
use super::{PrivacyMode, Transport, WrapOptions};
use crate::message::Message;
use crate::sign;

/// Builds a v2 kind-14 event from `sender` (trade key, or Mostro key for replies).
///
/// Reputation mode adds the trade signature and, when the identity key differs from
/// the trade key, the identity proof. Full privacy sends `[message, null, null]`.
pub(crate) fn wrap(
    message: &Message,
    sender: &Keys,
    mode: PrivacyMode<'_>,
    receiver: &PublicKey,
    options: &WrapOptions,
    now: Timestamp,
) -> Result<Event, EnvelopeError> {
    let message_json = message.to_json().map_err(EnvelopeError::Message)?;
    let trade_pubkey = sender.public_key();
    let (trade_signature, proof) = match mode {
        PrivacyMode::Reputation { identity } => {
            let trade_signature = sign::sign_message(sender, &message_json);
            let identity_pubkey = identity.public_key();
            let proof = (identity_pubkey != trade_pubkey).then(|| {
                let sig = sign::sign_identity_proof(identity, &trade_pubkey, &message_json);
                (identity_pubkey, sig)
            });
            (Some(trade_signature), proof)
        }
        PrivacyMode::FullPrivacy => (None, None),
    };
    let content = tuple::encode_v2(
        message,
        trade_signature.as_ref(),
        proof.as_ref().map(|(key, sig)| (key, sig)),
    )?;
    let ciphertext = layer::encrypt(sender.secret_key(), receiver, &content)?;
    let mut tags = vec![Tag::public_key(*receiver)];
    tags.extend(options.expiration.map(Tag::expiration));
    let unsigned = UnsignedEvent::new(
        trade_pubkey,
        now,
        Kind::PrivateDirectMessage,
        tags,
        ciphertext,
    );
    layer::sign_with_pow(sender, unsigned, options.pow)
}

/// Opens a v2 event addressed to `receiver`. The outer signature must already be
/// verified by the caller.
pub(crate) fn unwrap(event: &Event, receiver: &Keys) -> Result<Option<Unwrapped>, EnvelopeError> {
    let content = match layer::open(
        receiver.secret_key(),
        &event.pubkey,
        &event.content,
        Layer::Direct,
    )? {
        Opened::Plaintext(content) => content,
        Opened::Undecryptable(_) => return Ok(None),
    };
    let decoded = tuple::decode(&content, V2_ARITY)?;
    let sender = event.pubkey;
    if let Some(sig) = &decoded.trade_signature {
        if !sign::verify_message_signature(&sender, &decoded.message_json, sig) {
            return Err(EnvelopeError::TradeSignature);
        }
    }
    let identity = match &decoded.identity_proof {
        Some((identity, proof)) => {
            if !sign::verify_identity_proof(identity, &sender, &decoded.message_json, proof) {
                return Err(EnvelopeError::IdentityProof);
            }
            *identity
        }
        None => sender,
    };
    Ok(Some(Unwrapped {
        transport: Transport::V2,
        event_id: event.id,
        sender,
        identity,
        created_at: event.created_at,
        message: decoded.message,
        message_json: decoded.message_json,
        trade_signature: decoded.trade_signature,
    }))
}
