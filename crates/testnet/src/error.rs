//! The one error type of the test-support crate.

use std::path::PathBuf;

/// Everything that can go wrong while building, starting, driving or stopping a
/// regtest network.
#[derive(Debug, thiserror::Error)]
pub enum TestnetError {
    /// A prebuilt Go binary is missing; the message says how to build it.
    #[error(
        "{what} not found at {path}: build the regtest binaries first with \
         `cargo run -p testnet --bin regtest -- build` (or scripts/build-lightning.sh)"
    )]
    MissingBinary {
        /// Which binary (for example `lnd v0.21.2-beta`).
        what: String,
        /// Where it was expected.
        path: PathBuf,
    },

    /// A filesystem operation failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A child process could not be spawned.
    #[error("cannot run {program}: {source}")]
    Spawn {
        /// The program that failed to start.
        program: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A command ran but exited unsuccessfully.
    #[error("`{command}` failed ({status}): {stderr}")]
    CommandFailed {
        /// The command line (program and sub-command, no secrets).
        command: String,
        /// The exit status, as text.
        status: String,
        /// What the command wrote to stderr (trimmed).
        stderr: String,
    },

    /// A command's output was not the JSON we expected.
    #[error("unexpected output from `{command}`: {detail}")]
    BadOutput {
        /// The command line.
        command: String,
        /// What was wrong.
        detail: String,
    },

    /// `network.json` could not be read or written.
    #[error("bad network description {path}: {source}")]
    Description {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },

    /// No free block of TCP ports could be found or claimed.
    #[error("no free port block: {0}")]
    Ports(String),

    /// A condition was not reached in time.
    #[error("timed out after {secs} s waiting for {what}")]
    Timeout {
        /// What we were waiting for.
        what: String,
        /// How long we waited.
        secs: u64,
    },

    /// A daemon exited before it was ready, or was not ready in time.
    #[error("{what}; log {log}:\n{tail}")]
    NotReady {
        /// What happened (which daemon, how it failed).
        what: String,
        /// The daemon's log file.
        log: PathBuf,
        /// The last lines of that log.
        tail: String,
    },

    /// The local relay could not be started.
    #[error("cannot start the local relay: {0}")]
    Relay(String),

    /// The caller asked for something the network cannot do.
    #[error("{0}")]
    Invalid(String),
}

impl TestnetError {
    /// Wraps an I/O error with the path it happened on.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}

/// Result alias for this crate.
pub type Result<T, E = TestnetError> = std::result::Result<T, E>;
