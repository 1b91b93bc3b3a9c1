//! Building blocks shared by both transports: NIP-44 layers, NIP-13 mining,
//! signing and randomised timestamps.

use std::num::NonZeroU8;

use nostr::event::{Event, SignEvent, UnsignedEvent};
use nostr::key::{Keys, PublicKey, SecretKey};
use nostr::nips::nip13::SingleThreadPow;
use nostr::nips::nip44::{self, Version};
use nostr::types::Timestamp;
use rand::Rng;

use super::error::{EnvelopeError, Layer};

/// Upper bound (exclusive) of the random backdating of v1 seals and wraps: 2 days.
pub const MAX_TIMESTAMP_TWEAK_SECS: u64 = 2 * 24 * 60 * 60;

/// NIP-44 v2 encryption of `plaintext` from `sender` to `receiver`.
pub(crate) fn encrypt(
    sender: &SecretKey,
    receiver: &PublicKey,
    plaintext: &str,
) -> Result<String, EnvelopeError> {
    nip44::encrypt(sender, receiver, plaintext, Version::V2).map_err(EnvelopeError::Encrypt)
}

/// Outcome of opening a NIP-44 layer.
pub(crate) enum Opened {
    /// The MAC verified and the plaintext is UTF-8.
    Plaintext(String),
    /// The payload is malformed or the MAC does not verify for this key pair.
    Undecryptable(nostr::error::Error),
}

/// Opens a NIP-44 payload with the conversation key of (`own`, `peer`).
///
/// A MAC or format failure is returned as [`Opened::Undecryptable`] so the caller can
/// decide whether it means "not for me" (outer layer) or a hard error (inner layer).
/// A plaintext that authenticates but is not UTF-8 is always a hard error.
pub(crate) fn open(
    own: &SecretKey,
    peer: &PublicKey,
    payload: &str,
    layer: Layer,
) -> Result<Opened, EnvelopeError> {
    match nip44::decrypt_to_bytes(own, peer, payload) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Opened::Plaintext)
            .map_err(|_| EnvelopeError::NotUtf8(layer)),
        Err(e) => Ok(Opened::Undecryptable(e)),
    }
}

/// Signs `unsigned` with `keys`, first mining a NIP-13 `nonce` tag when `pow > 0`.
///
/// Mining is CPU-bound and blocks; async callers should run it on a blocking thread.
pub(crate) fn sign_with_pow(
    keys: &Keys,
    unsigned: UnsignedEvent,
    pow: u8,
) -> Result<Event, EnvelopeError> {
    let unsigned = match NonZeroU8::new(pow) {
        Some(difficulty) => {
            let Ok(mined) = unsigned.mine(&SingleThreadPow, difficulty);
            mined
        }
        None => unsigned,
    };
    keys.sign_event(unsigned).map_err(EnvelopeError::Sign)
}

/// `now` moved a uniformly random 0..2 days into the past (NIP-59 timestamp tweak).
pub(crate) fn randomized_past(now: Timestamp) -> Timestamp {
    let tweak = rand::rng().random_range(0..MAX_TIMESTAMP_TWEAK_SECS);
    Timestamp::from_secs(now.as_secs().saturating_sub(tweak))
}
