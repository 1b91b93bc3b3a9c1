//! Peer-to-peer chat and dispute chat (PROTOCOL.md §9).
//!
//! The daemon takes no part in chat: this is a client-to-client contract.
//!
//! * [`derive_chat_keys`] turns one's own trade secret and the peer's public key
//!   into the conversation keys `K_conv` (address and encryption) and `K_sign`
//!   (author of every outer event) — §9.1.
//! * [`wrap_chat_message`] / [`unwrap_chat_message`] build and check the kind-14
//!   envelope — §9.2 and the stateless checks of §9.3. The stateful checks
//!   (outer id LRU, rate limit, durable inner-id store) are the caller's job;
//!   [`SeenIds`] is a bounded LRU for the first one.
//! * [`ChatDisclosure`] is what a party hands to a solver: read access without
//!   write access — §9.4.
//! * [`unwrap_legacy_chat`] reads the older kind-1059 format — §9.5. We never
//!   emit it.

mod derive;
mod disclosure;
mod envelope;
mod legacy;
mod seen;

pub use self::derive::{derive_chat_keys, ChatKeys, SharedSecret};
pub use self::disclosure::ChatDisclosure;
pub use self::envelope::{
    chat_filter, unwrap_chat_message, wrap_chat_message, wrap_chat_message_with_tags, ChatMessage,
};
pub use self::legacy::{legacy_chat_filter, legacy_shared_keys, unwrap_legacy_chat};
pub use self::seen::SeenIds;

use nostr::key::PublicKey;

/// HKDF `info` for `K_conv`.
pub const CHAT_CONV_INFO: &str = "mostro:chat:conv:v1";
/// HKDF `info` for `K_sign`.
pub const CHAT_SIGN_INFO: &str = "mostro:chat:sign:v1";
/// Tolerated clock skew: outer events may be this far in the future, and the
/// inner and outer `created_at` may differ by this much.
pub const CHAT_MAX_CLOCK_SKEW_SECS: u64 = 60;
/// Largest accepted outer `content` (the NIP-44 payload), in bytes.
pub const CHAT_MAX_CONTENT_BYTES: usize = 64 * 1024;
/// How far back to look when subscribing without a stored position (7 days).
pub const CHAT_DEFAULT_LOOKBACK_SECS: u64 = 7 * 24 * 60 * 60;
/// Kind of the outer chat event (§9.2).
pub const CHAT_KIND: u16 = 14;
/// Kind of the outer legacy chat event (§9.5).
pub const LEGACY_CHAT_KIND: u16 = 1059;
/// Kind of the inner, trade-key-signed event.
pub const CHAT_INNER_KIND: u16 = 1;

/// Why a chat key could not be derived or a chat event was built or refused.
///
/// Each refusal is a distinct variant so callers (and tests) can tell at which
/// stage of §9.3 an event failed.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// The public key is not a valid secp256k1 x-only key.
    #[error("invalid public key for ECDH")]
    InvalidPublicKey(#[source] nostr::error::Error),
    /// A derived value is not a usable secp256k1 secret key (HKDF retries ran
    /// out, or the raw legacy ECDH value is out of range).
    #[error("derived chat key is not a valid secret key")]
    InvalidDerivedKey,
    /// Building or signing an event failed.
    #[error("failed to build chat event")]
    Build(#[source] nostr::error::Error),
    /// NIP-44 encryption failed.
    #[error("NIP-44 encryption failed")]
    Encryption(#[source] nostr::error::Error),
    /// The encrypted message would exceed what receivers accept.
    #[error("chat payload of {size} bytes exceeds the {max}-byte limit")]
    TooLarge {
        /// Size of the NIP-44 payload.
        size: usize,
        /// The limit ([`CHAT_MAX_CONTENT_BYTES`]).
        max: usize,
    },
    /// Extra tags passed to the wrapper must not add or replace the `p` tag.
    #[error("extra tags must not contain a `p` tag")]
    ExtraPTag,
    /// The outer event has the wrong kind.
    #[error("outer chat event has kind {found}, expected {expected}")]
    WrongKind {
        /// Kind required by the format.
        expected: u16,
        /// Kind found.
        found: u16,
    },
    /// The outer author is not `pub(K_sign)` of this conversation.
    #[error("outer event author {found} is not this conversation's signing key")]
    WrongAuthor {
        /// Author found on the event.
        found: PublicKey,
    },
    /// The outer event does not carry exactly one `p` tag equal to `pub(K_conv)`.
    #[error("outer event must carry exactly one p tag for this conversation ({count} found)")]
    WrongRecipient {
        /// Number of `p` tags found.
        count: usize,
    },
    /// The outer `created_at` is too far in the future.
    #[error("outer event created_at {created_at} is more than the allowed skew after {now}")]
    FromTheFuture {
        /// The event's `created_at`.
        created_at: u64,
        /// The receiver's clock.
        now: u64,
    },
    /// The outer id or signature does not verify.
    #[error("invalid outer chat event signature")]
    InvalidOuterSignature(#[source] nostr::error::Error),
    /// NIP-44 decryption failed (wrong key or tampered payload).
    #[error("chat payload decryption failed")]
    Decryption(#[source] nostr::error::Error),
    /// The plaintext is not an event.
    #[error("decrypted chat payload is not a nostr event")]
    MalformedInner(#[source] nostr::error::Error),
    /// The inner id or signature does not verify.
    #[error("invalid inner chat event signature")]
    InvalidInnerSignature(#[source] nostr::error::Error),
    /// The inner event is signed by a key that is not a party to the conversation.
    #[error("inner event signer {signer} is not allowed in this conversation")]
    SignerNotAllowed {
        /// The inner event's author.
        signer: PublicKey,
    },
    /// The inner event is not kind 1.
    #[error("inner chat event has kind {found}, expected 1")]
    InnerNotTextNote {
        /// Kind found.
        found: u16,
    },
    /// Inner and outer timestamps differ by more than the allowed skew
    /// (an old message re-wrapped).
    #[error("inner created_at {inner} and outer created_at {outer} disagree")]
    TimestampSkew {
        /// Inner `created_at`.
        inner: u64,
        /// Outer `created_at`.
        outer: u64,
    },
}
