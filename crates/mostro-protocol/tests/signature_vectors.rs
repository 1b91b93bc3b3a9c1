//! `signatures.json`: trade signatures and v2 identity proofs (PROTOCOL.md §1.2, §1.4).

// Test code: failing loudly on broken fixtures is the point.
#![allow(clippy::expect_used)]

mod common_b1;

use common_b1::{cases, keys_hex, load, pk, s};
use mostro_protocol::message::Message;
use mostro_protocol::sign::{
    identity_proof_payload, message_digest, sign_identity_proof, sign_identity_proof_with_aux_rand,
    sign_message, sign_message_with_aux_rand, verify_identity_proof, verify_message_signature,
};
use nostr::event::Signature;
use serde_json::Value;

const ZERO_AUX: [u8; 32] = [0; 32];

/// The generic check of the vectors README: BIP-340 over SHA-256(signed_string).
fn bip340_valid(case: &Value) -> bool {
    match Signature::from_hex(s(case, "signature_hex")) {
        Ok(sig) => {
            verify_message_signature(&pk(s(case, "pubkey_hex")), s(case, "signed_string"), &sig)
        }
        Err(_) => false,
    }
}

fn check_digest(case: &Value) {
    let digest = message_digest(s(case, "signed_string"));
    assert_eq!(
        hex::encode(digest),
        s(case, "digest_sha256_hex"),
        "{}",
        s(case, "name")
    );
}

fn check_trade_signature(case: &Value) {
    let name = s(case, "name");
    assert!(bip340_valid(case), "{name}: recorded signature must verify");
    // Our own (randomised) signature over the same string verifies too.
    let keys = keys_hex(s(case, "secret_key_hex"));
    assert_eq!(keys.public_key().to_hex(), s(case, "pubkey_hex"), "{name}");
    let ours = sign_message(&keys, s(case, "signed_string"));
    assert!(verify_message_signature(
        &keys.public_key(),
        s(case, "signed_string"),
        &ours
    ));
    // The signed string is canonical: parsing and re-rendering gives it back.
    let message = Message::from_json(s(case, "signed_string")).expect(name);
    assert_eq!(message.as_json(), s(case, "signed_string"), "{name}");
}

fn check_identity_proof(case: &Value) {
    let name = s(case, "name");
    let identity = pk(s(case, "pubkey_hex"));
    let trade = pk(s(case, "trade_pubkey_hex"));
    let message_json = s(case, "message_json");
    assert_eq!(
        identity_proof_payload(&trade, message_json),
        s(case, "signed_string"),
        "{name}"
    );
    let proof = common_b1::sig(s(case, "signature_hex"));
    assert!(
        verify_identity_proof(&identity, &trade, message_json, &proof),
        "{name}"
    );
    assert!(bip340_valid(case), "{name}");
    // The trade signature recorded next to it covers the bare message by the trade key.
    let trade_sig = common_b1::sig(s(case, "trade_signature_hex"));
    assert!(
        verify_message_signature(&trade, message_json, &trade_sig),
        "{name}"
    );
    // The decrypted tuple holds exactly these three elements.
    let tuple: Value = serde_json::from_str(s(case, "decrypted_tuple")).expect(name);
    assert_eq!(tuple[1], s(case, "trade_signature_hex"), "{name}");
    assert_eq!(tuple[2][0], s(case, "pubkey_hex"), "{name}");
    assert_eq!(tuple[2][1], s(case, "signature_hex"), "{name}");
    // A fresh proof of ours verifies and is bound to the trade key.
    let keys = keys_hex(s(case, "secret_key_hex"));
    let ours = sign_identity_proof(&keys, &trade, message_json);
    assert!(
        verify_identity_proof(&identity, &trade, message_json, &ours),
        "{name}"
    );
    assert!(
        !verify_identity_proof(&identity, &identity, message_json, &ours),
        "{name}"
    );
}

fn check_trade_reference(case: &Value) {
    let name = s(case, "name");
    assert_eq!(s(case, "aux_rand_hex"), hex::encode(ZERO_AUX), "{name}");
    let keys = keys_hex(s(case, "secret_key_hex"));
    let ours = sign_message_with_aux_rand(&keys, s(case, "signed_string"), &ZERO_AUX);
    assert_eq!(
        ours.to_hex(),
        s(case, "signature_hex"),
        "{name}: byte-exact signer"
    );
    assert!(bip340_valid(case), "{name}");
}

fn check_identity_reference(case: &Value) {
    let name = s(case, "name");
    assert_eq!(s(case, "aux_rand_hex"), hex::encode(ZERO_AUX), "{name}");
    let keys = keys_hex(s(case, "secret_key_hex"));
    let trade = pk(s(case, "trade_pubkey_hex"));
    let message_json = s(case, "message_json");
    assert_eq!(
        identity_proof_payload(&trade, message_json),
        s(case, "signed_string"),
        "{name}"
    );
    let ours = sign_identity_proof_with_aux_rand(&keys, &trade, message_json, &ZERO_AUX);
    assert_eq!(
        ours.to_hex(),
        s(case, "signature_hex"),
        "{name}: byte-exact signer"
    );
    assert!(
        verify_identity_proof(&keys.public_key(), &trade, message_json, &ours),
        "{name}"
    );
}

#[test]
fn every_signature_case() {
    let file = load("signatures.json");
    let mut seen = 0;
    for case in cases(&file) {
        let name = s(case, "name");
        check_digest(case);
        let expected = case["expected_valid"].as_bool().expect("expected_valid");
        match s(case, "kind") {
            "trade_signature" => check_trade_signature(case),
            "identity_proof" => check_identity_proof(case),
            "trade_signature_reference" => check_trade_reference(case),
            "identity_proof_reference" => check_identity_reference(case),
            "tampered" => {
                assert!(!expected, "{name}: tampered cases are invalid");
                assert!(!bip340_valid(case), "{name}: tampered signature accepted");
            }
            other => panic!("{name}: unknown case kind {other}"),
        }
        assert_eq!(bip340_valid(case), expected, "{name}");
        seen += 1;
    }
    assert!(seen >= 20, "expected at least 20 cases, got {seen}");
}

#[test]
fn nondeterminism_example_both_valid() {
    let file = load("signatures.json");
    let nd = &file["nondeterminism"];
    let message = s(nd, "example_message");
    let key = pk(s(nd, "example_pubkey_hex"));
    let a = common_b1::sig(s(nd, "signature_a"));
    let b = common_b1::sig(s(nd, "signature_b"));
    assert_ne!(a, b);
    assert!(verify_message_signature(&key, message, &a));
    assert!(verify_message_signature(&key, message, &b));
}

#[test]
fn our_signatures_are_randomised_but_valid() {
    let keys = common_b1::label_keys("trade-1");
    let message = "{\"order\":{\"version\":2,\"request_id\":1,\"trade_index\":1,\"action\":\"new-order\",\"payload\":null}}";
    let a = sign_message(&keys, message);
    let b = sign_message(&keys, message);
    assert_ne!(a, b, "fresh aux randomness per signature");
    assert!(verify_message_signature(&keys.public_key(), message, &a));
    assert!(verify_message_signature(&keys.public_key(), message, &b));
    assert_eq!(a.to_hex().len(), 128);
    assert_eq!(a.to_hex(), a.to_hex().to_lowercase());
}

#[test]
fn signature_over_unhashed_or_other_bytes_fails() {
    let keys = common_b1::label_keys("trade-1");
    let sig = sign_message(&keys, "{\"a\":1}");
    assert!(!verify_message_signature(
        &keys.public_key(),
        "{\"a\": 1}",
        &sig
    ));
    assert!(!verify_message_signature(
        &keys.public_key(),
        "{\"a\":2}",
        &sig
    ));
    let identity = common_b1::label_keys("identity-1");
    assert!(!verify_message_signature(
        &identity.public_key(),
        "{\"a\":1}",
        &sig
    ));
}
