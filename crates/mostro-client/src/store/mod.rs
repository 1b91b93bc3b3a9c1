//! Local state in one SQLite file: orders, the trade index, chat state and
//! cached daemon info.
//!
//! The file lives in the data directory (created `0700`) and is created `0600`.
//! The schema is versioned with `PRAGMA user_version` (see [`migrations`]); a
//! database written by a newer client is refused rather than modified.

mod chat;
mod kv;
pub mod migrations;
mod orders;
mod solver;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::Connection;

pub use self::chat::StoredChatMessage;
pub use self::solver::SolverCase;

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "mostro-client.sqlite3";

/// Failures of the local store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file-system operation on the data directory failed.
    #[error("cannot access {path}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// SQLite failed.
    #[error("database error")]
    Sqlite(#[from] rusqlite::Error),
    /// The database was written by a newer client.
    #[error("database schema version {found} is newer than this client supports ({supported})")]
    NewerVersion {
        /// Version found in the file.
        found: i64,
        /// Highest version this build knows.
        supported: i64,
    },
    /// A stored record could not be decoded.
    #[error("corrupt stored record {what}")]
    Corrupt {
        /// Which record.
        what: String,
        /// Decoding error.
        #[source]
        source: serde_json::Error,
    },
    /// A stored value is out of range.
    #[error("stored value {0} is out of range")]
    OutOfRange(&'static str),
}

/// Handle to the client database. Cheap to clone; clones share one connection.
#[derive(Debug, Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir`, creating the
    /// directory with mode `0700` and the file with mode `0600`, and applies
    /// pending migrations.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        crate::fs::create_private_dir(data_dir)?;
        let path = data_dir.join(DB_FILE);
        crate::fs::touch_private_file(&path)?;
        let mut conn = Connection::open(&path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations::migrate(&mut conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// An in-memory database (tests, throwaway sessions).
    pub fn in_memory() -> Result<Self, StoreError> {
        let mut conn = Connection::open_in_memory()?;
        migrations::migrate(&mut conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// The connection. Never held across an `.await`.
    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (every
        // multi-statement change runs in a transaction), so keep going.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A unix time as SQLite stores it.
fn to_sql_time(t: u64) -> i64 {
    i64::try_from(t).unwrap_or(i64::MAX)
}

/// A stored unix time (negative values read as 0).
fn from_sql_time(t: i64) -> u64 {
    u64::try_from(t).unwrap_or(0)
}

fn corrupt(what: impl Into<String>) -> impl FnOnce(serde_json::Error) -> StoreError {
    let what = what.into();
    move |source| StoreError::Corrupt { what, source }
}
