//! Solver side: the disputes this user took, kept so that later commands
//! (chat with a party, settle, read the disclosed evidence) know the order's
//! trade keys without asking Mostro again.
//!
//! Stored as JSON in the `kv` table under `solver_case:<order id>`; no schema
//! change is needed.

use mostro_protocol::SolverDisputeInfo;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Store, StoreError};

const PREFIX: &str = "solver_case:";
/// First key after every `solver_case:` key.
const PREFIX_END: &str = "solver_case;";

fn case_key(order_id: Uuid) -> String {
    format!("{PREFIX}{order_id}")
}

/// A dispute this user took as solver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SolverCase {
    /// The dispute id.
    pub dispute_id: Uuid,
    /// What Mostro sent with `admin-took-dispute` (order, amounts, trade keys).
    pub info: SolverDisputeInfo,
    /// Unix time we took it.
    pub taken_at: u64,
}

fn decode(key: &str, json: &str) -> Result<SolverCase, StoreError> {
    serde_json::from_str(json).map_err(|source| StoreError::Corrupt {
        what: key.to_owned(),
        source,
    })
}

impl Store {
    /// Saves (or replaces) the case of order `case.info.id`.
    pub fn save_solver_case(&self, case: &SolverCase) -> Result<(), StoreError> {
        let json = serde_json::to_string(case).map_err(|source| StoreError::Corrupt {
            what: case_key(case.info.id),
            source,
        })?;
        self.conn().execute(
            "INSERT INTO kv (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![case_key(case.info.id), json],
        )?;
        Ok(())
    }

    /// The case of `order_id`, if we took its dispute.
    pub fn solver_case(&self, order_id: Uuid) -> Result<Option<SolverCase>, StoreError> {
        let key = case_key(order_id);
        let json: Option<String> = self
            .conn()
            .query_row("SELECT value FROM kv WHERE key = ?1", [&key], |row| {
                row.get(0)
            })
            .optional()?;
        json.map(|j| decode(&key, &j)).transpose()
    }

    /// Every case, most recently taken first.
    pub fn solver_cases(&self) -> Result<Vec<SolverCase>, StoreError> {
        let rows: Vec<(String, String)> = {
            let conn = self.conn();
            // Every key starting with `solver_case:` sorts between the prefix
            // and `solver_case;` (`;` follows `:` in ASCII).
            let mut stmt = conn.prepare("SELECT key, value FROM kv WHERE key > ?1 AND key < ?2")?;
            let mapped = stmt.query_map(params![PREFIX, PREFIX_END], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?;
            mapped.collect::<Result<_, _>>()?
        };
        let mut cases = rows
            .iter()
            .map(|(key, json)| decode(key, json))
            .collect::<Result<Vec<_>, _>>()?;
        cases.sort_by_key(|c| std::cmp::Reverse(c.taken_at));
        Ok(cases)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(id: Uuid) -> SolverDisputeInfo {
        SolverDisputeInfo {
            id,
            kind: "sell".into(),
            status: "dispute".into(),
            hash: None,
            preimage: None,
            order_previous_status: "active".into(),
            initiator_pubkey: "aa".repeat(32),
            buyer_pubkey: Some("bb".repeat(32)),
            seller_pubkey: Some("aa".repeat(32)),
            initiator_full_privacy: false,
            counterpart_full_privacy: true,
            initiator_info: None,
            counterpart_info: None,
            premium: 0,
            payment_method: "cash".into(),
            amount: 1000,
            fiat_amount: 10,
            fee: 3,
            routing_fee: 0,
            buyer_invoice: None,
            invoice_held_at: 0,
            taken_at: 0,
            created_at: 0,
        }
    }

    #[test]
    fn cases_round_trip_and_list_newest_first() -> Result<(), Box<dyn std::error::Error>> {
        let store = Store::in_memory()?;
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert_eq!(store.solver_case(a)?, None);
        let first = SolverCase {
            dispute_id: Uuid::from_u128(11),
            info: info(a),
            taken_at: 100,
        };
        let second = SolverCase {
            dispute_id: Uuid::from_u128(12),
            info: info(b),
            taken_at: 200,
        };
        store.save_solver_case(&first)?;
        store.save_solver_case(&second)?;
        // Other kv entries are not cases.
        store.save_daemon_info("ff", "{}")?;
        assert_eq!(store.solver_case(a)?, Some(first.clone()));
        assert_eq!(store.solver_cases()?, vec![second.clone(), first]);
        // Taking again replaces.
        let again = SolverCase {
            taken_at: 300,
            ..second
        };
        store.save_solver_case(&again)?;
        assert_eq!(store.solver_cases()?.len(), 2);
        assert_eq!(store.solver_case(b)?.map(|c| c.taken_at), Some(300));
        Ok(())
    }
}
