//! Wrap → unwrap round trips on both transports, both privacy modes, both directions,
//! plus the structure of what we put on the wire (PROTOCOL.md §1.3, §1.4).

// Test code: failing loudly on broken fixtures is the point.
#![allow(clippy::expect_used)]

mod common_b1;

use common_b1::label_keys;
use mostro_protocol::envelope::{
    unwrap_incoming, wrap_message, wrap_reply, PrivacyMode, Transport, Unwrapped, WrapOptions,
    MAX_TIMESTAMP_TWEAK_SECS,
};
use mostro_protocol::message::Message;
use nostr::event::{Event, Kind, UnsignedEvent};
use nostr::key::{Keys, PublicKey};
use nostr::nips::nip44;
use nostr::types::Timestamp;
use serde_json::Value;

const NOW: u64 = 1_795_215_600;
const THIRTY_DAYS: u64 = 30 * 24 * 60 * 60;
const TAKE_SELL: &str = "{\"order\":{\"version\":2,\"request_id\":1,\"trade_index\":1,\"id\":\"308e1272-d5f4-47e6-bd97-3504baea9c23\",\"action\":\"take-sell\",\"payload\":null}}";
const CANT_DO: &str = "{\"cant-do\":{\"version\":2,\"request_id\":1,\"trade_index\":null,\"id\":\"308e1272-d5f4-47e6-bd97-3504baea9c23\",\"action\":\"cant-do\",\"payload\":{\"cant_do\":\"not_allowed_by_status\"}}}";

fn now() -> Timestamp {
    Timestamp::from_secs(NOW)
}

fn message(json: &str) -> Message {
    Message::from_json(json).expect("valid message")
}

fn tags(event: &Event) -> Vec<Vec<String>> {
    event.tags.iter().map(|t| t.as_slice().to_vec()).collect()
}

fn open(event: &Event, receiver: &Keys) -> Unwrapped {
    unwrap_incoming(event, receiver)
        .expect("unwraps")
        .expect("addressed to receiver")
}

/// Decrypts a v1 wrap by hand: (seal, rumor).
fn peel_v1(wrap: &Event, receiver: &Keys) -> (Event, UnsignedEvent) {
    let seal_json =
        nip44::decrypt(receiver.secret_key(), &wrap.pubkey, &wrap.content).expect("wrap");
    let seal: Event = serde_json::from_str(&seal_json).expect("seal json");
    let rumor_json =
        nip44::decrypt(receiver.secret_key(), &seal.pubkey, &seal.content).expect("seal");
    let rumor: UnsignedEvent = serde_json::from_str(&rumor_json).expect("rumor json");
    (seal, rumor)
}

fn assert_backdated(ts: Timestamp) {
    assert!(ts.as_secs() <= NOW, "in the future: {ts}");
    assert!(
        ts.as_secs() > NOW - MAX_TIMESTAMP_TWEAK_SECS,
        "more than 2 days back: {ts}"
    );
}

fn client_to_mostro(transport: Transport, reputation: bool) {
    let trade = label_keys("trade-1");
    let identity = label_keys("identity-1");
    let mostro = label_keys("mostro-node");
    let mode = if reputation {
        PrivacyMode::Reputation {
            identity: &identity,
        }
    } else {
        PrivacyMode::FullPrivacy
    };
    let options = WrapOptions {
        pow: 0,
        expiration: Some(now() + THIRTY_DAYS),
    };
    let msg = message(TAKE_SELL);
    let event = wrap_message(
        transport,
        &msg,
        &trade,
        mode,
        &mostro.public_key(),
        &options,
        now(),
    )
    .expect("wraps");

    assert_eq!(event.kind, transport.kind());
    assert!(event.verify().is_ok());
    let t = tags(&event);
    assert_eq!(t[0], vec!["p".to_owned(), mostro.public_key().to_hex()]);
    assert_eq!(
        t[1],
        vec!["expiration".to_owned(), (NOW + THIRTY_DAYS).to_string()]
    );
    assert_eq!(t.len(), 2);

    let got = open(&event, &mostro);
    let expected_identity = if reputation {
        identity.public_key()
    } else {
        trade.public_key()
    };
    assert_eq!(got.transport, transport);
    assert_eq!(got.sender, trade.public_key());
    assert_eq!(got.identity, expected_identity);
    assert_eq!(got.created_at, now());
    assert_eq!(got.message, msg);
    assert_eq!(got.message_json, TAKE_SELL);
    assert_eq!(got.trade_signature.is_some(), reputation);
    assert_eq!(got.is_full_privacy(), !reputation);
    assert!(got.satisfies_signature_rule());
    assert_eq!(got.event_id, event.id);
    assert!(got.is_fresh(now() + 10, 10));
    assert!(!got.is_fresh(now() + 11, 10));
    assert!(got.is_fresh(now() - 3600, 10), "no upper bound");

    match transport {
        Transport::V2 => {
            assert_eq!(event.pubkey, trade.public_key());
            assert_eq!(event.created_at, now());
            let plain =
                nip44::decrypt(mostro.secret_key(), &event.pubkey, &event.content).expect("opens");
            let tuple: Vec<Value> = serde_json::from_str(&plain).expect("tuple");
            assert_eq!(tuple.len(), 3);
            assert_eq!(tuple[2].is_null(), !reputation);
            if reputation {
                assert_eq!(tuple[2][0], identity.public_key().to_hex());
            }
        }
        Transport::V1 => {
            assert_ne!(event.pubkey, trade.public_key(), "ephemeral wrap key");
            assert_ne!(event.pubkey, identity.public_key(), "ephemeral wrap key");
            assert_backdated(event.created_at);
            let (seal, rumor) = peel_v1(&event, &mostro);
            assert_eq!(seal.kind, Kind::Seal);
            assert!(seal.tags.is_empty());
            assert_eq!(seal.pubkey, expected_identity);
            assert_backdated(seal.created_at);
            assert_eq!(rumor.kind, Kind::TextNote);
            assert_eq!(rumor.pubkey, trade.public_key());
            assert_eq!(rumor.created_at, now());
            assert!(rumor.tags.is_empty());
            assert!(rumor.id.is_some(), "senders include the rumor id");
            assert!(rumor.verify_id().is_ok());
            let tuple: Vec<Value> = serde_json::from_str(&rumor.content).expect("tuple");
            assert_eq!(tuple.len(), 2);
        }
    }

    // Nobody else can open it.
    let stranger = label_keys("stranger");
    assert!(unwrap_incoming(&event, &stranger)
        .expect("no error")
        .is_none());
}

#[test]
fn v1_reputation_client_to_mostro() {
    client_to_mostro(Transport::V1, true);
}

#[test]
fn v1_full_privacy_client_to_mostro() {
    client_to_mostro(Transport::V1, false);
}

#[test]
fn v2_reputation_client_to_mostro() {
    client_to_mostro(Transport::V2, true);
}

#[test]
fn v2_full_privacy_client_to_mostro() {
    client_to_mostro(Transport::V2, false);
}

fn mostro_to_client(transport: Transport) {
    let mostro = label_keys("mostro-node");
    let trade = label_keys("trade-1");
    let msg = message(CANT_DO);
    let event =
        wrap_reply(transport, &msg, &mostro, &trade.public_key(), 30, now()).expect("wraps");
    assert_eq!(event.kind, transport.kind());
    let t = tags(&event);
    assert_eq!(t[0], vec!["p".to_owned(), trade.public_key().to_hex()]);
    match transport {
        Transport::V2 => {
            assert_eq!(t.len(), 2);
            assert_eq!(
                t[1],
                vec!["expiration".to_owned(), (NOW + THIRTY_DAYS).to_string()]
            );
            assert_eq!(event.pubkey, mostro.public_key());
            assert_eq!(event.created_at, now());
            let plain =
                nip44::decrypt(trade.secret_key(), &event.pubkey, &event.content).expect("opens");
            let tuple: Vec<Value> = serde_json::from_str(&plain).expect("tuple");
            assert_eq!(tuple.len(), 3);
            assert!(tuple[1].is_null() && tuple[2].is_null());
        }
        Transport::V1 => {
            assert_eq!(t.len(), 1, "no expiration on v1 replies");
            assert_backdated(event.created_at);
            let (seal, rumor) = peel_v1(&event, &trade);
            assert_eq!(seal.pubkey, mostro.public_key());
            assert_eq!(rumor.pubkey, mostro.public_key());
            let tuple: Vec<Value> = serde_json::from_str(&rumor.content).expect("tuple");
            assert_eq!(tuple.len(), 2);
            assert!(tuple[1].is_null());
        }
    }
    let got = open(&event, &trade);
    assert_eq!(got.sender, mostro.public_key());
    assert_eq!(got.identity, mostro.public_key());
    assert_eq!(got.message_json, CANT_DO);
    assert!(got.trade_signature.is_none());
    assert!(unwrap_incoming(&event, &mostro)
        .expect("no error")
        .is_none());
}

#[test]
fn v1_mostro_to_client() {
    mostro_to_client(Transport::V1);
}

#[test]
fn v2_mostro_to_client() {
    mostro_to_client(Transport::V2);
}

#[test]
fn reputation_with_identity_equal_to_trade_key_sends_no_proof() {
    let solver = label_keys("solver");
    let mostro = label_keys("mostro-node");
    let mode = PrivacyMode::Reputation { identity: &solver };
    let event = wrap_message(
        Transport::V2,
        &message(TAKE_SELL),
        &solver,
        mode,
        &mostro.public_key(),
        &WrapOptions::default(),
        now(),
    )
    .expect("wraps");
    let plain = nip44::decrypt(mostro.secret_key(), &event.pubkey, &event.content).expect("opens");
    let tuple: Vec<Value> = serde_json::from_str(&plain).expect("tuple");
    assert!(tuple[1].is_string(), "trade signature present");
    assert!(tuple[2].is_null(), "no proof when identity == trade key");
    let got = open(&event, &mostro);
    assert_eq!(got.identity, solver.public_key());
    assert!(got.satisfies_signature_rule());
}

fn pow_case(transport: Transport) {
    let trade = label_keys("trade-2");
    let mostro = label_keys("mostro-node");
    let options = WrapOptions {
        pow: 10,
        expiration: None,
    };
    let event = wrap_message(
        transport,
        &message(TAKE_SELL),
        &trade,
        PrivacyMode::FullPrivacy,
        &mostro.public_key(),
        &options,
        now(),
    )
    .expect("wraps");
    assert!(
        event.check_pow(10),
        "id {} lacks 10 leading zero bits",
        event.id
    );
    let t = tags(&event);
    let nonce = t.last().expect("nonce tag");
    assert_eq!(nonce[0], "nonce");
    assert_eq!(nonce[2], "10");
    assert_eq!(t[0][0], "p");
    assert!(event.verify().is_ok());
    assert_eq!(open(&event, &mostro).sender, trade.public_key());
}

#[test]
fn v1_pow_meets_difficulty() {
    pow_case(Transport::V1);
}

#[test]
fn v2_pow_meets_difficulty() {
    pow_case(Transport::V2);
}

#[test]
fn wrapping_twice_gives_different_events() {
    let trade = label_keys("trade-1");
    let mostro: PublicKey = label_keys("mostro-node").public_key();
    for transport in [Transport::V1, Transport::V2] {
        let wrap = || {
            wrap_message(
                transport,
                &message(TAKE_SELL),
                &trade,
                PrivacyMode::FullPrivacy,
                &mostro,
                &WrapOptions::default(),
                now(),
            )
            .expect("wraps")
        };
        assert_ne!(wrap().content, wrap().content, "random NIP-44 nonce");
    }
}

#[test]
fn transport_metadata() {
    for transport in [Transport::V1, Transport::V2] {
        assert_eq!(Transport::from_kind(transport.kind()), Some(transport));
        assert_eq!(
            Transport::from_protocol_version(transport.protocol_version()),
            Some(transport)
        );
    }
    assert_eq!(Transport::V1.kind(), Kind::GiftWrap);
    assert_eq!(Transport::V2.kind(), Kind::PrivateDirectMessage);
    assert_eq!(Transport::from_kind(Kind::TextNote), None);
    assert_eq!(Transport::from_protocol_version(3), None);
}
