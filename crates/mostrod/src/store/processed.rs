//! Ids of inbound events already handled, so that a replayed or re-fetched event never
//! acts twice, and the time to resume from after a restart.

use nostr::event::EventId;
use nostr::types::Timestamp;
use rusqlite::Transaction;

use super::codec::secs;
use super::error::StoreError;
use super::{meta, Store};

/// The durable record that one inbound event was handled, written by
/// [`super::Store::commit`] in the same transaction as the state change, reply or
/// refusal the event caused (DESIGN.md invariant 4): if the daemon stops before that
/// commit, the event is not marked and is handled when it is delivered again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessedMark {
    /// Id of the outer event (the dedupe key).
    pub event_id: EventId,
    /// The outer event's `created_at` (advances the resume time; the pruning key).
    pub created_at: Timestamp,
    /// When the daemon handled it.
    pub processed_at: Timestamp,
}

/// Inserts `mark` in `tx`. Returns true when the id is new, false when it was already
/// recorded; advances the last processed time only for a new id.
pub(super) fn record(tx: &Transaction<'_>, mark: &ProcessedMark) -> Result<bool, StoreError> {
    let created = secs(mark.created_at, "processed_event.created_at")?;
    let processed = secs(mark.processed_at, "processed_event.processed_at")?;
    let inserted = tx
        .prepare_cached(
            "INSERT INTO processed_events (event_id, created_at, processed_at)
             VALUES (?1, ?2, ?3) ON CONFLICT (event_id) DO NOTHING",
        )?
        .execute((mark.event_id.to_hex(), created, processed))?
        == 1;
    if inserted {
        let last = meta::get(tx, meta::LAST_PROCESSED_AT)?.and_then(|v| v.parse::<i64>().ok());
        if last.is_none_or(|l| created > l) {
            meta::set(tx, meta::LAST_PROCESSED_AT, &created.to_string())?;
        }
    }
    Ok(inserted)
}

/// The processed-events repository.
#[derive(Debug, Clone)]
pub struct ProcessedEvents {
    store: Store,
}

impl ProcessedEvents {
    pub(super) fn new(store: Store) -> Self {
        Self { store }
    }

    /// Records `event_id` (created at `created_at`, handled at `now`) on its own, for an
    /// event that causes no state change (a silent drop). Returns true when the id is
    /// new, false when it was already recorded (a replay: drop it). Also advances the
    /// last processed time.
    pub async fn mark_processed(
        &self,
        event_id: EventId,
        created_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mark = ProcessedMark {
            event_id,
            created_at,
            processed_at: now,
        };
        self.store
            .call(move |c| {
                let tx = c.transaction()?;
                let inserted = record(&tx, &mark)?;
                tx.commit()?;
                Ok(inserted)
            })
            .await
    }

    /// True when `event_id` was already recorded.
    pub async fn contains(&self, event_id: EventId) -> Result<bool, StoreError> {
        self.store
            .call(move |c| {
                let n: i64 = c
                    .prepare_cached("SELECT COUNT(*) FROM processed_events WHERE event_id = ?1")?
                    .query_row([event_id.to_hex()], |r| r.get(0))?;
                Ok(n > 0)
            })
            .await
    }

    /// The newest `created_at` among handled events, kept across pruning. Intake
    /// resumes from here (minus a safety margin).
    pub async fn last_processed_at(&self) -> Result<Option<Timestamp>, StoreError> {
        self.store
            .call(|c| {
                let Some(v) = meta::get(c, meta::LAST_PROCESSED_AT)? else {
                    return Ok(None);
                };
                v.parse::<u64>()
                    .map(|s| Some(Timestamp::from_secs(s)))
                    .map_err(|_| StoreError::Corrupt {
                        column: "meta.last_processed_at",
                        value: v,
                    })
            })
            .await
    }

    /// Forgets ids of events created before `before` (older events are refused by the
    /// freshness check anyway). Returns how many were removed.
    pub async fn prune(&self, before: Timestamp) -> Result<usize, StoreError> {
        let before = secs(before, "prune.before")?;
        self.store
            .call(move |c| {
                Ok(
                    c.prepare_cached("DELETE FROM processed_events WHERE created_at < ?1")?
                        .execute([before])?,
                )
            })
            .await
    }
}
