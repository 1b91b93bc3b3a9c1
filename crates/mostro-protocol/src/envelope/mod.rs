//! Transport envelopes (PROTOCOL.md §1): how a logical [`Message`] travels inside
//! Nostr events, in both directions, on both transports.
//!
//! * [`Transport::V1`]: NIP-59 style gift wrap, kind 1059 (deprecated).
//! * [`Transport::V2`]: signed kind 14 with NIP-44 content (current).
//!
//! Build with [`wrap_message`] (user → Mostro, or any sender) and [`wrap_reply`]
//! (Mostro → user); open with [`unwrap_incoming`]. Time is always passed in; nothing
//! here reads the clock. Randomness (NIP-44 nonces, BIP-340 aux data, v1 ephemeral
//! keys and timestamp tweaks) comes from the OS RNG.

mod error;
mod layer;
mod tuple;
mod unwrapped;
mod v1;
mod v2;

use nostr::event::{Event, Kind};
use nostr::key::{Keys, PublicKey};
use nostr::types::Timestamp;

pub use self::error::{EnvelopeError, Layer};
pub use self::layer::MAX_TIMESTAMP_TWEAK_SECS;
pub use self::unwrapped::{unwrap_incoming, Unwrapped};
use crate::message::Message;

/// The two Mostro transports. A node speaks exactly one (PROTOCOL.md §1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// v1: gift wrap, kind 1059 (`protocol_version` `1`, or no tag).
    V1,
    /// v2: signed kind 14 with NIP-44 content (`protocol_version` `2`).
    V2,
}

impl Transport {
    /// Kind of the visible event: 1059 for v1, 14 for v2.
    pub fn kind(self) -> Kind {
        match self {
            Self::V1 => Kind::GiftWrap,
            Self::V2 => Kind::PrivateDirectMessage,
        }
    }

    /// The transport whose visible event has `kind`, if any.
    pub fn from_kind(kind: Kind) -> Option<Self> {
        match kind {
            Kind::GiftWrap => Some(Self::V1),
            Kind::PrivateDirectMessage => Some(Self::V2),
            _ => None,
        }
    }

    /// Value of the kind-38385 `protocol_version` tag: 1 or 2.
    pub fn protocol_version(self) -> u8 {
        match self {
            Self::V1 => 1,
            Self::V2 => 2,
        }
    }

    /// The transport advertised by a `protocol_version` value (`None` if unknown).
    pub fn from_protocol_version(version: u8) -> Option<Self> {
        match version {
            1 => Some(Self::V1),
            2 => Some(Self::V2),
            _ => None,
        }
    }
}

/// How a user message proves who sent it (PROTOCOL.md §1.1, §8.2).
#[derive(Debug, Clone, Copy)]
pub enum PrivacyMode<'a> {
    /// Reputation mode: the identity key (index 0) is proven to Mostro (v1: it signs
    /// the seal; v2: an identity proof in the tuple) and the message carries a trade
    /// signature.
    Reputation {
        /// The user's identity keys.
        identity: &'a Keys,
    },
    /// Full privacy: only the trade key is used; no trade signature, no identity.
    /// Also the mode of Mostro's own replies (signed by the Mostro key, `null` sigs).
    FullPrivacy,
}

/// Outer-event options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WrapOptions {
    /// NIP-13 difficulty (leading zero bits of the outer event id); 0 = no mining.
    pub pow: u8,
    /// NIP-40 `expiration` tag on the outer event, if any.
    pub expiration: Option<Timestamp>,
}

/// Wraps `message` from `sender` (the trade key) to `receiver` on `transport`.
///
/// The outer event carries a `p` tag for `receiver`, then `expiration` if requested,
/// then a mined `nonce` tag when `options.pow > 0`. v2 events are dated `now`; v1
/// rumors are dated `now` while seals and wraps are backdated by up to 2 days.
///
/// Mining blocks the thread; async callers should use a blocking task for high `pow`.
///
/// # Errors
///
/// [`EnvelopeError`] if serialisation, encryption or signing fails.
pub fn wrap_message(
    transport: Transport,
    message: &Message,
    sender: &Keys,
    mode: PrivacyMode<'_>,
    receiver: &PublicKey,
    options: &WrapOptions,
    now: Timestamp,
) -> Result<Event, EnvelopeError> {
    match transport {
        Transport::V1 => v1::wrap(message, sender, mode, receiver, options, now),
        Transport::V2 => v2::wrap(message, sender, mode, receiver, options, now),
    }
}

/// Wraps a reply from Mostro (`mostro` keys) to `recipient` (PROTOCOL.md §1.3, §1.4).
///
/// Tuples carry `null` signatures. v1 wraps have no expiration; v2 events expire
/// `dm_days` days after `now`. No proof of work is mined.
///
/// The daemon is expected to have set the message `version` for the transport
/// (1 on v1, 2 on v2) before calling this.
///
/// # Errors
///
/// [`EnvelopeError`] if serialisation, encryption or signing fails.
pub fn wrap_reply(
    transport: Transport,
    message: &Message,
    mostro: &Keys,
    recipient: &PublicKey,
    dm_days: u32,
    now: Timestamp,
) -> Result<Event, EnvelopeError> {
    let expiration = match transport {
        Transport::V1 => None,
        Transport::V2 => Some(now + u64::from(dm_days) * 24 * 60 * 60),
    };
    let options = WrapOptions { pow: 0, expiration };
    wrap_message(
        transport,
        message,
        mostro,
        PrivacyMode::FullPrivacy,
        recipient,
        &options,
        now,
    )
}
