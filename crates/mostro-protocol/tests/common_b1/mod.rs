//! Helpers for the signature and envelope suites: vector loading and test keys.

#![allow(dead_code, clippy::expect_used)]

use std::path::PathBuf;

use nostr::event::{Event, Signature};
use nostr::key::{Keys, PublicKey, SecretKey};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Folder of the reference vectors; `MOSTRO_VECTORS_DIR` overrides the default
/// (`shared/` cloned next to the repository).
pub fn vectors_dir() -> PathBuf {
    match std::env::var_os("MOSTRO_VECTORS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/protocol/vectors"
        )),
    }
}

/// Parses the vector file `name`.
pub fn load(name: &str) -> Value {
    let path = vectors_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The non-empty `cases` array of a vector file.
pub fn cases(file: &Value) -> &Vec<Value> {
    let cases = file["cases"].as_array().expect("cases array");
    assert!(!cases.is_empty(), "no cases");
    cases
}

/// String field `key` of `v`, failing loudly when absent.
pub fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("missing string field {key} in {v}"))
}

/// Test key with secret `SHA-256(utf8(label))`, as the vectors define them.
pub fn label_keys(label: &str) -> Keys {
    let digest: [u8; 32] = Sha256::digest(label.as_bytes()).into();
    Keys::new(SecretKey::from_slice(&digest).expect("valid secret"))
}

/// Keys from a secret in hex.
pub fn keys_hex(secret_hex: &str) -> Keys {
    Keys::new(SecretKey::from_hex(secret_hex).expect("secret hex"))
}

/// Public key from hex.
pub fn pk(hex: &str) -> PublicKey {
    PublicKey::from_hex(hex).expect("pubkey hex")
}

/// Signature from hex.
pub fn sig(hex: &str) -> Signature {
    Signature::from_hex(hex).expect("signature hex")
}

/// Outer event from its JSON.
pub fn event(json: &str) -> Event {
    serde_json::from_str(json).expect("event json")
}
