//! Peer chat and dispute chat (PROTOCOL.md §9).
//!
//! The peer chat runs between the two trade keys of an order; the dispute chat
//! between our trade key and the solver Mostro announced. Accepted messages are
//! stored by inner event id, which is the durable replay defence of §9.3: an
//! old message re-wrapped in a new outer event is recognised and ignored.

use mostro_protocol::chat::{
    chat_filter, ChatDisclosure, ChatKeys, ChatMessage, CHAT_DEFAULT_LOOKBACK_SECS,
    CHAT_MAX_CLOCK_SKEW_SECS,
};
use mostro_relay::Subscription;
use nostr::event::{Event, EventId};
use nostr::key::{Keys, PublicKey, SecretKey};
use nostr::types::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{unix_now, MostroClient};
use crate::error::ClientError;
use crate::store::StoredChatMessage;

/// Most messages asked from relays per history read.
const CHAT_FETCH_LIMIT: usize = 1000;

/// Which conversation of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel {
    /// With the counterparty.
    Peer,
    /// With the solver of the order's dispute.
    Dispute,
}

/// One conversation, ready to use.
#[derive(Debug, Clone)]
pub(super) struct Conversation {
    keys: ChatKeys,
    me: Keys,
    allowed: Vec<PublicKey>,
}

impl Conversation {
    /// The conversation between `me` and `peer` (§9.1 keys; §9.4 for a
    /// solver, whose `me` is its identity key). Only `me` and `peer` may sign.
    pub(super) fn between(me: Keys, peer: PublicKey) -> Result<Self, ClientError> {
        let keys = ChatKeys::from_shared(mostro_protocol::chat::SharedSecret::ecdh(
            me.secret_key(),
            &peer,
        )?)?;
        Ok(Self {
            keys,
            allowed: vec![me.public_key(), peer],
            me,
        })
    }

    /// Store key of the conversation: `pub(K_conv)` hex.
    fn id(&self) -> String {
        self.keys.conv_pubkey().to_hex()
    }
}

/// The peer conversation disclosed to a solver: `K_conv` (read access) and
/// `pub(K_sign)` as locator, plus the two trade keys whose messages count.
#[derive(Debug, Clone)]
pub struct PeerChatDisclosure {
    /// Read access to the conversation.
    pub disclosure: ChatDisclosure,
    /// Buyer and seller trade keys (the only accepted inner signers).
    pub participants: [PublicKey; 2],
}

#[derive(Serialize, Deserialize)]
struct DisclosureText {
    conv_secret: String,
    sign_pubkey: PublicKey,
    participants: [PublicKey; 2],
}

impl PeerChatDisclosure {
    /// JSON text to send to the solver over the dispute chat. It contains a
    /// secret (read access to the chat): send it only to the solver.
    pub fn to_text(&self) -> String {
        let text = DisclosureText {
            conv_secret: self.disclosure.conv_secret().to_secret_hex(),
            sign_pubkey: self.disclosure.sign_pubkey(),
            participants: self.participants,
        };
        serde_json::to_string(&text).unwrap_or_default()
    }

    /// Parses [`PeerChatDisclosure::to_text`] output.
    pub fn from_text(text: &str) -> Result<Self, ClientError> {
        let bad = |what: &str| ClientError::InvalidInput(format!("bad chat disclosure: {what}"));
        let parsed: DisclosureText =
            serde_json::from_str(text).map_err(|_| bad("not the expected JSON"))?;
        let secret = SecretKey::from_hex(&parsed.conv_secret).map_err(|_| bad("conv_secret"))?;
        Ok(Self {
            disclosure: ChatDisclosure::new(secret, parsed.sign_pubkey),
            participants: parsed.participants,
        })
    }
}

fn stored(message: &ChatMessage) -> StoredChatMessage {
    StoredChatMessage {
        inner_id: message.inner_id().to_hex(),
        sender: message.sender().to_hex(),
        created_at: message.created_at().as_secs(),
        content: message.content().to_owned(),
    }
}

impl MostroClient {
    fn conversation(&self, order_id: Uuid, channel: Channel) -> Result<Conversation, ClientError> {
        let order = self.local_order(order_id)?;
        let me = self.trade_keys(order.trade_index)?;
        let peer = match channel {
            Channel::Peer => order
                .peer_pubkey
                .ok_or(ClientError::NoPeer(order_id, "counterparty"))?,
            Channel::Dispute => order
                .solver_pubkey
                .ok_or(ClientError::NoPeer(order_id, "solver"))?,
        };
        Conversation::between(me, peer)
    }

    pub(super) async fn send_in(
        &self,
        conv: &Conversation,
        text: &str,
    ) -> Result<EventId, ClientError> {
        let now = Timestamp::now();
        let event = conv.keys.wrap(&conv.me, text, now)?;
        let outcome = self.inner.pool.publish(&event).await;
        if !outcome.any_accepted() {
            return Err(ClientError::NotPublished {
                rejections: outcome
                    .acks
                    .iter()
                    .map(|(url, ack)| format!("{url}: {ack:?}"))
                    .collect(),
            });
        }
        // Our own message is part of the history; its inner id is now known.
        let opened = conv.keys.open(&conv.allowed, &event, now)?;
        self.inner
            .store
            .insert_chat_message(&conv.id(), &stored(&opened))?;
        Ok(event.id)
    }

    /// Validates `event` for `conv` and stores it; `Some` if it is new.
    fn accept(
        &self,
        conv: &Conversation,
        event: &Event,
    ) -> Result<Option<StoredChatMessage>, ClientError> {
        let message = match conv.keys.open(&conv.allowed, event, Timestamp::now()) {
            Ok(message) => message,
            Err(error) => {
                tracing::debug!(event_id = %event.id, %error, "dropping chat event");
                return Ok(None);
            }
        };
        let record = stored(&message);
        let id = conv.id();
        let fresh = self.inner.store.insert_chat_message(&id, &record)?;
        self.inner
            .store
            .advance_chat_cursor(&id, event.created_at.as_secs())?;
        Ok(fresh.then_some(record))
    }

    pub(super) async fn read_in(
        &self,
        conv: &Conversation,
    ) -> Result<Vec<StoredChatMessage>, ClientError> {
        let id = conv.id();
        let now = unix_now();
        let since = match self.inner.store.chat_cursor(&id)? {
            Some(cursor) => cursor.saturating_sub(CHAT_MAX_CLOCK_SKEW_SECS),
            None => now.saturating_sub(CHAT_DEFAULT_LOOKBACK_SECS),
        };
        let filter = chat_filter(
            conv.keys.sign_pubkey(),
            Timestamp::from(since),
            Timestamp::from(now),
            CHAT_FETCH_LIMIT,
        );
        let events = self
            .inner
            .pool
            .fetch(vec![filter], self.inner.timeouts.fetch)
            .await?;
        for event in &events {
            self.accept(conv, event)?;
        }
        Ok(self.inner.store.chat_messages(&id)?)
    }

    /// Sends `text` to the counterparty of `order_id`.
    pub async fn send_chat(&self, order_id: Uuid, text: &str) -> Result<EventId, ClientError> {
        let conv = self.conversation(order_id, Channel::Peer)?;
        self.send_in(&conv, text).await
    }

    /// Fetches new messages from relays and returns the whole conversation
    /// with the counterparty, oldest first.
    pub async fn read_chat(&self, order_id: Uuid) -> Result<Vec<StoredChatMessage>, ClientError> {
        let conv = self.conversation(order_id, Channel::Peer)?;
        self.read_in(&conv).await
    }

    /// Follows the conversation with the counterparty live.
    pub fn follow_chat(&self, order_id: Uuid) -> Result<ChatFollow, ClientError> {
        self.follow(self.conversation(order_id, Channel::Peer)?)
    }

    /// Sends `text` to the solver of the order's dispute.
    pub async fn send_dispute_chat(
        &self,
        order_id: Uuid,
        text: &str,
    ) -> Result<EventId, ClientError> {
        let conv = self.conversation(order_id, Channel::Dispute)?;
        self.send_in(&conv, text).await
    }

    /// Fetches and returns the conversation with the solver, oldest first.
    pub async fn read_dispute_chat(
        &self,
        order_id: Uuid,
    ) -> Result<Vec<StoredChatMessage>, ClientError> {
        let conv = self.conversation(order_id, Channel::Dispute)?;
        self.read_in(&conv).await
    }

    /// Follows the conversation with the solver live.
    pub fn follow_dispute_chat(&self, order_id: Uuid) -> Result<ChatFollow, ClientError> {
        self.follow(self.conversation(order_id, Channel::Dispute)?)
    }

    fn follow(&self, conv: Conversation) -> Result<ChatFollow, ClientError> {
        let now = unix_now();
        let since = self
            .inner
            .store
            .chat_cursor(&conv.id())?
            .map(|c| c.saturating_sub(CHAT_MAX_CLOCK_SKEW_SECS))
            .unwrap_or_else(|| now.saturating_sub(CHAT_DEFAULT_LOOKBACK_SECS));
        let filter = chat_filter(
            conv.keys.sign_pubkey(),
            Timestamp::from(since),
            Timestamp::from(now),
            CHAT_FETCH_LIMIT,
        );
        let subscription = self.inner.pool.subscribe(vec![filter]);
        Ok(ChatFollow {
            client: self.clone(),
            conv,
            subscription,
        })
    }

    /// Read access to the peer conversation of `order_id`, to hand to the
    /// solver during a dispute (§9.4). Never includes `K_sign`.
    pub fn chat_disclosure(&self, order_id: Uuid) -> Result<PeerChatDisclosure, ClientError> {
        let conv = self.conversation(order_id, Channel::Peer)?;
        let [me, peer] = [conv.allowed[0], conv.allowed[1]];
        Ok(PeerChatDisclosure {
            disclosure: conv.keys.disclose(),
            participants: [me, peer],
        })
    }

    /// Solver side: fetches and verifies a disclosed peer conversation,
    /// oldest first, each inner message once.
    pub async fn read_disclosed_chat(
        &self,
        shared: &PeerChatDisclosure,
    ) -> Result<Vec<ChatMessage>, ClientError> {
        let events = self
            .inner
            .pool
            .fetch(vec![shared.disclosure.filter()], self.inner.timeouts.fetch)
            .await?;
        let now = Timestamp::now();
        let mut seen = std::collections::HashSet::new();
        let mut out: Vec<ChatMessage> = events
            .iter()
            .filter_map(|e| shared.disclosure.open(&shared.participants, e, now).ok())
            .filter(|m| seen.insert(m.inner_id()))
            .collect();
        out.sort_by_key(|m| (m.created_at(), m.inner_id()));
        Ok(out)
    }
}

/// A live conversation: yields each new, valid message once.
#[derive(Debug)]
pub struct ChatFollow {
    client: MostroClient,
    conv: Conversation,
    subscription: Subscription,
}

impl ChatFollow {
    /// The next new message; `None` when the relay pool shut down.
    pub async fn next(&mut self) -> Option<Result<StoredChatMessage, ClientError>> {
        loop {
            let event = self.subscription.next_event().await?;
            match self.client.accept(&self.conv, &event) {
                Ok(Some(message)) => return Some(Ok(message)),
                Ok(None) => {}
                Err(error) => return Some(Err(error)),
            }
        }
    }
}
