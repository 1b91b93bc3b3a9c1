//! Errors of the development relay.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Failure to start the relay or to use its event store.
#[derive(Debug, thiserror::Error)]
pub enum DevRelayError {
    /// The TCP listener could not be bound.
    #[error("cannot bind the relay listener on {addr}")]
    Bind {
        /// Address that was requested.
        addr: SocketAddr,
        /// Underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The journal file could not be opened, read or written.
    #[error("event journal {path} is not usable")]
    Journal {
        /// Path of the journal file.
        path: PathBuf,
        /// Underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A line of the journal file is not a valid event.
    #[error("event journal {path}, line {line}: not a valid event")]
    CorruptJournal {
        /// Path of the journal file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// Parse error.
        #[source]
        source: serde_json::Error,
    },
}
