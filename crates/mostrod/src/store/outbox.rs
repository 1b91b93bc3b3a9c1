//! The durable outbox: signed events (direct messages already wrapped, public events)
//! waiting for a relay's acknowledgement. A row is written in the same transaction as
//! the state change that causes it and deleted only once a relay answered `OK`.

use nostr::event::{Event, EventId};
use nostr::types::Timestamp;
use rusqlite::{named_params, Connection, Row};
use uuid::Uuid;

use super::codec::{read_event_id, read_opt, read_time, read_u32, read_uuid, secs};
use super::error::StoreError;
use super::Store;

/// One signed event to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    /// The event id (unique: the same signed event is never queued twice).
    pub id: EventId,
    /// The order the event is about, if any.
    pub order_id: Option<Uuid>,
    /// The signed event as JSON, ready to send.
    pub event_json: String,
    /// When it was queued.
    pub created_at: Timestamp,
    /// Failed sends so far.
    pub attempts: u32,
    /// Not sent before this time.
    pub next_attempt_at: Timestamp,
}

impl OutboxItem {
    /// A fresh item for `event`, due at once.
    pub fn new(event: &Event, order_id: Option<Uuid>, now: Timestamp) -> Result<Self, StoreError> {
        Ok(Self {
            id: event.id,
            order_id,
            event_json: serde_json::to_string(event).map_err(StoreError::EncodeEvent)?,
            created_at: now,
            attempts: 0,
            next_attempt_at: now,
        })
    }
}

/// The outbox repository.
#[derive(Debug, Clone)]
pub struct Outbox {
    store: Store,
}

impl Outbox {
    pub(super) fn new(store: Store) -> Self {
        Self { store }
    }

    /// Queues items that no state change causes (for example a `cant-do` reply or an
    /// info event), in one transaction.
    pub async fn push(&self, items: Vec<OutboxItem>) -> Result<(), StoreError> {
        self.store
            .call(move |c| {
                let tx = c.transaction()?;
                for item in &items {
                    insert(&tx, item)?;
                }
                tx.commit()?;
                Ok(())
            })
            .await
    }

    /// Up to `limit` items due at `now`, earliest first (then in queueing order).
    pub async fn due(&self, now: Timestamp, limit: usize) -> Result<Vec<OutboxItem>, StoreError> {
        let now = secs(now, "now")?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.store
            .call(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT id, order_id, event_json, created_at, attempts, next_attempt_at
                     FROM outbox WHERE next_attempt_at <= ?1
                     ORDER BY next_attempt_at, created_at, rowid LIMIT ?2",
                )?;
                let mut rows = stmt.query((now, limit))?;
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    out.push(read(row)?);
                }
                Ok(out)
            })
            .await
    }

    /// Removes an acknowledged item. Returns false when it was not queued.
    pub async fn mark_sent(&self, id: EventId) -> Result<bool, StoreError> {
        self.store
            .call(move |c| {
                let n = c
                    .prepare_cached("DELETE FROM outbox WHERE id = ?1")?
                    .execute([id.to_hex()])?;
                Ok(n == 1)
            })
            .await
    }

    /// Records a failed send and defers the next one to `next_attempt_at`. Returns
    /// false when the item was not queued.
    pub async fn mark_failed(
        &self,
        id: EventId,
        next_attempt_at: Timestamp,
    ) -> Result<bool, StoreError> {
        let next = secs(next_attempt_at, "next_attempt_at")?;
        self.store
            .call(move |c| {
                let n = c
                    .prepare_cached(
                        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2
                         WHERE id = ?1",
                    )?
                    .execute((id.to_hex(), next))?;
                Ok(n == 1)
            })
            .await
    }

    /// Number of queued items.
    pub async fn len(&self) -> Result<usize, StoreError> {
        self.store
            .call(|c| {
                let n: i64 = c.query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))?;
                Ok(usize::try_from(n).unwrap_or(0))
            })
            .await
    }

    /// True when nothing is queued.
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.len().await? == 0)
    }
}

/// Queues one item.
pub(super) fn insert(c: &Connection, item: &OutboxItem) -> Result<(), StoreError> {
    c.prepare_cached(
        "INSERT INTO outbox (id, order_id, event_json, created_at, attempts, next_attempt_at)
         VALUES (:id, :order_id, :event_json, :created_at, :attempts, :next_attempt_at)",
    )?
    .execute(named_params! {
        ":id": item.id.to_hex(),
        ":order_id": item.order_id.map(|id| id.to_string()),
        ":event_json": item.event_json,
        ":created_at": secs(item.created_at, "outbox.created_at")?,
        ":attempts": i64::from(item.attempts),
        ":next_attempt_at": secs(item.next_attempt_at, "outbox.next_attempt_at")?,
    })?;
    Ok(())
}

fn read(row: &Row<'_>) -> Result<OutboxItem, StoreError> {
    let id: String = row.get("id")?;
    let order_id: Option<String> = row.get("order_id")?;
    Ok(OutboxItem {
        id: read_event_id(&id, "outbox.id")?,
        order_id: read_opt(order_id, |s| read_uuid(&s, "outbox.order_id"))?,
        event_json: row.get("event_json")?,
        created_at: read_time(row.get("created_at")?, "outbox.created_at")?,
        attempts: read_u32(row.get("attempts")?, "outbox.attempts")?,
        next_attempt_at: read_time(row.get("next_attempt_at")?, "outbox.next_attempt_at")?,
    })
}
