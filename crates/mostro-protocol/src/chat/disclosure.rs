//! Read-only disclosure of a conversation to a solver (§9.4).

use std::fmt;

use nostr::event::{Event, Kind};
use nostr::filter::Filter;
use nostr::key::{Keys, PublicKey, SecretKey};
use nostr::types::Timestamp;

use super::envelope::{unwrap_chat_message, ChatMessage};
use super::{ChatError, CHAT_KIND};

/// What a party hands to the solver so it can read the buyer↔seller chat:
/// the `K_conv` secret plus `pub(K_sign)` as a non-secret locator.
///
/// With it the solver finds the transcript (`#p = pub(K_conv)`), decrypts every
/// message and verifies the inner trade-key signatures. It cannot write: it
/// lacks the `K_sign` secret, and receivers accept only `pub(K_sign)` as outer
/// author. The book fixes no format for sending it; send it through the
/// party↔solver channel.
///
/// `Debug` shows only public keys.
#[derive(Clone)]
pub struct ChatDisclosure {
    conv: Keys,
    sign_pubkey: PublicKey,
}

impl fmt::Debug for ChatDisclosure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChatDisclosure")
            .field("conv", &self.conv.public_key())
            .field("sign", &self.sign_pubkey)
            .finish_non_exhaustive()
    }
}

impl ChatDisclosure {
    /// Rebuild a disclosure from its two parts.
    pub fn new(conv_secret: SecretKey, sign_pubkey: PublicKey) -> Self {
        Self {
            conv: Keys::new(conv_secret),
            sign_pubkey,
        }
    }

    /// The `K_conv` secret (to transmit to the solver; handle as a secret).
    pub fn conv_secret(&self) -> &SecretKey {
        self.conv.secret_key()
    }

    /// `pub(K_conv)`, the conversation address.
    pub fn conv_pubkey(&self) -> PublicKey {
        self.conv.public_key()
    }

    /// `pub(K_sign)`, the only valid outer author.
    pub fn sign_pubkey(&self) -> PublicKey {
        self.sign_pubkey
    }

    /// Open one event of the disclosed conversation with every stateless
    /// check of §9.3; `allowed_signers` are the buyer's and seller's trade keys.
    pub fn open(
        &self,
        allowed_signers: &[PublicKey],
        event: &Event,
        now: Timestamp,
    ) -> Result<ChatMessage, ChatError> {
        unwrap_chat_message(&self.conv, &self.sign_pubkey, allowed_signers, event, now)
    }

    /// The transcript query: `kinds:[14]`, `#p:[pub(K_conv)]`,
    /// `authors:[pub(K_sign)]`.
    pub fn filter(&self) -> Filter {
        Filter::new()
            .kind(Kind::from(CHAT_KIND))
            .pubkey(self.conv.public_key())
            .author(self.sign_pubkey)
    }
}
