//! Chat state: accepted messages keyed by inner event id (the durable replay
//! defence of PROTOCOL.md §9.3 step 12) and a per-conversation cursor.

use rusqlite::{params, OptionalExtension};

use super::{from_sql_time, to_sql_time, Store, StoreError};

/// A chat message as kept locally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChatMessage {
    /// Inner event id (hex).
    pub inner_id: String,
    /// Inner signer (hex): a trade key or the solver.
    pub sender: String,
    /// Inner `created_at` (display order).
    pub created_at: u64,
    /// The text.
    pub content: String,
}

impl Store {
    /// Records a message of `conversation` (the hex `pub(K_conv)`). Returns
    /// `false` if its inner id was already stored (a replay).
    pub fn insert_chat_message(
        &self,
        conversation: &str,
        message: &StoredChatMessage,
    ) -> Result<bool, StoreError> {
        let changed = self.conn().execute(
            "INSERT OR IGNORE INTO chat_messages
                 (conversation, inner_id, sender, created_at, content)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                conversation,
                message.inner_id,
                message.sender,
                to_sql_time(message.created_at),
                message.content
            ],
        )?;
        Ok(changed == 1)
    }

    /// Every stored message of `conversation`, oldest first.
    pub fn chat_messages(&self, conversation: &str) -> Result<Vec<StoredChatMessage>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT inner_id, sender, created_at, content FROM chat_messages
             WHERE conversation = ?1 ORDER BY created_at, inner_id",
        )?;
        let rows = stmt.query_map([conversation], |row| {
            Ok(StoredChatMessage {
                inner_id: row.get(0)?,
                sender: row.get(1)?,
                created_at: from_sql_time(row.get(2)?),
                content: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The last processed outer `created_at` of `conversation`.
    pub fn chat_cursor(&self, conversation: &str) -> Result<Option<u64>, StoreError> {
        let since: Option<i64> = self
            .conn()
            .query_row(
                "SELECT since FROM chat_cursors WHERE conversation = ?1",
                [conversation],
                |row| row.get(0),
            )
            .optional()?;
        Ok(since.map(from_sql_time))
    }

    /// Moves the cursor of `conversation` forward to `since` (never back).
    pub fn advance_chat_cursor(&self, conversation: &str, since: u64) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO chat_cursors (conversation, since) VALUES (?1, ?2)
             ON CONFLICT (conversation) DO UPDATE SET since = MAX(since, excluded.since)",
            params![conversation, to_sql_time(since)],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(id: &str, at: u64) -> StoredChatMessage {
        StoredChatMessage {
            inner_id: id.to_owned(),
            sender: "s".to_owned(),
            created_at: at,
            content: format!("text {id}"),
        }
    }

    #[test]
    fn replays_are_refused_and_history_is_ordered() {
        let store = Store::in_memory().unwrap();
        assert!(store.insert_chat_message("c", &msg("b", 20)).unwrap());
        assert!(store.insert_chat_message("c", &msg("a", 10)).unwrap());
        assert!(!store.insert_chat_message("c", &msg("a", 10)).unwrap());
        assert!(store.insert_chat_message("other", &msg("a", 10)).unwrap());
        let ids: Vec<_> = store
            .chat_messages("c")
            .unwrap()
            .into_iter()
            .map(|m| m.inner_id)
            .collect();
        assert_eq!(ids, ["a", "b"]);
    }

    #[test]
    fn cursor_only_moves_forward() {
        let store = Store::in_memory().unwrap();
        assert_eq!(store.chat_cursor("c").unwrap(), None);
        store.advance_chat_cursor("c", 50).unwrap();
        store.advance_chat_cursor("c", 40).unwrap();
        assert_eq!(store.chat_cursor("c").unwrap(), Some(50));
    }
}
