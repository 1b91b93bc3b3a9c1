//! Output: human text (tables, sentences, QR codes) or stable JSON.

pub mod dispute;
pub mod explain;
mod human;
pub mod qr;
pub mod table;
pub mod time;
pub mod views;
pub mod words;

use std::io::Write;

use serde::Serialize;

use crate::error::CliError;

/// Something with a human rendering (its JSON rendering is its `Serialize`).
pub trait Human {
    /// The text shown without `--json`, ending with a newline.
    fn human(&self) -> String;
}

/// Prints `view` on stdout: one pretty JSON document, or its human text.
pub fn emit<T: Serialize + Human>(json: bool, view: &T) -> Result<(), CliError> {
    let text = if json {
        let mut text = serde_json::to_string_pretty(view)?;
        text.push('\n');
        text
    } else {
        view.human()
    };
    write_stdout(&text)
}

/// Prints `view` as one line of JSON (`--json`) or its human text, and
/// flushes: for streams such as `watch`.
pub fn emit_line<T: Serialize + Human>(json: bool, view: &T) -> Result<(), CliError> {
    let text = if json {
        let mut text = serde_json::to_string(view)?;
        text.push('\n');
        text
    } else {
        view.human()
    };
    write_stdout(&text)
}

fn write_stdout(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(CliError::Output)
}

/// Current unix time, for relative times.
pub fn now() -> u64 {
    nostr::types::Timestamp::now().as_secs()
}
