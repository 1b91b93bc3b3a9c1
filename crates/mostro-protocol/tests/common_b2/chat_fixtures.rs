//! Keys, events and envelopes shared by the chat suites.

use nostr::event::{Event, EventBuilder, FinalizeEvent, Kind, Tag};
use nostr::key::{Keys, PublicKey, SecretKey};
use nostr::nips::nip44;
use nostr::types::Timestamp;
use serde_json::Value;

use mostro_protocol::chat::{derive_chat_keys, ChatKeys};

use super::{cases, load, text};

/// The `now` every chat.json message case was recorded with.
pub const NOW: u64 = 1_795_215_600;

pub fn sk(hex: &str) -> SecretKey {
    SecretKey::from_hex(hex).expect("secret hex")
}

pub fn pk(hex: &str) -> PublicKey {
    PublicKey::from_hex(hex).expect("pubkey hex")
}

pub fn keys(hex: &str) -> Keys {
    Keys::new(sk(hex))
}

/// A named test key of chat.json (`alice`, `bob`, `solver`, `trade-1`, …).
pub fn named(file: &Value, label: &str) -> Keys {
    let key = keys(text(&file["keys"][label], "secret_hex"));
    assert_eq!(
        key.public_key().to_hex(),
        text(&file["keys"][label], "pubkey_hex")
    );
    key
}

pub fn event(case: &Value) -> Event {
    Event::from_json(text(case, "event_json")).expect("event json")
}

pub fn allowed(case: &Value) -> Vec<PublicKey> {
    case["allowed_signers"]
        .as_array()
        .expect("allowed_signers")
        .iter()
        .map(|s| pk(text(s, "pubkey_hex")))
        .collect()
}

pub fn ts(secs: u64) -> Timestamp {
    Timestamp::from_secs(secs)
}

pub fn category<'a>(file: &'a Value, name: &str) -> Vec<&'a Value> {
    let found: Vec<&Value> = cases(file)
        .iter()
        .filter(|c| c["category"] == name)
        .collect();
    assert!(!found.is_empty(), "no `{name}` cases");
    found
}

/// The Alice/Bob conversation from the book vector.
pub fn alice_bob() -> (Keys, Keys, ChatKeys, ChatKeys) {
    let file = load("chat.json");
    let alice = named(&file, "alice");
    let bob = named(&file, "bob");
    let a = derive_chat_keys(alice.secret_key(), &bob.public_key()).expect("derivable");
    let b = derive_chat_keys(bob.secret_key(), &alice.public_key()).expect("derivable");
    (alice, bob, a, b)
}

/// Sign an arbitrary outer event (for tampering tests).
pub fn outer_event(signer: &Keys, tags: Vec<Tag>, content: String, at: u64) -> Event {
    EventBuilder::new(Kind::from(14u16), content)
        .tags(tags)
        .custom_created_at(ts(at))
        .finalize(signer)
        .expect("signable")
}

/// NIP-44 payload of `inner` under the conversation key of `chat`.
pub fn encrypt_for(chat: &ChatKeys, inner: &Event) -> String {
    let conv = chat.conv();
    nip44::encrypt(
        conv.secret_key(),
        &conv.public_key(),
        inner.as_json(),
        nip44::Version::V2,
    )
    .expect("encryptable")
}

pub fn text_note(signer: &Keys, text: &str, at: u64) -> Event {
    EventBuilder::new(Kind::from(1u16), text)
        .custom_created_at(ts(at))
        .finalize(signer)
        .expect("signable")
}
