//! Environment overrides: `MOSTROD_<SECTION>_<KEY>=<value>` sets `section.key`.
//!
//! The value's type is the setting's type: numbers and booleans are parsed, lists are
//! comma-separated strings. A variable that names a known section but no known key is
//! an error (a typo must not be ignored); other `MOSTROD_*` variables (such as
//! `MOSTROD_DATA_DIR`) are left alone.

use toml::{Table, Value};

use super::error::ConfigError;
use super::Settings;

const PREFIX: &str = "MOSTROD_";

/// Applies every override in `env` to the parsed settings file `table`.
pub(super) fn apply<I, K, V>(table: &mut Table, env: I) -> Result<(), ConfigError>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let shape = Settings::shape()?;
    let mut vars: Vec<(String, String)> = env
        .into_iter()
        .map(|(k, v)| (k.as_ref().to_owned(), v.as_ref().to_owned()))
        .filter(|(k, _)| k.starts_with(PREFIX))
        .collect();
    // Deterministic regardless of the environment's order.
    vars.sort();
    for (var, raw) in vars {
        let rest = &var[PREFIX.len()..];
        let Some((section, key, sample)) = locate(&shape, rest) else {
            continue;
        };
        let Some(sample) = sample else {
            return Err(ConfigError::Env {
                var,
                reason: format!("no setting `{key}` in section [{section}]"),
            });
        };
        let value = convert(sample, &raw).map_err(|reason| ConfigError::Env {
            var: var.clone(),
            reason,
        })?;
        let entry = table
            .entry(section.clone())
            .or_insert(Value::Table(Table::new()));
        let Value::Table(section_table) = entry else {
            return Err(ConfigError::Env {
                var,
                reason: format!("[{section}] in the settings file is not a table"),
            });
        };
        section_table.insert(key, value);
    }
    Ok(())
}

/// Splits `SECTION_KEY` against the known sections. Returns the section, the key and a
/// sample value of that key (`None` when the section has no such key), or `None` when
/// no section matches.
fn locate<'s>(shape: &'s Table, rest: &str) -> Option<(String, String, Option<&'s Value>)> {
    shape.iter().find_map(|(section, fields)| {
        let key = rest
            .strip_prefix(&section.to_ascii_uppercase())?
            .strip_prefix('_')?
            .to_ascii_lowercase();
        let sample = fields.as_table().and_then(|t| t.get(&key));
        Some((section.clone(), key, sample))
    })
}

/// Parses `raw` into a value of the same type as `sample`.
fn convert(sample: &Value, raw: &str) -> Result<Value, String> {
    let raw = raw.trim();
    match sample {
        Value::String(_) => Ok(Value::String(raw.to_owned())),
        Value::Integer(_) => raw
            .parse::<i64>()
            .map(Value::Integer)
            .map_err(|_| format!("`{raw}` is not an integer")),
        Value::Float(_) => raw
            .parse::<f64>()
            .map(Value::Float)
            .map_err(|_| format!("`{raw}` is not a number")),
        Value::Boolean(_) => raw
            .parse::<bool>()
            .map(Value::Boolean)
            .map_err(|_| format!("`{raw}` is not true or false")),
        Value::Array(_) => Ok(Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        )),
        Value::Datetime(_) | Value::Table(_) => Err("this setting cannot be overridden".to_owned()),
    }
}
