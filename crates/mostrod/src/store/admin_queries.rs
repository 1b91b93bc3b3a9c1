//! Read-only queries for the operator's admin interface.

use mostro_protocol::status::Status;
use rusqlite::params_from_iter;
use rusqlite::types::Value;

use crate::model::Order;

use super::codec::text;
use super::error::StoreError;
use super::{order_row, Store};

impl Store {
    /// Up to `limit` orders, newest first, optionally only those in `status`.
    pub async fn list_orders(
        &self,
        status: Option<Status>,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.call(move |c| {
            let (filter, mut params) = match status {
                Some(s) => ("WHERE status = ?1", vec![text(s.as_str())]),
                None => ("WHERE ?1 IS NULL", vec![Value::Null]),
            };
            params.push(Value::Integer(limit));
            let sql = format!(
                "SELECT {} FROM orders {filter} ORDER BY created_at DESC, id LIMIT ?2",
                order_row::COLUMNS.join(", ")
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let mut rows = stmt.query(params_from_iter(params))?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(order_row::read(row)?);
            }
            Ok(out)
        })
        .await
    }
}
