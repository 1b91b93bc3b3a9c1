//! Hand-built hostile envelopes: each is refused with a typed error, never a panic.

// Test code: failing loudly on broken fixtures is the point.
#![allow(clippy::expect_used)]

mod common_b1;

use common_b1::label_keys;
use mostro_protocol::envelope::{
    unwrap_incoming, wrap_message, EnvelopeError, Layer, PrivacyMode, Transport, WrapOptions,
};
use mostro_protocol::message::Message;
use mostro_protocol::sign::{sign_identity_proof, sign_message};
use nostr::event::{Event, Kind, SignEvent, Tag, UnsignedEvent};
use nostr::key::{Keys, PublicKey};
use nostr::nips::nip44::{self, Version};
use nostr::types::Timestamp;
use proptest::prelude::*;

const NOW: u64 = 1_795_215_600;
const MSG: &str = "{\"order\":{\"version\":2,\"request_id\":1,\"trade_index\":1,\"id\":\"308e1272-d5f4-47e6-bd97-3504baea9c23\",\"action\":\"take-sell\",\"payload\":null}}";

fn ts() -> Timestamp {
    Timestamp::from_secs(NOW)
}

fn mostro() -> Keys {
    label_keys("mostro-node")
}

fn encrypt(from: &Keys, to: &PublicKey, text: &str) -> String {
    nip44::encrypt(from.secret_key(), to, text, Version::V2).expect("encrypt")
}

fn signed(keys: &Keys, kind: Kind, tags: Vec<Tag>, content: String) -> Event {
    let unsigned = UnsignedEvent::new(keys.public_key(), ts(), kind, tags, content);
    keys.sign_event(unsigned).expect("sign")
}

/// A v2 event by `author` carrying `tuple` (already JSON) to Mostro.
fn v2_event(author: &Keys, tuple: &str) -> Event {
    let to = mostro().public_key();
    let content = encrypt(author, &to, tuple);
    signed(
        author,
        Kind::PrivateDirectMessage,
        vec![Tag::public_key(to)],
        content,
    )
}

/// A v1 gift wrap built layer by layer from a raw rumor JSON.
fn v1_from_rumor(seal_signer: &Keys, seal_kind: Kind, rumor_json: &str) -> Event {
    let to = mostro().public_key();
    let seal = signed(
        seal_signer,
        seal_kind,
        vec![],
        encrypt(seal_signer, &to, rumor_json),
    );
    v1_from_seal(&serde_json::to_string(&seal).expect("seal json"))
}

fn v1_from_seal(seal_json: &str) -> Event {
    let to = mostro().public_key();
    let ephemeral = label_keys("ephemeral-1");
    let content = encrypt(&ephemeral, &to, seal_json);
    signed(
        &ephemeral,
        Kind::GiftWrap,
        vec![Tag::public_key(to)],
        content,
    )
}

fn rumor_json(author: &PublicKey, kind: Kind, content: &str) -> String {
    let mut rumor = UnsignedEvent::new(*author, ts(), kind, vec![], content);
    rumor.ensure_id();
    serde_json::to_string(&rumor).expect("rumor json")
}

fn refuse(event: &Event) -> EnvelopeError {
    match unwrap_incoming(event, &mostro()) {
        Err(e) => e,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn sig_hex(keys: &Keys, text: &str) -> String {
    sign_message(keys, text).to_hex()
}

#[test]
fn v2_changed_ciphertext() {
    let trade = label_keys("trade-1");
    let good = v2_event(&trade, &format!("[{MSG},null,null]"));
    let mut bytes = good.content.clone().into_bytes();
    bytes[40] = if bytes[40] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(bytes).expect("ascii");
    // Not re-signed: the id no longer matches.
    let mut forged = good.clone();
    forged.content = flipped.clone();
    assert!(matches!(refuse(&forged), EnvelopeError::BadOuterSignature));
    // Re-signed: the MAC fails, which is "not addressed to me".
    let resigned = signed(&trade, Kind::PrivateDirectMessage, vec![], flipped);
    assert!(matches!(unwrap_incoming(&resigned, &mostro()), Ok(None)));
}

#[test]
fn v2_identity_proof_from_another_trade_key() {
    let identity = label_keys("identity-1");
    let (t1, t2) = (label_keys("trade-1"), label_keys("trade-2"));
    let proof = sign_identity_proof(&identity, &t1.public_key(), MSG).to_hex();
    let tuple = format!(
        "[{MSG},\"{}\",[\"{}\",\"{proof}\"]]",
        sig_hex(&t2, MSG),
        identity.public_key().to_hex()
    );
    assert!(matches!(
        refuse(&v2_event(&t2, &tuple)),
        EnvelopeError::IdentityProof
    ));
}

#[test]
fn v2_identity_proof_signed_by_wrong_key() {
    let identity = label_keys("identity-1");
    let trade = label_keys("trade-1");
    let impostor = label_keys("stranger");
    let proof = sign_identity_proof(&impostor, &trade.public_key(), MSG).to_hex();
    let tuple = format!(
        "[{MSG},\"{}\",[\"{}\",\"{proof}\"]]",
        sig_hex(&trade, MSG),
        identity.public_key().to_hex()
    );
    assert!(matches!(
        refuse(&v2_event(&trade, &tuple)),
        EnvelopeError::IdentityProof
    ));
}

#[test]
fn v2_trade_signature_by_other_key_or_over_other_bytes() {
    let (t1, t2) = (label_keys("trade-1"), label_keys("trade-2"));
    let by_other = format!("[{MSG},\"{}\",null]", sig_hex(&t2, MSG));
    assert!(matches!(
        refuse(&v2_event(&t1, &by_other)),
        EnvelopeError::TradeSignature
    ));
    // Signed the bytes as sent (pretty-printed), not the canonical form.
    let pretty = serde_json::to_string_pretty(
        &serde_json::from_str::<serde_json::Value>(MSG).expect("json"),
    )
    .expect("pretty");
    let noncanonical = format!("[{pretty},\"{}\",null]", sig_hex(&t1, &pretty));
    assert!(matches!(
        refuse(&v2_event(&t1, &noncanonical)),
        EnvelopeError::TradeSignature
    ));
}

#[test]
fn tuple_arity_is_exact() {
    let trade = label_keys("trade-1");
    let two = format!("[{MSG},null]");
    let err = refuse(&v2_event(&trade, &two));
    assert!(
        matches!(
            err,
            EnvelopeError::TupleArity {
                expected: 3,
                found: 2
            }
        ),
        "{err:?}"
    );
    let three = format!("[{MSG},null,null]");
    let rumor = rumor_json(&trade.public_key(), Kind::TextNote, &three);
    let err = refuse(&v1_from_rumor(&trade, Kind::Seal, &rumor));
    assert!(
        matches!(
            err,
            EnvelopeError::TupleArity {
                expected: 2,
                found: 3
            }
        ),
        "{err:?}"
    );
}

/// A check on the refusal of one malformed tuple.
type Expectation = fn(&EnvelopeError) -> bool;

#[test]
fn malformed_tuple_elements() {
    let trade = label_keys("trade-1");
    let cases: [(&str, Expectation); 5] = [
        ("{}", |e| matches!(e, EnvelopeError::BadTuple(_))),
        ("not json", |e| matches!(e, EnvelopeError::BadTuple(_))),
        ("[{\"order\":{}},null,null]", |e| {
            matches!(e, EnvelopeError::Message(_))
        }),
        ("[MSG,\"abcd\",null]", |e| {
            matches!(e, EnvelopeError::SignatureEncoding(_))
        }),
        ("[MSG,null,[\"zz\"]]", |e| {
            matches!(e, EnvelopeError::IdentityProofEncoding(_))
        }),
    ];
    for (tuple, ok) in cases {
        let tuple = tuple.replace("MSG", MSG);
        let err = refuse(&v2_event(&trade, &tuple));
        assert!(ok(&err), "{tuple}: {err:?}");
    }
}

#[test]
fn v1_rumor_author_does_not_match_trade_signature() {
    let identity = label_keys("identity-1");
    let (t1, t2) = (label_keys("trade-1"), label_keys("trade-2"));
    let tuple = format!("[{MSG},\"{}\"]", sig_hex(&t2, MSG));
    let rumor = rumor_json(&t1.public_key(), Kind::TextNote, &tuple);
    let err = refuse(&v1_from_rumor(&identity, Kind::Seal, &rumor));
    assert!(matches!(err, EnvelopeError::TradeSignature), "{err:?}");
}

#[test]
fn v1_seal_and_rumor_defects() {
    let identity = label_keys("identity-1");
    let trade = label_keys("trade-1");
    let tuple = format!("[{MSG},\"{}\"]", sig_hex(&trade, MSG));
    let good_rumor = rumor_json(&trade.public_key(), Kind::TextNote, &tuple);

    let err = refuse(&v1_from_rumor(&identity, Kind::TextNote, &good_rumor));
    assert!(
        matches!(
            err,
            EnvelopeError::WrongKind {
                layer: Layer::Seal,
                found: 1,
                expected: 13
            }
        ),
        "{err:?}"
    );

    let wrong_kind = rumor_json(&trade.public_key(), Kind::PrivateDirectMessage, &tuple);
    let err = refuse(&v1_from_rumor(&identity, Kind::Seal, &wrong_kind));
    assert!(
        matches!(
            err,
            EnvelopeError::WrongKind {
                layer: Layer::Rumor,
                found: 14,
                expected: 1
            }
        ),
        "{err:?}"
    );

    let mut bad_id: serde_json::Value = serde_json::from_str(&good_rumor).expect("json");
    bad_id["id"] = serde_json::Value::String("00".repeat(32));
    let err = refuse(&v1_from_rumor(&identity, Kind::Seal, &bad_id.to_string()));
    assert!(matches!(err, EnvelopeError::RumorId), "{err:?}");

    let err = refuse(&v1_from_rumor(&identity, Kind::Seal, "[1,2]"));
    assert!(matches!(err, EnvelopeError::BadRumor(_)), "{err:?}");

    // Seal signature corrupted.
    let to = mostro().public_key();
    let mut seal = signed(
        &identity,
        Kind::Seal,
        vec![],
        encrypt(&identity, &to, &good_rumor),
    );
    let mut sig = seal.sig.to_bytes();
    sig[0] ^= 0x80;
    seal.sig = nostr::event::Signature::from_byte_array(sig);
    let err = refuse(&v1_from_seal(&serde_json::to_string(&seal).expect("json")));
    assert!(matches!(err, EnvelopeError::SealSignature), "{err:?}");

    // Seal encrypted to somebody else: the wrap opens, the seal does not.
    let stranger = label_keys("stranger").public_key();
    let seal = signed(
        &identity,
        Kind::Seal,
        vec![],
        encrypt(&identity, &stranger, &good_rumor),
    );
    let err = refuse(&v1_from_seal(&serde_json::to_string(&seal).expect("json")));
    assert!(matches!(err, EnvelopeError::SealDecrypt(_)), "{err:?}");

    let err = refuse(&v1_from_seal("not a seal"));
    assert!(matches!(err, EnvelopeError::BadSeal(_)), "{err:?}");

    // Sanity: the good layers do open.
    let ok = unwrap_incoming(
        &v1_from_rumor(&identity, Kind::Seal, &good_rumor),
        &mostro(),
    );
    assert!(matches!(ok, Ok(Some(_))));
}

#[test]
fn unsupported_kind_is_refused() {
    let trade = label_keys("trade-1");
    let event = signed(&trade, Kind::EncryptedDirectMessage, vec![], "x".to_owned());
    assert!(matches!(refuse(&event), EnvelopeError::UnsupportedKind(4)));
}

#[test]
fn our_own_wrap_with_corrupted_outer_signature() {
    let trade = label_keys("trade-1");
    for transport in [Transport::V1, Transport::V2] {
        let mut event = wrap_message(
            transport,
            &Message::from_json(MSG).expect("msg"),
            &trade,
            PrivacyMode::FullPrivacy,
            &mostro().public_key(),
            &WrapOptions::default(),
            ts(),
        )
        .expect("wrap");
        let mut sig = event.sig.to_bytes();
        sig[10] ^= 1;
        event.sig = nostr::event::Signature::from_byte_array(sig);
        assert!(matches!(refuse(&event), EnvelopeError::BadOuterSignature));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Arbitrary content on a correctly signed outer event: never a panic, never a message.
    #[test]
    fn random_content_never_panics(content in ".{0,300}", v1 in any::<bool>()) {
        let author = label_keys("trade-1");
        let kind = if v1 { Kind::GiftWrap } else { Kind::PrivateDirectMessage };
        let event = signed(&author, kind, vec![], content);
        let outcome = unwrap_incoming(&event, &mostro());
        prop_assert!(!matches!(outcome, Ok(Some(_))));
    }

    /// Arbitrary plaintext that does decrypt: always a typed error.
    #[test]
    fn random_plaintext_is_a_typed_error(plain in "\\PC{1,300}", v1 in any::<bool>()) {
        let author = label_keys("trade-1");
        let event = if v1 { v1_from_seal(&plain) } else { v2_event(&author, &plain) };
        prop_assert!(unwrap_incoming(&event, &mostro()).is_err());
    }

    /// Arbitrary bytes in the rumor content of a well-formed v1 chain: a typed error.
    #[test]
    fn random_rumor_content_is_a_typed_error(content in "\\PC{0,200}") {
        let trade = label_keys("trade-1");
        let rumor = rumor_json(&trade.public_key(), Kind::TextNote, &content);
        prop_assert!(unwrap_incoming(&v1_from_rumor(&trade, Kind::Seal, &rumor), &mostro()).is_err());
    }
}
