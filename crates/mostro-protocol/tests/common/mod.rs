//! Shared helpers for the message test suites: locating and loading the
//! reference test vectors (`shared/protocol/vectors`, see its README).

#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Folder holding the reference vectors.
///
/// `MOSTRO_VECTORS_DIR` overrides the default, which is the `shared/` folder
/// cloned next to the repository (`<repo>/../shared/protocol/vectors`).
pub fn vectors_dir() -> PathBuf {
    let dir = match std::env::var_os("MOSTRO_VECTORS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/protocol/vectors"
        )),
    };
    assert!(
        dir.is_dir(),
        "test vectors folder {} is missing: clone `shared/` next to the repository \
         or point MOSTRO_VECTORS_DIR at the vectors folder",
        dir.display()
    );
    dir
}

/// Parses the vector file `name` (e.g. `messages.json`).
pub fn load_vectors(name: &str) -> Value {
    let path = vectors_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The array `key` of a vector file, failing loudly when absent or empty.
pub fn cases<'a>(file: &'a Value, key: &str) -> &'a [Value] {
    let cases = file[key]
        .as_array()
        .unwrap_or_else(|| panic!("vector file has no `{key}` array"));
    assert!(!cases.is_empty(), "`{key}` is empty");
    cases
}

/// The string field `key` of a case.
pub fn str_field<'a>(case: &'a Value, key: &str) -> &'a str {
    case[key]
        .as_str()
        .unwrap_or_else(|| panic!("case {} has no string `{key}`", case["name"]))
}

/// The boolean field `key` of a case.
pub fn bool_field(case: &Value, key: &str) -> bool {
    case[key]
        .as_bool()
        .unwrap_or_else(|| panic!("case {} has no bool `{key}`", case["name"]))
}

/// Lowercase hex SHA-256 of the UTF-8 bytes of `s`.
pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}
