//! The order repository: reads for the runtime, and the two writes [`super::commit`]
//! performs (insert a new order, compare-and-swap an existing one).

use std::collections::HashSet;

use mostro_protocol::status::{DisputeStatus, Status};
use nostr::key::PublicKey;
use nostr::types::Timestamp;
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OptionalExtension};
use uuid::Uuid;

use crate::engine::transitions::{check_initial, check_transition, is_terminal};
use crate::model::{Dispute, Order, Side};

use super::codec::{blob, key, read_enum, read_key, text, time};
use super::error::StoreError;
use super::{disputes, order_row, Store};

/// Orders a restored session needs (PROTOCOL.md §5.11): the identity's orders that are
/// not finished, and the open disputes on them.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRows {
    /// Orders where the identity is buyer or seller and the status is not terminal
    /// (`expired`, `success`, `canceled`, `cooperatively-canceled`,
    /// `canceled-by-admin`; §11.8 fix). Orders in `dispute` are included so their
    /// disputes can be matched; the `orders` list of the reply leaves them out.
    pub orders: Vec<Order>,
    /// Disputes in `initiated` or `in-progress` on those orders.
    pub disputes: Vec<Dispute>,
}

/// The order repository.
#[derive(Debug, Clone)]
pub struct Orders {
    store: Store,
}

impl Orders {
    pub(super) fn new(store: Store) -> Self {
        Self { store }
    }

    /// The order with `id`.
    pub async fn get(&self, id: Uuid) -> Result<Option<Order>, StoreError> {
        self.store.call(move |c| get(c, id)).await
    }

    /// The orders among `ids` where `identity` is the buyer's or the seller's identity,
    /// in the order of `ids` (unknown and foreign ids are skipped).
    pub async fn for_identity(
        &self,
        identity: PublicKey,
        ids: Vec<Uuid>,
    ) -> Result<Vec<Order>, StoreError> {
        self.store
            .call(move |c| {
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    if let Some(order) = get(c, id)? {
                        let mine = [order.buyer(), order.seller()]
                            .into_iter()
                            .flatten()
                            .any(|p| p.identity_pubkey == identity);
                        if mine && !out.iter().any(|o: &Order| o.id == order.id) {
                            out.push(order);
                        }
                    }
                }
                Ok(out)
            })
            .await
    }

    /// Every order that is not in a terminal status, oldest first (start-up recovery
    /// and the deadline queue).
    pub async fn open(&self) -> Result<Vec<Order>, StoreError> {
        self.store
            .call(|c| {
                let sql = format!(
                    "status NOT IN ({}) ORDER BY created_at, id",
                    terminal_list()
                );
                select(c, &sql, Vec::new())
            })
            .await
    }

    /// Orders still in the book (`pending`, or waiting on a bond) whose take window
    /// ends at or before `at`, earliest first.
    pub async fn expiring_by(&self, at: Timestamp) -> Result<Vec<Order>, StoreError> {
        self.store
            .call(move |c| {
                let params = vec![
                    text(Status::Pending.as_str()),
                    text(Status::WaitingTakerBond.as_str()),
                    text(Status::WaitingMakerBond.as_str()),
                    time(at, "expires_at")?,
                ];
                select(
                    c,
                    "status IN (?1, ?2, ?3) AND expires_at <= ?4 ORDER BY expires_at, id",
                    params,
                )
            })
            .await
    }

    /// True when `identity` is the `side` of some order in `status` (the
    /// `pending_order_exists` check of a take).
    pub async fn exists_as(
        &self,
        identity: PublicKey,
        side: Side,
        status: Status,
    ) -> Result<bool, StoreError> {
        // The buyer is the maker of a buy order and the taker of a sell order.
        let (maker_kind, taker_kind) = match side {
            Side::Buyer => ("buy", "sell"),
            Side::Seller => ("sell", "buy"),
        };
        self.store
            .call(move |c| {
                let found: Option<i64> = c
                    .query_row(
                        "SELECT 1 FROM orders WHERE status = ?1 AND (
                            (kind = ?2 AND maker_identity_pubkey = ?4)
                            OR (kind = ?3 AND taker_identity_pubkey = ?4)) LIMIT 1",
                        (status.as_str(), maker_kind, taker_kind, identity.to_hex()),
                        |row| row.get(0),
                    )
                    .optional()?;
                Ok(found.is_some())
            })
            .await
    }

    /// The order whose escrow has payment hash `hash`.
    pub async fn by_hold_hash(&self, hash: [u8; 32]) -> Result<Option<Order>, StoreError> {
        self.store
            .call(move |c| {
                Ok(select(c, "hold_hash = ?1", vec![blob(&hash)])?
                    .into_iter()
                    .next())
            })
            .await
    }

    /// Non-terminal orders where `trade_pubkey` is the maker's or the taker's trade key.
    pub async fn open_by_trade_key(
        &self,
        trade_pubkey: PublicKey,
    ) -> Result<Vec<Order>, StoreError> {
        self.store
            .call(move |c| {
                let sql = format!(
                    "(maker_trade_pubkey = ?1 OR taker_trade_pubkey = ?1)
                     AND status NOT IN ({}) ORDER BY created_at, id",
                    terminal_list()
                );
                select(c, &sql, vec![key(&trade_pubkey)])
            })
            .await
    }

    /// The trade keys (maker and taker) of every non-terminal order: the senders the
    /// intake already knows.
    pub async fn open_trade_keys(&self) -> Result<HashSet<PublicKey>, StoreError> {
        self.store
            .call(|c| {
                let sql = format!(
                    "SELECT maker_trade_pubkey FROM orders WHERE status NOT IN ({0})
                     UNION SELECT taker_trade_pubkey FROM orders
                     WHERE taker_trade_pubkey IS NOT NULL AND status NOT IN ({0})",
                    terminal_list()
                );
                let mut stmt = c.prepare(&sql)?;
                let mut rows = stmt.query([])?;
                let mut keys = HashSet::new();
                while let Some(row) = rows.next()? {
                    let k: String = row.get(0)?;
                    keys.insert(read_key(&k, "orders.trade_pubkey")?);
                }
                Ok(keys)
            })
            .await
    }

    /// What `restore-session` needs for `identity` (see [`SessionRows`]).
    pub async fn session_rows(&self, identity: PublicKey) -> Result<SessionRows, StoreError> {
        self.store
            .call(move |c| {
                let sql = format!(
                    "(maker_identity_pubkey = ?1 OR taker_identity_pubkey = ?1)
                     AND status NOT IN ({}) ORDER BY created_at, id",
                    terminal_list()
                );
                // Maker and taker are always the buyer and the seller, in some order.
                let orders = select(c, &sql, vec![key(&identity)])?;
                let mut open_disputes = Vec::new();
                for order in orders.iter().filter(|o| o.status == Status::Dispute) {
                    open_disputes.extend(disputes::for_order(c, order.id)?.into_iter().filter(
                        |d| {
                            matches!(
                                d.status,
                                DisputeStatus::Initiated | DisputeStatus::InProgress
                            )
                        },
                    ));
                }
                Ok(SessionRows {
                    orders,
                    disputes: open_disputes,
                })
            })
            .await
    }
}

/// The stored statuses no transition leaves, as an SQL list of literals. The values
/// are the crate's own constant spellings, never user input.
fn terminal_list() -> String {
    Status::ALL
        .into_iter()
        .filter(|s| is_terminal(*s))
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `SELECT` every order column `WHERE <filter>`.
fn select(c: &Connection, filter: &str, params: Vec<Value>) -> Result<Vec<Order>, StoreError> {
    let sql = format!(
        "SELECT {} FROM orders WHERE {filter}",
        order_row::COLUMNS.join(", ")
    );
    let mut stmt = c.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(params))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(order_row::read(row)?);
    }
    Ok(out)
}

/// Reads one order.
pub(super) fn get(c: &Connection, id: Uuid) -> Result<Option<Order>, StoreError> {
    Ok(select(c, "id = ?1", vec![text(id.to_string())])?
        .into_iter()
        .next())
}

/// Inserts a new order, which must be in an initial status.
pub(super) fn insert(c: &Connection, order: &Order) -> Result<(), StoreError> {
    check_initial(order.status).map_err(|source| StoreError::IllegalInitialStatus {
        order_id: order.id,
        source,
    })?;
    let cols = order_row::COLUMNS;
    let placeholders: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO orders ({}) VALUES ({})",
        cols.join(", "),
        placeholders.join(", ")
    );
    c.prepare_cached(&sql)?
        .execute(params_from_iter(order_row::values(order)?))?;
    Ok(())
}

/// Replaces the stored order if its status is still `expected` and the move from
/// `expected` to `order.status` is in the transition table.
pub(super) fn update(c: &Connection, expected: Status, order: &Order) -> Result<(), StoreError> {
    check_transition(expected, order.status).map_err(|source| StoreError::IllegalTransition {
        order_id: order.id,
        source,
    })?;
    let cols = order_row::COLUMNS;
    let sets: Vec<String> = cols
        .iter()
        .enumerate()
        .skip(1) // the id never changes
        .map(|(i, col)| format!("{col} = ?{}", i + 1))
        .collect();
    let sql = format!(
        "UPDATE orders SET {} WHERE id = ?1 AND status = ?{}",
        sets.join(", "),
        cols.len() + 1
    );
    let mut params = order_row::values(order)?;
    params.push(text(expected.as_str()));
    let changed = c.prepare_cached(&sql)?.execute(params_from_iter(params))?;
    if changed == 1 {
        return Ok(());
    }
    let found: Option<String> = c
        .query_row(
            "SELECT status FROM orders WHERE id = ?1",
            [order.id.to_string()],
            |row| row.get(0),
        )
        .optional()?;
    match found {
        None => Err(StoreError::OrderNotFound(order.id)),
        Some(s) => Err(StoreError::Conflict {
            order_id: order.id,
            expected,
            found: read_enum(&s, "orders.status")?,
        }),
    }
}
