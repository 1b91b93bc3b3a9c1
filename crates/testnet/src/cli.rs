//! Running `lncli` and `btcctl` and reading their JSON output.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

use crate::error::{Result, TestnetError};

/// How long a one-shot command may take.
pub(crate) const COMMAND_TIMEOUT: Duration = Duration::from_secs(90);

/// Runs `program args…` and returns its stdout; a non-zero exit is an error
/// carrying stderr. `label` names the command in errors (never secrets).
pub(crate) async fn run_text(program: &Path, args: &[String], label: &str) -> Result<String> {
    let child = tokio::process::Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|source| TestnetError::Spawn {
            program: program.display().to_string(),
            source,
        })?;
    let output = tokio::time::timeout(COMMAND_TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| TestnetError::Timeout {
            what: format!("`{label}`"),
            secs: COMMAND_TIMEOUT.as_secs(),
        })?
        .map_err(|source| TestnetError::Spawn {
            program: program.display().to_string(),
            source,
        })?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let detail = if stderr.trim().is_empty() {
            stdout.trim()
        } else {
            stderr.trim()
        };
        return Err(TestnetError::CommandFailed {
            command: label.to_string(),
            status: output.status.to_string(),
            stderr: detail.to_string(),
        });
    }
    Ok(stdout)
}

/// Runs a command whose stdout is one JSON document.
pub(crate) async fn run_json(program: &Path, args: &[String], label: &str) -> Result<Value> {
    let text = run_text(program, args, label).await?;
    last_json(&text).ok_or_else(|| TestnetError::BadOutput {
        command: label.to_string(),
        detail: format!("not JSON: {}", text.trim()),
    })
}

/// The last JSON value in a stream of whitespace-separated JSON values.
pub(crate) fn last_json(text: &str) -> Option<Value> {
    serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .map_while(|v| v.ok())
        .last()
}

/// Reads a field as u64 whether LND printed it as a number or a string
/// (proto3 JSON prints 64-bit integers as strings).
pub(crate) fn u64_field(value: &Value, field: &str) -> Option<u64> {
    match value.get(field)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Like [`u64_field`] but a missing field is an error naming the command.
pub(crate) fn require_u64(value: &Value, field: &str, label: &str) -> Result<u64> {
    u64_field(value, field).ok_or_else(|| TestnetError::BadOutput {
        command: label.to_string(),
        detail: format!("missing or non-numeric field `{field}`"),
    })
}

/// Reads a string field; a missing field is an error naming the command.
pub(crate) fn require_str(value: &Value, field: &str, label: &str) -> Result<String> {
    value
        .get(field)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| TestnetError::BadOutput {
            command: label.to_string(),
            detail: format!("missing string field `{field}`"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_json_takes_the_final_update() {
        let text =
            "{\"status\": \"IN_FLIGHT\"}\n\n{\"status\": \"SUCCEEDED\", \"fee_sat\": \"3\"}\n";
        let v = last_json(text).unwrap();
        assert_eq!(v["status"], "SUCCEEDED");
        assert_eq!(u64_field(&v, "fee_sat"), Some(3));
        assert!(last_json("no json here").is_none());
    }

    #[test]
    fn numbers_may_be_strings_or_numbers() {
        let v: Value = serde_json::json!({"a": 5, "b": "7", "c": "x"});
        assert_eq!(u64_field(&v, "a"), Some(5));
        assert_eq!(u64_field(&v, "b"), Some(7));
        assert_eq!(u64_field(&v, "c"), None);
        assert!(require_u64(&v, "missing", "lncli x").is_err());
    }
}
