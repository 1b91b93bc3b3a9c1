//! Turning the engine's direct messages into signed events (PROTOCOL.md §1.3, §1.4).
//!
//! Replies go out in the transport the request came in: v2 as a kind-14 event signed by
//! the node key with `expiration = now + dm_days`, v1 as a gift wrap with no
//! expiration. The message `version` is stamped per transport (1 on v1, 2 on v2)
//! whatever the engine put there.

use ::nostr::event::Event;
use ::nostr::key::{Keys, PublicKey};
use ::nostr::types::Timestamp;
use mostro_protocol::envelope::{wrap_reply, EnvelopeError};
use mostro_protocol::Message;

use super::transport::to_envelope;
use crate::model::Transport;

/// Default `[expiration] dm_days`: NIP-40 retention of the node's kind-14 replies.
pub const DEFAULT_DM_DAYS: u32 = 30;

/// A direct message could not be wrapped.
#[derive(Debug, thiserror::Error)]
#[error("cannot wrap direct message for {transport:?}")]
pub struct WrapError {
    /// The requested transport.
    pub transport: Transport,
    /// The envelope failure.
    #[source]
    pub source: EnvelopeError,
}

/// Wraps the node's direct messages with its keys.
#[derive(Debug, Clone)]
pub struct ReplyWrapper {
    keys: Keys,
    dm_days: u32,
}

impl ReplyWrapper {
    /// A wrapper signing with `keys`; v2 replies expire `dm_days` after sending time.
    pub fn new(keys: Keys, dm_days: u32) -> Self {
        Self { keys, dm_days }
    }

    /// The node's public key (author of every reply).
    pub fn public_key(&self) -> PublicKey {
        self.keys.public_key()
    }

    /// Signs `message` for `to` in `transport`, stamping the transport's `version`.
    pub fn wrap(
        &self,
        to: &PublicKey,
        transport: Transport,
        message: &Message,
        now: Timestamp,
    ) -> Result<Event, WrapError> {
        let mut message = message.clone();
        message.inner_mut().version = transport.version();
        wrap_reply(
            to_envelope(transport),
            &message,
            &self.keys,
            to,
            self.dm_days,
            now,
        )
        .map_err(|source| WrapError { transport, source })
    }
}

#[cfg(test)]
mod tests {
    use ::nostr::event::Kind;
    use mostro_protocol::envelope::unwrap_incoming;
    use mostro_protocol::{Action, MessageKind};

    use super::*;

    #[test]
    fn stamps_version_and_expiration_per_transport() {
        let node = Keys::generate();
        let user = Keys::generate();
        let wrapper = ReplyWrapper::new(node.clone(), 30);
        let message = Message::new_order(MessageKind::new(Action::FiatSentOk).with_version(7));
        let now = Timestamp::from_secs(1_700_000_000);
        for (transport, kind, version) in [
            (Transport::Nip44, Kind::PrivateDirectMessage, 2),
            (Transport::GiftWrap, Kind::GiftWrap, 1),
        ] {
            let event = wrapper
                .wrap(&user.public_key(), transport, &message, now)
                .unwrap();
            assert_eq!(event.kind, kind);
            let expiration = event.tags.expiration();
            match transport {
                Transport::Nip44 => {
                    assert_eq!(event.pubkey, node.public_key());
                    assert_eq!(expiration, Some(now + 30 * 86_400));
                }
                Transport::GiftWrap => assert_eq!(expiration, None),
            }
            let opened = unwrap_incoming(&event, &user).unwrap().unwrap();
            assert_eq!(opened.sender, node.public_key());
            assert_eq!(opened.message.inner().version, version);
            assert_eq!(opened.message.action(), Action::FiatSentOk);
            assert!(opened.trade_signature.is_none());
        }
    }
}
