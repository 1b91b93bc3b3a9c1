//! The legacy gift-wrapped chat format (§9.5), read-only.
//!
//! Shared key = the raw ECDH x-coordinate used directly as a secret key. The
//! outer kind-1059 event is signed by a throw-away key, `p` = the shared
//! public key, `created_at` is randomised, and `content` is NIP-44 from the
//! throw-away key to the shared key of a kind-1 event signed by the sender's
//! trade key. Anyone holding the shared key can write, so we only read it.

use nostr::event::{Event, Kind};
use nostr::filter::Filter;
use nostr::key::{Keys, PublicKey, SecretKey};
use nostr::nips::nip44;
use nostr::types::Timestamp;

use super::derive::SharedSecret;
use super::envelope::{check_kind, check_size, open_inner, ChatMessage};
use super::{ChatError, CHAT_DEFAULT_LOOKBACK_SECS, LEGACY_CHAT_KIND};

/// The legacy shared key: `x(own_secret · peer)` used as a secret key.
pub fn legacy_shared_keys(own_secret: &SecretKey, peer: &PublicKey) -> Result<Keys, ChatError> {
    let shared = SharedSecret::ecdh(own_secret, peer)?;
    let secret =
        SecretKey::from_slice(shared.as_bytes()).map_err(|_| ChatError::InvalidDerivedKey)?;
    Ok(Keys::new(secret))
}

/// Open a legacy kind-1059 chat event with the shared key. Checks: kind, size,
/// outer id and signature, NIP-44 decryption, inner signature, inner signer in
/// `allowed_signers` (both trade keys), inner kind 1. The outer timestamp is
/// randomised by design, so it is not compared with the inner one.
pub fn unwrap_legacy_chat(
    shared: &Keys,
    allowed_signers: &[PublicKey],
    event: &Event,
) -> Result<ChatMessage, ChatError> {
    check_kind(event, LEGACY_CHAT_KIND)?;
    check_size(event)?;
    event.verify().map_err(ChatError::InvalidOuterSignature)?;
    let plaintext = nip44::decrypt(shared.secret_key(), &event.pubkey, &event.content)
        .map_err(ChatError::Decryption)?;
    let inner = open_inner(&plaintext, allowed_signers)?;
    Ok(ChatMessage {
        inner,
        outer_id: event.id,
        outer_created_at: event.created_at,
    })
}

/// The legacy subscription: `kinds:[1059]`, `#p:[shared pubkey]`,
/// `since = now − 7 days`.
pub fn legacy_chat_filter(shared_pubkey: PublicKey, now: Timestamp) -> Filter {
    let since = now.as_secs().saturating_sub(CHAT_DEFAULT_LOOKBACK_SECS);
    Filter::new()
        .kind(Kind::from(LEGACY_CHAT_KIND))
        .pubkey(shared_pubkey)
        .since(Timestamp::from_secs(since))
}
