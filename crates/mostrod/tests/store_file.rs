//! The database file: created 0600, migrated from empty, reopened intact, and refused
//! when a newer binary wrote it.

// Test helpers outside #[test] functions may unwrap too.
#![allow(clippy::unwrap_used)]

use std::os::unix::fs::PermissionsExt;

use mostrod::store::{Store, StoreError, SCHEMA_VERSION};
use nostr::event::EventId;
use nostr::types::Timestamp;

#[tokio::test]
async fn new_file_is_private_and_fully_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mostro.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().await.unwrap(), SCHEMA_VERSION);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    let conn = rusqlite::Connection::open(&path).unwrap();
    let journal: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    for table in [
        "orders",
        "users",
        "disputes",
        "outbox",
        "processed_events",
        "meta",
    ] {
        let n: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "table {table}");
    }
}

#[tokio::test]
async fn reopening_keeps_data_and_does_not_migrate_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mostro.db");
    let id = EventId::from_byte_array([5; 32]);
    {
        let store = Store::open(&path).unwrap();
        let seen = store.processed_events();
        assert!(seen
            .mark_processed(id, Timestamp::from_secs(10), Timestamp::from_secs(11))
            .await
            .unwrap());
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().await.unwrap(), SCHEMA_VERSION);
    // A replay after a restart is still recognised.
    assert!(!store
        .processed_events()
        .mark_processed(id, Timestamp::from_secs(10), Timestamp::from_secs(99))
        .await
        .unwrap());
    assert_eq!(
        store.processed_events().last_processed_at().await.unwrap(),
        Some(Timestamp::from_secs(10))
    );
}

#[tokio::test]
async fn newer_schema_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mostro.db");
    drop(Store::open(&path).unwrap());
    let newer = SCHEMA_VERSION + 1;
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", newer).unwrap();
    }
    match Store::open(&path) {
        Err(StoreError::NewerSchema { found, supported }) => {
            assert_eq!(found, newer);
            assert_eq!(supported, SCHEMA_VERSION);
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: u32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, newer);
}

#[tokio::test]
async fn empty_existing_file_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mostro.db");
    std::fs::write(&path, b"").unwrap();
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().await.unwrap(), SCHEMA_VERSION);
    assert!(store.outbox().is_empty().await.unwrap());
}

#[test]
fn unwritable_location_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing").join("mostro.db");
    assert!(matches!(
        Store::open(&path),
        Err(StoreError::CreateFile { .. })
    ));
}
