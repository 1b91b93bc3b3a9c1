//! One state change, written in one transaction.

use mostro_protocol::status::Status;
use rusqlite::Connection;

use crate::model::{Dispute, Order, Solver, User};

use super::error::StoreError;
use super::outbox::OutboxItem;
use super::processed::{self, ProcessedMark};
use super::{disputes, orders, outbox, solvers, users};

/// A new version of an existing order, stored only if the order is still in
/// `expected` (the status the writer read).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderUpdate {
    /// The status the writer read; the write fails with [`StoreError::Conflict`] if the
    /// stored status differs.
    pub expected: Status,
    /// The next record.
    pub order: Order,
}

/// Everything one accepted input changes, committed atomically by
/// [`super::Store::commit`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Change {
    /// The order the input was about.
    pub order_update: Option<OrderUpdate>,
    /// Orders created by the input (a new order, a range child).
    pub new_orders: Vec<Order>,
    /// User rows to insert or replace.
    pub user_updates: Vec<User>,
    /// Dispute rows to insert or replace.
    pub dispute_updates: Vec<Dispute>,
    /// Solver rows to insert or replace (`admin-add-solver`).
    pub solver_updates: Vec<Solver>,
    /// Signed events the change causes, in sending order.
    pub outbox: Vec<OutboxItem>,
    /// The inbound event that caused the change, marked processed in the same
    /// transaction. If it is already marked, nothing is written
    /// ([`StoreError::AlreadyProcessed`]): a message never acts twice.
    pub processed: Option<ProcessedMark>,
}

impl Change {
    /// A change that moves `order` on from `expected`.
    pub fn update(expected: Status, order: Order) -> Self {
        Self {
            order_update: Some(OrderUpdate { expected, order }),
            ..Self::default()
        }
    }

    /// A change that creates `order`.
    pub fn create(order: Order) -> Self {
        Self {
            new_orders: vec![order],
            ..Self::default()
        }
    }

    /// Marks the inbound event that caused this change as processed.
    pub fn with_processed(mut self, mark: Option<ProcessedMark>) -> Self {
        self.processed = mark;
        self
    }

    /// Adds outbox items.
    pub fn with_outbox(mut self, items: impl IntoIterator<Item = OutboxItem>) -> Self {
        self.outbox.extend(items);
        self
    }
}

/// Writes `change` in one transaction; nothing is written if any part fails.
pub(super) fn apply(conn: &mut Connection, change: &Change) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    if let Some(mark) = &change.processed {
        if !processed::record(&tx, mark)? {
            return Err(StoreError::AlreadyProcessed(mark.event_id));
        }
    }
    if let Some(update) = &change.order_update {
        orders::update(&tx, update.expected, &update.order)?;
    }
    for order in &change.new_orders {
        orders::insert(&tx, order)?;
    }
    for user in &change.user_updates {
        users::upsert(&tx, user)?;
    }
    for dispute in &change.dispute_updates {
        disputes::upsert(&tx, dispute)?;
    }
    for solver in &change.solver_updates {
        solvers::upsert(&tx, solver)?;
    }
    for item in &change.outbox {
        outbox::insert(&tx, item)?;
    }
    // Dropping `tx` on an early return rolls everything back.
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use nostr::event::{EventBuilder, FinalizeEvent, Kind};
    use nostr::key::Keys;
    use nostr::types::Timestamp;

    use super::super::{ProcessedMark, Store};
    use super::*;

    fn reply(keys: &Keys, text: &str, now: Timestamp) -> OutboxItem {
        let event = EventBuilder::new(Kind::TextNote, text)
            .custom_created_at(now)
            .finalize(keys)
            .unwrap();
        OutboxItem::new(&event, None, now).unwrap()
    }

    #[tokio::test]
    async fn the_processed_mark_is_committed_with_the_change_and_only_once() {
        let store = Store::open_in_memory().unwrap();
        let keys = Keys::generate();
        let now = Timestamp::from_secs(1_700_000_000);
        let inbound = EventBuilder::new(Kind::TextNote, "request")
            .finalize(&keys)
            .unwrap();
        let mark = ProcessedMark {
            event_id: inbound.id,
            created_at: now - 5,
            processed_at: now,
        };
        let processed = store.processed_events();
        assert!(!processed.contains(inbound.id).await.unwrap());

        let first = Change::default()
            .with_outbox([reply(&keys, "answer", now)])
            .with_processed(Some(mark));
        store.commit(first).await.unwrap();
        assert!(processed.contains(inbound.id).await.unwrap());
        assert_eq!(processed.last_processed_at().await.unwrap(), Some(now - 5));
        assert_eq!(store.outbox().len().await.unwrap(), 1);

        // The same event handled again: nothing of the second change is written.
        let again = Change::default()
            .with_outbox([reply(&keys, "second answer", now)])
            .with_processed(Some(mark));
        let error = store.commit(again).await.unwrap_err();
        assert!(matches!(error, StoreError::AlreadyProcessed(id) if id == inbound.id));
        assert_eq!(store.outbox().len().await.unwrap(), 1);
    }

    #[tokio::test]
    async fn a_failed_change_leaves_the_event_unmarked() {
        let store = Store::open_in_memory().unwrap();
        let keys = Keys::generate();
        let now = Timestamp::from_secs(1_700_000_000);
        let inbound = EventBuilder::new(Kind::TextNote, "request")
            .finalize(&keys)
            .unwrap();
        let item = reply(&keys, "answer", now);
        // The same outbox row twice violates its primary key: the change fails.
        let change = Change::default()
            .with_outbox([item.clone(), item])
            .with_processed(Some(ProcessedMark {
                event_id: inbound.id,
                created_at: now,
                processed_at: now,
            }));
        assert!(store.commit(change).await.is_err());
        let processed = store.processed_events();
        assert!(!processed.contains(inbound.id).await.unwrap());
        assert_eq!(processed.last_processed_at().await.unwrap(), None);
        assert_eq!(store.outbox().len().await.unwrap(), 0);
    }
}
