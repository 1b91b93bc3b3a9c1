//! `envelopes.json`: unwrapping events built by the reference (PROTOCOL.md §1.3, §1.4).
//!
//! No freshness window or NIP-40 expiry is applied: `unwrap_incoming` takes no clock.

// Test code: failing loudly on broken fixtures is the point.
#![allow(clippy::expect_used)]

mod common_b1;

use common_b1::{cases, event, keys_hex, load, s};
use mostro_protocol::envelope::{unwrap_incoming, EnvelopeError, Transport, Unwrapped};
use serde_json::Value;

fn transport_of(case: &Value) -> Transport {
    match s(case, "transport") {
        "v2-nip44-kind14" => Transport::V2,
        "v1-gift-wrap-1059" => Transport::V1,
        other => panic!("{}: unknown transport {other}", s(case, "name")),
    }
}

fn open(case: &Value) -> Result<Option<Unwrapped>, EnvelopeError> {
    let receiver = keys_hex(s(case, "receiver_secret_hex"));
    unwrap_incoming(&event(s(case, "event_json")), &receiver)
}

/// Compares every field of `expected` (result `ok`) with what we unwrapped.
fn assert_matches(case: &Value, got: &Unwrapped) {
    let name = s(case, "name");
    let expected = &case["expected"];
    assert_eq!(got.transport, transport_of(case), "{name}");
    assert_eq!(
        got.sender.to_hex(),
        s(expected, "sender_pubkey_hex"),
        "{name}: sender"
    );
    assert_eq!(
        got.identity.to_hex(),
        s(expected, "identity_pubkey_hex"),
        "{name}: identity"
    );
    assert_eq!(
        Some(got.created_at.as_secs()),
        expected["created_at"].as_u64(),
        "{name}: created_at"
    );
    assert_eq!(
        got.message_json,
        s(expected, "message_json"),
        "{name}: message_json"
    );
    assert_eq!(got.message.as_json(), got.message_json, "{name}: canonical");
    let present = expected["signature_present"]
        .as_bool()
        .expect("signature_present");
    assert_eq!(
        got.trade_signature.is_some(),
        present,
        "{name}: signature presence"
    );
    assert_eq!(
        got.trade_signature.map(|sig| sig.to_hex()),
        expected["signature_hex"].as_str().map(str::to_owned),
        "{name}: signature"
    );
    assert_eq!(
        got.event_id,
        event(s(case, "event_json")).id,
        "{name}: event id"
    );
}

/// Any key other than the receiver sees "not addressed to me".
fn assert_not_for_other_keys(file: &Value, case: &Value) {
    let name = s(case, "name");
    let receiver = s(case, "receiver_secret_hex");
    let keys = file["keys"].as_object().expect("keys");
    let outer = event(s(case, "event_json"));
    for (label, key) in keys {
        if s(key, "secret_hex") == receiver {
            continue;
        }
        let other = keys_hex(s(key, "secret_hex"));
        match unwrap_incoming(&outer, &other) {
            Ok(None) => {}
            other => panic!("{name}: key {label} should not open it, got {other:?}"),
        }
    }
}

/// Checks the refusal happens at the same stage as the reference (texts are informational).
fn assert_same_stage(name: &str, core_error: &str, err: &EnvelopeError) {
    let ok = if core_error.contains("invalid event signature") {
        matches!(err, EnvelopeError::BadOuterSignature)
    } else if core_error.contains("no Mostro transport") {
        matches!(err, EnvelopeError::UnsupportedKind(_))
    } else if core_error.contains("DecryptionError") {
        matches!(err, EnvelopeError::SealDecrypt(_))
    } else if core_error.contains("identity signature") {
        matches!(err, EnvelopeError::IdentityProof)
    } else if core_error.contains("signature does not verify") {
        matches!(err, EnvelopeError::TradeSignature)
    } else if core_error.contains("MessageSerializationError") {
        matches!(
            err,
            EnvelopeError::TupleArity { .. }
                | EnvelopeError::BadTuple(_)
                | EnvelopeError::Message(_)
                | EnvelopeError::SignatureEncoding(_)
                | EnvelopeError::IdentityProofEncoding(_)
                | EnvelopeError::BadRumor(_)
                | EnvelopeError::BadSeal(_)
        )
    } else {
        true
    };
    assert!(
        ok,
        "{name}: refused at another stage: reference said {core_error}, we said {err:?}"
    );
}

fn check_case(file: &Value, case: &Value) {
    let name = s(case, "name");
    let expected = &case["expected"];
    let must_reject = case["receiver_must_reject"].as_bool().unwrap_or(false);
    let outcome = open(case);
    match (s(case, "kind"), s(expected, "result")) {
        ("valid", "ok") => {
            let got = outcome
                .expect(name)
                .unwrap_or_else(|| panic!("{name}: not for me"));
            assert_matches(case, &got);
            assert!(got.satisfies_signature_rule(), "{name}");
            assert_not_for_other_keys(file, case);
        }
        ("edge", "ok") => match outcome {
            Ok(Some(got)) => {
                assert_matches(case, &got);
                if must_reject {
                    // Accepted by the transport, so the daemon's intake rule must drop it.
                    assert!(
                        !got.satisfies_signature_rule(),
                        "{name}: daemon would accept"
                    );
                } else {
                    assert!(got.satisfies_signature_rule(), "{name}");
                }
            }
            Err(e) if must_reject => eprintln!("{name}: transport refused it itself: {e}"),
            other => panic!("{name}: expected acceptance, got {other:?}"),
        },
        (_, "not_for_me") => match outcome {
            Ok(None) => {}
            other => panic!("{name}: expected not-for-me, got {other:?}"),
        },
        (_, "error") => match outcome {
            Err(e) => assert_same_stage(name, s(expected, "core_error"), &e),
            other => panic!("{name}: expected a refusal, got {other:?}"),
        },
        (kind, result) => panic!("{name}: unknown kind/result {kind}/{result}"),
    }
}

#[test]
fn every_envelope_case() {
    let file = load("envelopes.json");
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for case in cases(&file) {
        check_case(&file, case);
        *counts.entry(s(case, "kind").to_owned()).or_default() += 1;
    }
    assert!(counts.get("valid").copied().unwrap_or(0) >= 7, "{counts:?}");
    assert!(
        counts.get("tampered").copied().unwrap_or(0) >= 10,
        "{counts:?}"
    );
}

#[test]
fn tampered_cases_never_yield_a_message() {
    let file = load("envelopes.json");
    for case in cases(&file) {
        if case["receiver_must_reject"].as_bool() == Some(true) && s(case, "kind") == "tampered" {
            assert!(!matches!(open(case), Ok(Some(_))), "{}", s(case, "name"));
        }
    }
}

#[test]
fn v1_outer_signature_is_checked() {
    // The reference's v1 unwrap ignores the wrap's own signature; we must not.
    let file = load("envelopes.json");
    let case = cases(&file)
        .iter()
        .find(|c| s(c, "kind") == "valid" && s(c, "transport") == "v1-gift-wrap-1059")
        .expect("a valid v1 case");
    let mut outer = event(s(case, "event_json"));
    let receiver = keys_hex(s(case, "receiver_secret_hex"));
    assert!(matches!(unwrap_incoming(&outer, &receiver), Ok(Some(_))));
    let mut sig = outer.sig.to_bytes();
    sig[63] ^= 1;
    outer.sig = nostr::event::Signature::from_byte_array(sig);
    assert!(matches!(
        unwrap_incoming(&outer, &receiver),
        Err(EnvelopeError::BadOuterSignature)
    ));
}
