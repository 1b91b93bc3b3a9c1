//! The dispute repository.

use mostro_protocol::status::{DisputeStatus, Status};
use rusqlite::{named_params, Connection, Row};
use uuid::Uuid;

use crate::model::{Dispute, Side};

use super::codec::{read_enum, read_flag, read_key, read_opt, read_time, read_uuid, secs};
use super::error::StoreError;
use super::Store;

const COLUMNS: &str = "id, order_id, status, order_previous_status, initiator, \
                       solver_pubkey, created_at, taken_at, last_event_at, solver_warned";

/// The dispute repository.
#[derive(Debug, Clone)]
pub struct Disputes {
    store: Store,
}

impl Disputes {
    pub(super) fn new(store: Store) -> Self {
        Self { store }
    }

    /// The dispute with `id`.
    pub async fn get(&self, id: Uuid) -> Result<Option<Dispute>, StoreError> {
        self.store
            .call(move |c| {
                let sql = format!("SELECT {COLUMNS} FROM disputes WHERE id = ?1");
                let mut stmt = c.prepare_cached(&sql)?;
                let mut rows = stmt.query([id.to_string()])?;
                let found = rows.next()?.map(read).transpose()?;
                Ok(found)
            })
            .await
    }

    /// Every dispute of `order_id`, oldest first.
    pub async fn for_order(&self, order_id: Uuid) -> Result<Vec<Dispute>, StoreError> {
        self.store.call(move |c| for_order(c, order_id)).await
    }

    /// Disputes in `initiated` or `in-progress`, oldest first.
    pub async fn open(&self) -> Result<Vec<Dispute>, StoreError> {
        self.store
            .call(|c| {
                let sql = format!(
                    "SELECT {COLUMNS} FROM disputes WHERE status IN (?1, ?2) \
                     ORDER BY created_at, id"
                );
                let mut stmt = c.prepare_cached(&sql)?;
                let mut rows = stmt.query([
                    DisputeStatus::Initiated.as_str(),
                    DisputeStatus::InProgress.as_str(),
                ])?;
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    out.push(read(row)?);
                }
                Ok(out)
            })
            .await
    }
}

/// Every dispute of `order_id`, oldest first.
pub(super) fn for_order(c: &Connection, order_id: Uuid) -> Result<Vec<Dispute>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM disputes WHERE order_id = ?1 ORDER BY created_at, id");
    let mut stmt = c.prepare_cached(&sql)?;
    let mut rows = stmt.query([order_id.to_string()])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(read(row)?);
    }
    Ok(out)
}

/// Inserts or replaces a dispute (its `order_id` never changes).
pub(super) fn upsert(c: &Connection, d: &Dispute) -> Result<(), StoreError> {
    let created_at = secs(d.created_at, "dispute.created_at")?;
    let taken_at = d
        .taken_at
        .map(|t| secs(t, "dispute.taken_at"))
        .transpose()?;
    let last_event_at = d
        .last_event_at
        .map(|t| secs(t, "dispute.last_event_at"))
        .transpose()?;
    let changed = c
        .prepare_cached(
            "INSERT INTO disputes (id, order_id, status, order_previous_status, initiator,
             solver_pubkey, created_at, taken_at, last_event_at, solver_warned)
         VALUES (:id, :order_id, :status, :prev, :initiator, :solver, :created_at,
             :taken_at, :last_event_at, :solver_warned)
         ON CONFLICT (id) DO UPDATE SET
             status = excluded.status,
             order_previous_status = excluded.order_previous_status,
             initiator = excluded.initiator,
             solver_pubkey = excluded.solver_pubkey,
             created_at = excluded.created_at,
             taken_at = excluded.taken_at,
             last_event_at = excluded.last_event_at,
             solver_warned = excluded.solver_warned
         WHERE disputes.order_id = excluded.order_id",
        )?
        .execute(named_params! {
            ":id": d.id.to_string(),
            ":order_id": d.order_id.to_string(),
            ":status": d.status.as_str(),
            ":prev": d.order_previous_status.as_str(),
            ":initiator": side_str(d.initiator),
            ":solver": d.solver_pubkey.map(|k| k.to_hex()),
            ":created_at": created_at,
            ":taken_at": taken_at,
            ":last_event_at": last_event_at,
            ":solver_warned": d.solver_warned,
        })?;
    if changed == 0 {
        return Err(StoreError::DisputeMoved { dispute_id: d.id });
    }
    Ok(())
}

fn side_str(side: Side) -> &'static str {
    match side {
        Side::Buyer => "buyer",
        Side::Seller => "seller",
    }
}

fn read_side(s: &str) -> Result<Side, StoreError> {
    match s {
        "buyer" => Ok(Side::Buyer),
        "seller" => Ok(Side::Seller),
        other => Err(StoreError::Corrupt {
            column: "disputes.initiator",
            value: other.to_owned(),
        }),
    }
}

fn read(row: &Row<'_>) -> Result<Dispute, StoreError> {
    let id: String = row.get("id")?;
    let order_id: String = row.get("order_id")?;
    let status: String = row.get("status")?;
    let prev: String = row.get("order_previous_status")?;
    let initiator: String = row.get("initiator")?;
    let solver: Option<String> = row.get("solver_pubkey")?;
    Ok(Dispute {
        id: read_uuid(&id, "disputes.id")?,
        order_id: read_uuid(&order_id, "disputes.order_id")?,
        status: read_enum::<DisputeStatus>(&status, "disputes.status")?,
        order_previous_status: read_enum::<Status>(&prev, "disputes.order_previous_status")?,
        initiator: read_side(&initiator)?,
        solver_pubkey: read_opt(solver, |k| read_key(&k, "disputes.solver_pubkey"))?,
        created_at: read_time(row.get("created_at")?, "disputes.created_at")?,
        taken_at: read_opt(row.get("taken_at")?, |v| read_time(v, "disputes.taken_at"))?,
        last_event_at: read_opt(row.get("last_event_at")?, |v| {
            read_time(v, "disputes.last_event_at")
        })?,
        solver_warned: read_flag(row.get("solver_warned")?, "disputes.solver_warned")?,
    })
}
