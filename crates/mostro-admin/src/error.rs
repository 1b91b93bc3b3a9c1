//! Errors and their exit codes.

use std::path::PathBuf;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The admin interface did not answer.
    #[error("cannot reach the admin interface at {url}: is mostrod running?")]
    Unreachable {
        /// The URL tried.
        url: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The token file could not be read.
    #[error("cannot read the admin token file {path}")]
    TokenFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// No token file given and no data directory known.
    #[error("no token file: pass --token-file or --data-dir, or set MOSTRO_ADMIN_TOKEN_FILE")]
    NoTokenFile,
    /// `401`.
    #[error("unauthorized: wrong token file?")]
    Unauthorized,
    /// `404`.
    #[error("not found: {0}")]
    NotFound(String),
    /// `400` or `409`.
    #[error("refused: {0}")]
    Refused(String),
    /// `health` answered `degraded`.
    #[error("mostrod is degraded")]
    Degraded,
    /// Any other failure.
    #[error("{0}")]
    Other(String),
}

impl CliError {
    /// The process exit code (listed in `--help`).
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Other(_) => 1,
            CliError::Unreachable { .. } => 3,
            CliError::TokenFile { .. } | CliError::NoTokenFile | CliError::Unauthorized => 4,
            CliError::NotFound(_) => 5,
            CliError::Refused(_) => 6,
            CliError::Degraded => 7,
        }
    }
}
