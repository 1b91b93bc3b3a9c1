//! Protocol v1: NIP-59 style gift wrap, kind 1059 (PROTOCOL.md §1.3). Deprecated.
//!
//! Rumor (kind 1, unsigned, by the trade key) → seal (kind 13, signed by the identity
//! key, or the trade key in full privacy) → gift wrap (kind 1059, fresh ephemeral key).
//!
//! Mostro deliberately lets the seal signer differ from the rumor author, which stock
//! NIP-59 helpers reject, so both directions are built here from NIP-44 primitives.

use nostr::event::{Event, Kind, SignEvent, Tag, UnsignedEvent};
use nostr::key::{Keys, PublicKey};
use nostr::types::Timestamp;

use super::error::{EnvelopeError, Layer};
use super::layer::{self, Opened};
use super::tuple::{self, V1_ARITY};
use super::unwrapped::Unwrapped;
use super::{PrivacyMode, Transport, WrapOptions};
use crate::message::Message;
use crate::sign;

/// Builds a v1 gift wrap from `sender` (trade key, or Mostro key for replies).
///
/// The rumor is dated `now`; the seal and the wrap are backdated by a random 0–2 days.
pub(crate) fn wrap(
    message: &Message,
    sender: &Keys,
    mode: PrivacyMode<'_>,
    receiver: &PublicKey,
    options: &WrapOptions,
    now: Timestamp,
) -> Result<Event, EnvelopeError> {
    let message_json = message.to_json().map_err(EnvelopeError::Message)?;
    let (seal_signer, trade_signature) = match mode {
        PrivacyMode::Reputation { identity } => {
            (identity, Some(sign::sign_message(sender, &message_json)))
        }
        PrivacyMode::FullPrivacy => (sender, None),
    };
    let content = tuple::encode_v1(message, trade_signature.as_ref())?;

    let mut rumor = UnsignedEvent::new(
        sender.public_key(),
        now,
        Kind::TextNote,
        Vec::new(),
        content,
    );
    rumor.ensure_id();
    let rumor_json = serde_json::to_string(&rumor).map_err(EnvelopeError::Serialize)?;

    let seal_content = layer::encrypt(seal_signer.secret_key(), receiver, &rumor_json)?;
    let seal = UnsignedEvent::new(
        seal_signer.public_key(),
        layer::randomized_past(now),
        Kind::Seal,
        Vec::new(),
        seal_content,
    );
    let seal = seal_signer.sign_event(seal).map_err(EnvelopeError::Sign)?;
    let seal_json = serde_json::to_string(&seal).map_err(EnvelopeError::Serialize)?;

    let ephemeral = Keys::generate();
    let wrap_content = layer::encrypt(ephemeral.secret_key(), receiver, &seal_json)?;
    let mut tags = vec![Tag::public_key(*receiver)];
    tags.extend(options.expiration.map(Tag::expiration));
    let wrap = UnsignedEvent::new(
        ephemeral.public_key(),
        layer::randomized_past(now),
        Kind::GiftWrap,
        tags,
        wrap_content,
    );
    layer::sign_with_pow(&ephemeral, wrap, options.pow)
}

/// Opens a v1 gift wrap addressed to `receiver`. The outer signature must already be
/// verified by the caller.
pub(crate) fn unwrap(event: &Event, receiver: &Keys) -> Result<Option<Unwrapped>, EnvelopeError> {
    let own = receiver.secret_key();
    let seal_json = match layer::open(own, &event.pubkey, &event.content, Layer::Wrap)? {
        Opened::Plaintext(json) => json,
        Opened::Undecryptable(_) => return Ok(None),
    };

    let seal: Event = serde_json::from_str(&seal_json).map_err(EnvelopeError::BadSeal)?;
    expect_kind(Layer::Seal, seal.kind, Kind::Seal)?;
    seal.verify().map_err(|_| EnvelopeError::SealSignature)?;

    let rumor_json = match layer::open(own, &seal.pubkey, &seal.content, Layer::Seal)? {
        Opened::Plaintext(json) => json,
        Opened::Undecryptable(e) => return Err(EnvelopeError::SealDecrypt(e)),
    };
    let rumor: UnsignedEvent =
        serde_json::from_str(&rumor_json).map_err(EnvelopeError::BadRumor)?;
    expect_kind(Layer::Rumor, rumor.kind, Kind::TextNote)?;
    // Senders must include the id; the reference accepts a rumor without one, and so
    // do we, but an id that is present has to match the content.
    rumor.verify_id().map_err(|_| EnvelopeError::RumorId)?;

    let decoded = tuple::decode(&rumor.content, V1_ARITY)?;
    let sender = rumor.pubkey;
    if let Some(sig) = &decoded.trade_signature {
        if !sign::verify_message_signature(&sender, &decoded.message_json, sig) {
            return Err(EnvelopeError::TradeSignature);
        }
    }
    Ok(Some(Unwrapped {
        transport: Transport::V1,
        event_id: event.id,
        sender,
        identity: seal.pubkey,
        created_at: rumor.created_at,
        message: decoded.message,
        message_json: decoded.message_json,
        trade_signature: decoded.trade_signature,
    }))
}

fn expect_kind(layer: Layer, found: Kind, expected: Kind) -> Result<(), EnvelopeError> {
    if found == expected {
        Ok(())
    } else {
        Err(EnvelopeError::WrongKind {
            layer,
            found: found.as_u16(),
            expected: expected.as_u16(),
        })
    }
}
