//! Small named values: the trade index and cached daemon info events.

use rusqlite::{params, OptionalExtension, Transaction};

use super::{Store, StoreError};

const LAST_TRADE_INDEX: &str = "last_trade_index";

fn info_key(daemon_hex: &str) -> String {
    format!("daemon_info:{daemon_hex}")
}

fn read_index(tx: &Transaction<'_>) -> Result<u32, StoreError> {
    let raw: Option<String> = tx
        .query_row(
            "SELECT value FROM kv WHERE key = ?1",
            [LAST_TRADE_INDEX],
            |row| row.get(0),
        )
        .optional()?;
    match raw {
        None => Ok(0),
        Some(text) => text
            .parse()
            .map_err(|_| StoreError::OutOfRange(LAST_TRADE_INDEX)),
    }
}

fn write_index(tx: &Transaction<'_>, value: u32) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO kv (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![LAST_TRADE_INDEX, value.to_string()],
    )?;
    Ok(())
}

impl Store {
    /// The last trade key index used (0 when none was used yet).
    pub fn last_trade_index(&self) -> Result<u32, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        read_index(&tx)
    }

    /// Consumes and returns the next trade index (`last + 1`), atomically.
    pub fn allocate_trade_index(&self) -> Result<u32, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let next = read_index(&tx)?
            .checked_add(1)
            .ok_or(StoreError::OutOfRange(LAST_TRADE_INDEX))?;
        write_index(&tx, next)?;
        tx.commit()?;
        Ok(next)
    }

    /// Moves the last used index forward to `index` if it is higher (it never
    /// moves backwards). Returns the resulting value.
    pub fn advance_trade_index(&self, index: u32) -> Result<u32, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let current = read_index(&tx)?;
        let next = current.max(index);
        if next != current {
            write_index(&tx, next)?;
        }
        tx.commit()?;
        Ok(next)
    }

    /// Caches the raw JSON of a daemon's latest info event.
    pub fn save_daemon_info(&self, daemon_hex: &str, event_json: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO kv (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![info_key(daemon_hex), event_json],
        )?;
        Ok(())
    }

    /// The cached info event JSON of a daemon, if any.
    pub fn daemon_info(&self, daemon_hex: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT value FROM kv WHERE key = ?1",
                [info_key(daemon_hex)],
                |row| row.get(0),
            )
            .optional()?)
    }
}

impl Store {
    /// Records that the daemon message in event `event_id` was applied.
    /// Returns `false` if it had been recorded before.
    pub fn mark_processed(&self, event_id: &str, now: u64) -> Result<bool, StoreError> {
        let changed = self.conn().execute(
            "INSERT OR IGNORE INTO processed_events (event_id, seen_at) VALUES (?1, ?2)",
            params![event_id, super::to_sql_time(now)],
        )?;
        Ok(changed == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_is_sequential_and_advance_never_goes_back() {
        let store = Store::in_memory().unwrap();
        assert_eq!(store.last_trade_index().unwrap(), 0);
        assert_eq!(store.allocate_trade_index().unwrap(), 1);
        assert_eq!(store.allocate_trade_index().unwrap(), 2);
        assert_eq!(store.advance_trade_index(7).unwrap(), 7);
        assert_eq!(store.advance_trade_index(3).unwrap(), 7);
        assert_eq!(store.allocate_trade_index().unwrap(), 8);
    }

    #[test]
    fn daemon_info_round_trips() {
        let store = Store::in_memory().unwrap();
        assert_eq!(store.daemon_info("ab").unwrap(), None);
        store.save_daemon_info("ab", "{}").unwrap();
        store.save_daemon_info("ab", "{\"x\":1}").unwrap();
        assert_eq!(
            store.daemon_info("ab").unwrap().as_deref(),
            Some("{\"x\":1}")
        );
    }
}
