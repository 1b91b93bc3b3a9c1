//! Persistence: one SQLite file holding orders, users, disputes, the outbox and the
//! ids of processed events (docs/adr/0004-sqlite.md).
//!
//! [`Store`] is a cheap handle (`Arc` around one connection). Every method is `async`
//! and runs its SQL on tokio's blocking pool, so the executor never waits on disk.
//! There is one repository per aggregate ([`Orders`], [`Users`], [`Disputes`],
//! [`Solvers`], [`Outbox`], [`ProcessedEvents`]); SQL never leaves this module.
//!
//! A state change is written by [`Store::commit`] in a single transaction together with
//! the outbox rows it causes. That is the only way to change an order's status: the
//! write is a compare-and-swap on the status the writer read, and the change must be in
//! the transition table ([`crate::engine::transitions::check_transition`]).

mod admin_queries;
mod codec;
mod commit;
mod disputes;
mod error;
mod meta;
mod order_row;
mod orders;
mod outbox;
mod processed;
mod schema;
mod solvers;
mod users;

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

pub use commit::{Change, OrderUpdate};
pub use disputes::Disputes;
pub use error::StoreError;
pub use orders::{Orders, SessionRows};
pub use outbox::{Outbox, OutboxItem};
pub use processed::{ProcessedEvents, ProcessedMark};
pub use schema::SCHEMA_VERSION;
pub use solvers::Solvers;
pub use users::Users;

/// The daemon's database. Clone it freely: clones share one connection.
#[derive(Debug, Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

impl Store {
    /// Opens the database at `path`, creating it (mode 0600) if missing, and migrates
    /// it to [`SCHEMA_VERSION`]. Refuses a database written by a newer binary with
    /// [`StoreError::NewerSchema`].
    ///
    /// This blocks on disk; call it at start-up, before the async runtime is busy, or
    /// through `spawn_blocking`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Ok(Self::from_connection(schema::open_file(path.as_ref())?))
    }

    /// Opens a fresh, migrated in-memory database (for tests).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Ok(Self::from_connection(schema::open_memory()?))
    }

    fn from_connection(conn: Connection) -> Self {
        Self {
            conn: Arc::new(Mutex::new(conn)),
        }
    }

    /// The schema version of the open database.
    pub async fn schema_version(&self) -> Result<u32, StoreError> {
        self.call(|conn| schema::version(conn)).await
    }

    /// Orders.
    pub fn orders(&self) -> Orders {
        Orders::new(self.clone())
    }

    /// Users (trade index and reputation).
    pub fn users(&self) -> Users {
        Users::new(self.clone())
    }

    /// Disputes.
    pub fn disputes(&self) -> Disputes {
        Disputes::new(self.clone())
    }

    /// Dispute solvers.
    pub fn solvers(&self) -> Solvers {
        Solvers::new(self.clone())
    }

    /// The durable outbox of signed events waiting for a relay's acknowledgement.
    pub fn outbox(&self) -> Outbox {
        Outbox::new(self.clone())
    }

    /// Ids of inbound events already handled.
    pub fn processed_events(&self) -> ProcessedEvents {
        ProcessedEvents::new(self.clone())
    }

    /// Writes `change` atomically: the order update (compare-and-swap on its previous
    /// status, checked against the transition table), new orders, user and dispute
    /// rows, and the outbox rows. Either all of it is stored or none of it.
    ///
    /// Fails with [`StoreError::Conflict`] when the order's status is no longer the
    /// expected one, [`StoreError::IllegalTransition`] when the change is not allowed,
    /// and [`StoreError::IllegalInitialStatus`] for a new order in a non-initial status.
    pub async fn commit(&self, change: Change) -> Result<(), StoreError> {
        self.call(move |conn| commit::apply(conn, &change)).await
    }

    /// Runs `f` with the connection on the blocking pool.
    pub(crate) async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().map_err(|_| StoreError::Poisoned)?;
            f(&mut guard)
        })
        .await
        .map_err(StoreError::Task)?
    }
}
