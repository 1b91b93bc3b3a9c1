//! Small named values the daemon keeps between runs (the `meta` table).

use rusqlite::{Connection, OptionalExtension};

use super::error::StoreError;

/// `created_at` of the newest inbound event handled, in Unix seconds.
pub(super) const LAST_PROCESSED_AT: &str = "last_processed_at";

/// Reads a value.
pub(super) fn get(c: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(c.prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

/// Writes a value.
pub(super) fn set(c: &Connection, key: &str, value: &str) -> Result<(), StoreError> {
    c.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key, value])?;
    Ok(())
}
