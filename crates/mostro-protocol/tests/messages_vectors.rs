//! `messages.json`: every canonical message parses, re-serialises byte for
//! byte, hashes to the recorded digest and verifies as recorded; every
//! non-canonical input re-serialises to its canonical form.

mod common;

use common::{bool_field, cases, load_vectors, sha256_hex, str_field};
use mostro_protocol::Message;

#[test]
fn canonical_messages_round_trip_byte_for_byte() {
    let file = load_vectors("messages.json");
    let mut failures = Vec::new();
    for case in cases(&file, "cases") {
        let name = str_field(case, "name");
        let json = str_field(case, "message_json");
        match Message::from_json(json) {
            Ok(msg) => {
                let out = msg.as_json();
                if out != json {
                    failures.push(format!(
                        "{name}: re-serialised as\n  {out}\nexpected\n  {json}"
                    ));
                }
            }
            Err(e) => failures.push(format!("{name}: parse failed: {e:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn canonical_messages_hash_to_recorded_digest() {
    let file = load_vectors("messages.json");
    for case in cases(&file, "cases") {
        let name = str_field(case, "name");
        let msg = Message::from_json(str_field(case, "message_json"))
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(
            sha256_hex(&msg.as_json()),
            str_field(case, "sha256_hex"),
            "{name}: digest of our canonical bytes"
        );
    }
}

#[test]
fn canonical_messages_verify_as_recorded() {
    let file = load_vectors("messages.json");
    let mut failures = Vec::new();
    for case in cases(&file, "cases") {
        let name = str_field(case, "name");
        let msg = Message::from_json(str_field(case, "message_json"))
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let expected = bool_field(case, "verify");
        if msg.verify() != expected {
            failures.push(format!("{name}: verify() should be {expected}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn noncanonical_inputs_reserialise_canonically() {
    let file = load_vectors("messages.json");
    let mut failures = Vec::new();
    for case in cases(&file, "noncanonical_inputs") {
        let name = str_field(case, "name");
        let input = str_field(case, "input_json");
        let canonical = str_field(case, "canonical_json");
        assert_ne!(input, canonical, "{name}: input is already canonical");
        let msg = match Message::from_json(input) {
            Ok(msg) => msg,
            Err(e) => {
                failures.push(format!("{name}: parse failed: {e:?}"));
                continue;
            }
        };
        let out = msg.as_json();
        if out != canonical {
            failures.push(format!("{name}: got\n  {out}\nexpected\n  {canonical}"));
        }
        if sha256_hex(&out) != str_field(case, "sha256_hex") {
            failures.push(format!("{name}: digest mismatch"));
        }
        if msg.verify() != bool_field(case, "verify") {
            failures.push(format!("{name}: verify() mismatch"));
        }
        // The canonical form is a fixed point.
        match Message::from_json(canonical) {
            Ok(again) if again == msg => {}
            Ok(_) => failures.push(format!("{name}: canonical form parses to another value")),
            Err(e) => failures.push(format!("{name}: canonical form fails to parse: {e:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
