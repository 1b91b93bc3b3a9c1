//! The kind-14 chat envelope (§9.2) and the stateless receiver checks (§9.3).

use nostr::event::{Event, EventBuilder, EventId, FinalizeEvent, Kind, Tag};
use nostr::filter::Filter;
use nostr::key::{Keys, PublicKey};
use nostr::nips::nip44;
use nostr::types::Timestamp;

use super::derive::ChatKeys;
use super::{
    ChatError, CHAT_INNER_KIND, CHAT_KIND, CHAT_MAX_CLOCK_SKEW_SECS, CHAT_MAX_CONTENT_BYTES,
};

/// A chat message that passed every stateless check.
///
/// Callers still have to drop replays: check [`ChatMessage::inner_id`] against
/// a durable store (§9.3 step 12) before showing or storing the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    /// The verified inner kind-1 event, signed by a party's trade key (or the
    /// solver). It is self-authenticating evidence, e.g. for a dispute.
    pub inner: Event,
    /// Id of the outer event that carried it.
    pub outer_id: EventId,
    /// `created_at` of the outer event.
    pub outer_created_at: Timestamp,
}

impl ChatMessage {
    /// The plain text.
    pub fn content(&self) -> &str {
        &self.inner.content
    }

    /// Who wrote it: the inner signer.
    pub fn sender(&self) -> PublicKey {
        self.inner.pubkey
    }

    /// When it was written: the inner `created_at`, the one to sort by.
    pub fn created_at(&self) -> Timestamp {
        self.inner.created_at
    }

    /// Id of the inner event: the key for replay detection.
    pub fn inner_id(&self) -> EventId {
        self.inner.id
    }
}

impl ChatKeys {
    /// [`wrap_chat_message`] for this conversation.
    pub fn wrap(&self, sender: &Keys, text: &str, now: Timestamp) -> Result<Event, ChatError> {
        wrap_chat_message(sender, self, text, now)
    }

    /// [`unwrap_chat_message`] for this conversation.
    pub fn open(
        &self,
        allowed_signers: &[PublicKey],
        event: &Event,
        now: Timestamp,
    ) -> Result<ChatMessage, ChatError> {
        unwrap_chat_message(
            self.conv(),
            &self.sign_pubkey(),
            allowed_signers,
            event,
            now,
        )
    }
}

/// Wrap `text` from `sender` (the sender's trade key, or the solver key in a
/// dispute chat) into a kind-14 event for the conversation `chat`.
pub fn wrap_chat_message(
    sender: &Keys,
    chat: &ChatKeys,
    text: &str,
    now: Timestamp,
) -> Result<Event, ChatError> {
    wrap_chat_message_with_tags(sender, chat, text, Vec::new(), now)
}

/// Like [`wrap_chat_message`], adding `extra_tags` after the `p` tag (for
/// instance a NIP-40 `expiration`). A `p` tag among them is refused: the single
/// `p` tag is how receivers and solvers find the conversation.
pub fn wrap_chat_message_with_tags(
    sender: &Keys,
    chat: &ChatKeys,
    text: &str,
    extra_tags: Vec<Tag>,
    now: Timestamp,
) -> Result<Event, ChatError> {
    if extra_tags.iter().any(|tag| tag.kind() == "p") {
        return Err(ChatError::ExtraPTag);
    }
    let inner = EventBuilder::new(Kind::from(CHAT_INNER_KIND), text)
        .custom_created_at(now)
        .finalize(sender)
        .map_err(ChatError::Build)?;

    let conv = chat.conv();
    let content = nip44::encrypt(
        conv.secret_key(),
        &conv.public_key(),
        inner.as_json(),
        nip44::Version::V2,
    )
    .map_err(ChatError::Encryption)?;
    if content.len() > CHAT_MAX_CONTENT_BYTES {
        return Err(ChatError::TooLarge {
            size: content.len(),
            max: CHAT_MAX_CONTENT_BYTES,
        });
    }

    EventBuilder::new(Kind::from(CHAT_KIND), content)
        .tag(Tag::public_key(conv.public_key()))
        .tags(extra_tags)
        .custom_created_at(now)
        .finalize(chat.sign())
        .map_err(ChatError::Build)
}

/// Open a kind-14 chat event, cheapest checks first (§9.3 steps 1–4 and 7–13,
/// without the stateful steps 5, 6 and 12).
///
/// * `conv` — `K_conv` of the conversation (from [`ChatKeys::conv`] or a
///   disclosure);
/// * `sign_pubkey` — `pub(K_sign)`, the only accepted outer author;
/// * `allowed_signers` — accepted inner signers: both trade keys in a peer chat
///   (never the solver), or the party's trade key and the solver in a dispute chat;
/// * `now` — the receiver's clock.
pub fn unwrap_chat_message(
    conv: &Keys,
    sign_pubkey: &PublicKey,
    allowed_signers: &[PublicKey],
    event: &Event,
    now: Timestamp,
) -> Result<ChatMessage, ChatError> {
    check_kind(event, CHAT_KIND)?;
    if event.pubkey != *sign_pubkey {
        return Err(ChatError::WrongAuthor {
            found: event.pubkey,
        });
    }
    check_single_p_tag(event, &conv.public_key())?;
    if event.created_at.as_secs() > now.as_secs().saturating_add(CHAT_MAX_CLOCK_SKEW_SECS) {
        return Err(ChatError::FromTheFuture {
            created_at: event.created_at.as_secs(),
            now: now.as_secs(),
        });
    }
    check_size(event)?;
    event.verify().map_err(ChatError::InvalidOuterSignature)?;

    let plaintext = nip44::decrypt(conv.secret_key(), &conv.public_key(), &event.content)
        .map_err(ChatError::Decryption)?;
    let inner = open_inner(&plaintext, allowed_signers)?;

    let (a, b) = (inner.created_at.as_secs(), event.created_at.as_secs());
    if a.abs_diff(b) > CHAT_MAX_CLOCK_SKEW_SECS {
        return Err(ChatError::TimestampSkew { inner: a, outer: b });
    }
    Ok(ChatMessage {
        inner,
        outer_id: event.id,
        outer_created_at: event.created_at,
    })
}

/// The subscription for a conversation: `kinds:[14]`, `authors:[pub(K_sign)]`,
/// `since` (clamped to `now` so a bad stored position cannot skip messages),
/// and a `limit`.
pub fn chat_filter(
    sign_pubkey: PublicKey,
    since: Timestamp,
    now: Timestamp,
    limit: usize,
) -> Filter {
    Filter::new()
        .kind(Kind::from(CHAT_KIND))
        .author(sign_pubkey)
        .since(since.min(now))
        .limit(limit)
}

pub(super) fn check_kind(event: &Event, expected: u16) -> Result<(), ChatError> {
    let found = event.kind.as_u16();
    if found != expected {
        return Err(ChatError::WrongKind { expected, found });
    }
    Ok(())
}

fn check_single_p_tag(event: &Event, conv_pubkey: &PublicKey) -> Result<(), ChatError> {
    let expected = conv_pubkey.to_hex();
    let p_values: Vec<Option<&str>> = event
        .tags
        .iter()
        .filter(|tag| tag.kind() == "p")
        .map(|tag| tag.content())
        .collect();
    match p_values.as_slice() {
        [Some(value)] if *value == expected => Ok(()),
        _ => Err(ChatError::WrongRecipient {
            count: p_values.len(),
        }),
    }
}

pub(super) fn check_size(event: &Event) -> Result<(), ChatError> {
    if event.content.len() > CHAT_MAX_CONTENT_BYTES {
        return Err(ChatError::TooLarge {
            size: event.content.len(),
            max: CHAT_MAX_CONTENT_BYTES,
        });
    }
    Ok(())
}

/// Parse and verify the inner event: signature, allowed signer, kind 1.
pub(super) fn open_inner(
    plaintext: &str,
    allowed_signers: &[PublicKey],
) -> Result<Event, ChatError> {
    let inner = Event::from_json(plaintext).map_err(ChatError::MalformedInner)?;
    inner.verify().map_err(ChatError::InvalidInnerSignature)?;
    if !allowed_signers.contains(&inner.pubkey) {
        return Err(ChatError::SignerNotAllowed {
            signer: inner.pubkey,
        });
    }
    let kind = inner.kind.as_u16();
    if kind != CHAT_INNER_KIND {
        return Err(ChatError::InnerNotTextNote { found: kind });
    }
    Ok(inner)
}
