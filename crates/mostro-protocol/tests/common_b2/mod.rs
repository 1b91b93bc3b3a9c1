//! Helpers for the key and chat vector suites: find and read
//! `shared/protocol/vectors/*.json` (see that folder's README).

#![allow(dead_code, clippy::expect_used)]

pub mod chat_fixtures;

use std::path::PathBuf;

use serde_json::Value;

/// The vectors folder: `MOSTRO_VECTORS_DIR` if set, otherwise the `shared/`
/// checkout next to the repository.
pub fn vectors_dir() -> PathBuf {
    let dir = std::env::var_os("MOSTRO_VECTORS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/protocol/vectors"
            ))
        });
    assert!(
        dir.is_dir(),
        "vectors folder {} not found (set MOSTRO_VECTORS_DIR)",
        dir.display()
    );
    dir
}

/// Parse one vector file.
pub fn load(name: &str) -> Value {
    let path = vectors_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: bad JSON: {e}", path.display()))
}

/// The non-empty `cases` array of a vector file.
pub fn cases(file: &Value) -> &[Value] {
    let cases = file["cases"].as_array().expect("`cases` array");
    assert!(!cases.is_empty(), "`cases` is empty");
    cases
}

/// A string field of a case, failing loudly when absent.
pub fn text<'a>(case: &'a Value, key: &str) -> &'a str {
    case[key]
        .as_str()
        .unwrap_or_else(|| panic!("case {} lacks string `{key}`", case["name"]))
}

/// An unsigned integer field of a case, failing loudly when absent.
pub fn number(case: &Value, key: &str) -> u64 {
    case[key]
        .as_u64()
        .unwrap_or_else(|| panic!("case {} lacks integer `{key}`", case["name"]))
}
