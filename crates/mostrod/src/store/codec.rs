//! Conversions between record fields and SQLite values, in one place.
//!
//! Keys are lowercase hex, hashes 32-byte blobs, times Unix seconds, ids hyphenated
//! UUIDs, enums their wire spelling. Reading back is strict: a value that does not
//! parse is [`StoreError::Corrupt`], never a default.

use std::str::FromStr;

use nostr::key::PublicKey;
use nostr::types::Timestamp;
use rusqlite::types::Value;
use uuid::Uuid;

use super::error::StoreError;

/// A `u64` as SQLite's `INTEGER`.
pub(super) fn int(v: u64, field: &'static str) -> Result<Value, StoreError> {
    i64::try_from(v)
        .map(Value::Integer)
        .map_err(|_| StoreError::OutOfRange { field })
}

/// A signed integer.
pub(super) fn signed(v: i64) -> Value {
    Value::Integer(v)
}

/// A timestamp as Unix seconds.
pub(super) fn time(t: Timestamp, field: &'static str) -> Result<Value, StoreError> {
    int(t.as_secs(), field)
}

/// A flag as 0/1.
pub(super) fn flag(b: bool) -> Value {
    Value::Integer(i64::from(b))
}

/// Text.
pub(super) fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// A 32-byte hash or secret as a blob.
pub(super) fn blob(b: &[u8; 32]) -> Value {
    Value::Blob(b.to_vec())
}

/// A public key as hex.
pub(super) fn key(k: &PublicKey) -> Value {
    Value::Text(k.to_hex())
}

/// An optional value: `NULL` when absent.
pub(super) fn opt<T>(
    v: Option<T>,
    f: impl FnOnce(T) -> Result<Value, StoreError>,
) -> Result<Value, StoreError> {
    v.map_or(Ok(Value::Null), f)
}

/// Reads a non-negative integer.
pub(super) fn read_u64(v: i64, column: &'static str) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| corrupt(column, v.to_string()))
}

/// Reads a non-negative integer that fits 32 bits.
pub(super) fn read_u32(v: i64, column: &'static str) -> Result<u32, StoreError> {
    u32::try_from(v).map_err(|_| corrupt(column, v.to_string()))
}

/// Reads Unix seconds.
pub(super) fn read_time(v: i64, column: &'static str) -> Result<Timestamp, StoreError> {
    read_u64(v, column).map(Timestamp::from_secs)
}

/// Reads a hex public key.
pub(super) fn read_key(s: &str, column: &'static str) -> Result<PublicKey, StoreError> {
    PublicKey::from_hex(s).map_err(|_| corrupt(column, s.to_owned()))
}

/// Reads a UUID.
pub(super) fn read_uuid(s: &str, column: &'static str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|_| corrupt(column, s.to_owned()))
}

/// Reads a 32-byte blob. The value is not echoed in the error (it may be a secret).
pub(super) fn read_blob(b: &[u8], column: &'static str) -> Result<[u8; 32], StoreError> {
    <[u8; 32]>::try_from(b).map_err(|_| corrupt(column, format!("{} bytes", b.len())))
}

/// Reads an enum from its wire spelling.
pub(super) fn read_enum<T: FromStr>(s: &str, column: &'static str) -> Result<T, StoreError> {
    s.parse().map_err(|_| corrupt(column, s.to_owned()))
}

/// Reads a 0/1 flag.
pub(super) fn read_flag(v: i64, column: &'static str) -> Result<bool, StoreError> {
    match v {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(corrupt(column, other.to_string())),
    }
}

/// Applies `f` to a present value.
pub(super) fn read_opt<S, T>(
    v: Option<S>,
    f: impl FnOnce(S) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    v.map(f).transpose()
}

fn corrupt(column: &'static str, value: String) -> StoreError {
    StoreError::Corrupt { column, value }
}

/// Reads a hex event id.
pub(super) fn read_event_id(
    s: &str,
    column: &'static str,
) -> Result<nostr::event::EventId, StoreError> {
    nostr::event::EventId::from_hex(s).map_err(|_| corrupt(column, s.to_owned()))
}

/// A timestamp as Unix seconds for a bound parameter.
pub(super) fn secs(t: Timestamp, field: &'static str) -> Result<i64, StoreError> {
    i64::try_from(t.as_secs()).map_err(|_| StoreError::OutOfRange { field })
}
