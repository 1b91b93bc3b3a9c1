//! The store's error type.

use std::path::PathBuf;

use mostro_protocol::status::Status;
use uuid::Uuid;

use crate::engine::transitions::{IllegalInitialStatus, IllegalTransition};

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused the operation.
    #[error("database error")]
    Sqlite(#[from] rusqlite::Error),
    /// The database file could not be created or its permissions set.
    #[error("cannot create database file {path}")]
    CreateFile {
        /// The database path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The database was written by a newer `mostrod`; refusing to touch it.
    #[error("database schema version {found} is newer than this binary supports ({supported}); upgrade mostrod")]
    NewerSchema {
        /// `PRAGMA user_version` of the file.
        found: u32,
        /// The newest version this binary knows.
        supported: u32,
    },
    /// A migration step failed; the database stays at the previous version.
    #[error("migration to schema version {version} failed")]
    Migration {
        /// The version being applied.
        version: u32,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// The order changed status since it was read (another writer won).
    #[error("order {order_id} is {found}, expected {expected}")]
    Conflict {
        /// The order.
        order_id: Uuid,
        /// The status the writer read.
        expected: Status,
        /// The status now stored.
        found: Status,
    },
    /// The status change is not in the transition table.
    #[error("refusing to write order {order_id}")]
    IllegalTransition {
        /// The order.
        order_id: Uuid,
        /// The refused change.
        #[source]
        source: IllegalTransition,
    },
    /// A new order was not in an initial status.
    #[error("refusing to create order {order_id}")]
    IllegalInitialStatus {
        /// The order.
        order_id: Uuid,
        /// The refused status.
        #[source]
        source: IllegalInitialStatus,
    },
    /// An update named an order that does not exist.
    #[error("order {0} not found")]
    OrderNotFound(Uuid),
    /// A dispute update named a different order than the stored dispute.
    #[error("dispute {dispute_id} belongs to another order")]
    DisputeMoved {
        /// The dispute.
        dispute_id: Uuid,
    },
    /// A stored value could not be read back into a record (corruption or a bug).
    #[error("invalid value in column {column}: {value}")]
    Corrupt {
        /// Table and column, e.g. `orders.status`.
        column: &'static str,
        /// The offending value (never a secret).
        value: String,
    },
    /// A number does not fit SQLite's signed 64-bit integers.
    #[error("value of {field} out of range for storage")]
    OutOfRange {
        /// The field.
        field: &'static str,
    },
    /// An outbox event could not be serialised.
    #[error("cannot encode outbox event")]
    EncodeEvent(#[source] serde_json::Error),
    /// The inbound event behind a change was already marked processed: the change was
    /// not written (the event was handled before).
    #[error("event {0} was already processed")]
    AlreadyProcessed(nostr::event::EventId),
    /// The connection lock was poisoned by a panic in another database call.
    #[error("database connection lock poisoned")]
    Poisoned,
    /// The blocking database task did not complete.
    #[error("database task failed")]
    Task(#[source] tokio::task::JoinError),
}
