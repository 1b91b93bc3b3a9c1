//! Versioned schema migrations (`PRAGMA user_version`).
//!
//! Step `i` of [`MIGRATIONS`] moves the schema from version `i` to `i + 1`.
//! Every pending step runs in one transaction. A database whose version is
//! higher than [`MIGRATIONS`]`.len()` was written by a newer client and is
//! refused with [`StoreError::NewerVersion`].

use rusqlite::Connection;

use super::StoreError;

/// Ordered schema steps.
pub const MIGRATIONS: &[&str] = &[
    // 1: initial schema.
    "CREATE TABLE kv (
         key   TEXT PRIMARY KEY NOT NULL,
         value TEXT NOT NULL
     );
     CREATE TABLE orders (
         id          TEXT PRIMARY KEY NOT NULL,
         trade_index INTEGER NOT NULL,
         data        TEXT NOT NULL,
         updated_at  INTEGER NOT NULL
     );
     CREATE INDEX orders_trade_index ON orders (trade_index);
     CREATE TABLE chat_messages (
         conversation TEXT NOT NULL,
         inner_id     TEXT NOT NULL,
         sender       TEXT NOT NULL,
         created_at   INTEGER NOT NULL,
         content      TEXT NOT NULL,
         PRIMARY KEY (conversation, inner_id)
     );
     CREATE TABLE chat_cursors (
         conversation TEXT PRIMARY KEY NOT NULL,
         since        INTEGER NOT NULL
     );
     CREATE TABLE processed_events (
         event_id TEXT PRIMARY KEY NOT NULL,
         seen_at  INTEGER NOT NULL
     );",
];

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    // The list is tiny; the cast cannot truncate.
    MIGRATIONS.len() as i64
}

/// Brings `conn` to [`latest_version`], or refuses a newer database.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let supported = latest_version();
    if current > supported {
        return Err(StoreError::NewerVersion {
            found: current,
            supported,
        });
    }
    if current == supported {
        return Ok(());
    }
    let tx = conn.transaction()?;
    let start = usize::try_from(current).map_err(|_| StoreError::OutOfRange("user_version"))?;
    for step in &MIGRATIONS[start..] {
        tx.execute_batch(step)?;
    }
    tx.pragma_update(None, "user_version", supported)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_database_reaches_latest_and_is_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, latest_version());
    }

    #[test]
    fn newer_database_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", latest_version() + 1)
            .unwrap();
        match migrate(&mut conn) {
            Err(StoreError::NewerVersion { found, supported }) => {
                assert_eq!(found, latest_version() + 1);
                assert_eq!(supported, latest_version());
            }
            other => panic!("expected NewerVersion, got {other:?}"),
        }
    }
}
