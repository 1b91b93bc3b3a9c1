//! The settings reference in docs/operator-guide.md and the commented template
//! (crates/mostrod/settings.toml.template) must match the daemon's code: every
//! key exists, and every default is `mostrod::config::Settings::default()`.

#![allow(clippy::expect_used, clippy::unwrap_used)]
use std::collections::BTreeMap;
use std::path::PathBuf;

use mostrod::config::Settings;

/// How the guide writes a setting without a default.
const UNSET: &str = "(unset)";

fn repo_file(rel: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// `section.key` → default value, from the code.
fn code_defaults() -> BTreeMap<String, toml::Value> {
    let value = toml::Value::try_from(Settings::default()).expect("settings serialise to TOML");
    let mut out = BTreeMap::new();
    let toml::Value::Table(sections) = value else {
        panic!("settings are not a table");
    };
    for (section, table) in sections {
        let toml::Value::Table(table) = table else {
            panic!("[{section}] is not a table");
        };
        for (key, v) in table {
            out.insert(format!("{section}.{key}"), v);
        }
    }
    out
}

/// A TOML value written alone (e.g. `0.3`, `"nip44"`, `["USD"]`).
fn parse_value(text: &str) -> toml::Value {
    let doc: toml::Table = format!("v = {text}")
        .parse()
        .unwrap_or_else(|e| panic!("`{text}` is not a TOML value: {e}"));
    doc["v"].clone()
}

/// Whether `section.key = value` is accepted by the settings (unknown keys are refused).
fn accepted(dotted: &str, value: &str) -> bool {
    let (section, key) = dotted.split_once('.').expect("section.key");
    let doc = format!("[{section}]\n{key} = {value}\n");
    let table: toml::Table = doc.parse().expect("valid TOML");
    toml::Value::Table(table).try_into::<Settings>().is_ok()
}

/// The guide's table rows: key → default cell (backticks removed).
fn guide_rows() -> BTreeMap<String, String> {
    let guide = repo_file("docs/operator-guide.md");
    let start = guide
        .find("<!-- settings-table:start -->")
        .expect("table start marker");
    let end = guide
        .find("<!-- settings-table:end -->")
        .expect("table end marker");
    let mut rows = BTreeMap::new();
    for line in guide[start..end].lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // `| key | default | meaning |` splits into ["", key, default, meaning, ""].
        if cells.len() < 5 || !cells[1].starts_with('`') {
            continue;
        }
        let key = cells[1].trim_matches('`').to_owned();
        let default = cells[2].trim_matches('`').to_owned();
        assert!(
            rows.insert(key.clone(), default).is_none(),
            "{key} listed twice"
        );
    }
    rows
}

/// The template's settings: `section.key` → (value text, commented out).
fn template_entries() -> BTreeMap<String, (String, bool)> {
    let text = repo_file("crates/mostrod/settings.toml.template");
    let mut section = String::new();
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_owned();
            continue;
        }
        let (body, commented) = match line.strip_prefix('#') {
            Some(rest) => (rest.trim(), true),
            None => (line, false),
        };
        let Some((key, value)) = body.split_once(" = ") else {
            continue;
        };
        let key = key.trim();
        if section.is_empty() || !key.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            continue;
        }
        out.insert(
            format!("{section}.{key}"),
            (value.trim().to_owned(), commented),
        );
    }
    out
}

#[test]
fn guide_table_lists_every_setting_with_the_code_default() {
    let code = code_defaults();
    let rows = guide_rows();
    assert!(
        rows.len() >= code.len(),
        "the guide lists {} settings",
        rows.len()
    );
    for (key, default) in &code {
        let row = rows
            .get(key)
            .unwrap_or_else(|| panic!("{key} is missing from the guide's settings table"));
        assert_eq!(&parse_value(row), default, "guide default of {key}");
    }
    for (key, cell) in &rows {
        if code.contains_key(key) {
            continue;
        }
        assert_eq!(
            cell, UNSET,
            "{key} has no default in the code, the guide says {cell}"
        );
        let (value, _) = template_entries()
            .remove(key)
            .unwrap_or_else(|| panic!("{key} (unset) has no example in the template"));
        assert!(accepted(key, &value), "the daemon does not know {key}");
    }
}

#[test]
fn template_uncommented_values_are_the_code_defaults() {
    let code = code_defaults();
    let entries = template_entries();
    for (key, default) in &code {
        let (value, commented) = entries
            .get(key)
            .unwrap_or_else(|| panic!("{key} is missing from the template"));
        assert!(
            !commented,
            "{key} has a default but is commented out in the template"
        );
        assert_eq!(&parse_value(value), default, "template default of {key}");
    }
    for (key, (value, commented)) in &entries {
        if !code.contains_key(key) {
            assert!(
                *commented,
                "{key} is set in the template but has no default in the code"
            );
            assert!(
                accepted(key, value),
                "the daemon does not know {key} (template)"
            );
        }
    }
}

#[test]
fn an_unknown_key_is_refused_so_the_checks_above_can_fail() {
    assert!(!accepted("mostro.no_such_setting", "1"));
    assert!(accepted("mostro.fee", "0.006"));
}
