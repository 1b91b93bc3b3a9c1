//! Persistence of [`LocalOrder`]s (stored as JSON, keyed by order id).

use rusqlite::{params, OptionalExtension};
use uuid::Uuid;

use super::{corrupt, Store, StoreError};
use crate::local_order::LocalOrder;

impl Store {
    /// Inserts or replaces an order.
    pub fn save_order(&self, order: &LocalOrder) -> Result<(), StoreError> {
        let data = serde_json::to_string(order).map_err(corrupt(format!("order {}", order.id)))?;
        self.conn().execute(
            "INSERT INTO orders (id, trade_index, data, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET trade_index = excluded.trade_index,
                 data = excluded.data, updated_at = excluded.updated_at",
            params![
                order.id.to_string(),
                order.trade_index,
                data,
                super::to_sql_time(order.updated_at)
            ],
        )?;
        Ok(())
    }

    /// The order with `id`, if stored.
    pub fn order(&self, id: Uuid) -> Result<Option<LocalOrder>, StoreError> {
        let data: Option<String> = self
            .conn()
            .query_row(
                "SELECT data FROM orders WHERE id = ?1",
                [id.to_string()],
                |row| row.get(0),
            )
            .optional()?;
        data.map(|d| serde_json::from_str(&d).map_err(corrupt(format!("order {id}"))))
            .transpose()
    }

    /// Every stored order, by trade index.
    pub fn orders(&self) -> Result<Vec<LocalOrder>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT id, data FROM orders ORDER BY trade_index, id")?;
        let rows = stmt.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, data) = row?;
            out.push(serde_json::from_str(&data).map_err(corrupt(format!("order {id}")))?);
        }
        Ok(out)
    }
}
