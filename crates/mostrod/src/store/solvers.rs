//! The solver repository: who may take disputes, and with which rights.

use nostr::key::PublicKey;
use rusqlite::{named_params, Connection, Row};

use crate::model::{Solver, SolverRole};

use super::codec::{read_key, read_time, secs};
use super::error::StoreError;
use super::Store;

const COLUMNS: &str = "pubkey, rights, last_trade_index, created_at";

/// The solver repository. Besides `admin-add-solver` (committed with its reply through
/// [`Store::commit`]), the admin interface registers and removes solvers here.
#[derive(Debug, Clone)]
pub struct Solvers {
    store: Store,
}

impl Solvers {
    pub(super) fn new(store: Store) -> Self {
        Self { store }
    }

    /// The solver with identity key `pubkey`.
    pub async fn get(&self, pubkey: PublicKey) -> Result<Option<Solver>, StoreError> {
        self.store.call(move |c| get(c, &pubkey)).await
    }

    /// Registers `solver`, replacing the rights and trade index of an existing row
    /// with the same key.
    pub async fn add_solver(&self, solver: Solver) -> Result<(), StoreError> {
        self.store.call(move |c| upsert(c, &solver)).await
    }

    /// Every registered solver, oldest first.
    pub async fn list_solvers(&self) -> Result<Vec<Solver>, StoreError> {
        self.store
            .call(|c| {
                let sql = format!("SELECT {COLUMNS} FROM solvers ORDER BY created_at, pubkey");
                let mut stmt = c.prepare_cached(&sql)?;
                let mut rows = stmt.query([])?;
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    out.push(read(row)?);
                }
                Ok(out)
            })
            .await
    }

    /// Removes the solver with `pubkey`; `true` if there was one. Disputes it already
    /// holds keep it as their solver, but without a row it may no longer settle or
    /// cancel them.
    pub async fn remove_solver(&self, pubkey: PublicKey) -> Result<bool, StoreError> {
        self.store
            .call(move |c| {
                let removed = c
                    .prepare_cached("DELETE FROM solvers WHERE pubkey = ?1")?
                    .execute([pubkey.to_hex()])?;
                Ok(removed > 0)
            })
            .await
    }
}

/// The solver with `pubkey`, inside a connection or transaction.
pub(super) fn get(c: &Connection, pubkey: &PublicKey) -> Result<Option<Solver>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM solvers WHERE pubkey = ?1");
    let mut stmt = c.prepare_cached(&sql)?;
    let mut rows = stmt.query([pubkey.to_hex()])?;
    let found = rows.next()?.map(read).transpose()?;
    Ok(found)
}

/// Inserts or replaces a solver row.
pub(super) fn upsert(c: &Connection, s: &Solver) -> Result<(), StoreError> {
    let created_at = secs(s.created_at, "solver.created_at")?;
    c.prepare_cached(
        "INSERT INTO solvers (pubkey, rights, last_trade_index, created_at)
         VALUES (:pubkey, :rights, :last_trade_index, :created_at)
         ON CONFLICT (pubkey) DO UPDATE SET
             rights = excluded.rights,
             last_trade_index = excluded.last_trade_index",
    )?
    .execute(named_params! {
        ":pubkey": s.pubkey.to_hex(),
        ":rights": rights_str(s.role),
        ":last_trade_index": s.last_trade_index,
        ":created_at": created_at,
    })?;
    Ok(())
}

/// The stored spelling of a role.
fn rights_str(role: SolverRole) -> &'static str {
    match role {
        SolverRole::Read => "read",
        SolverRole::ReadWrite => "read-write",
    }
}

fn read(row: &Row<'_>) -> Result<Solver, StoreError> {
    let pubkey: String = row.get("pubkey")?;
    let rights: String = row.get("rights")?;
    let role = match rights.as_str() {
        "read" => SolverRole::Read,
        "read-write" => SolverRole::ReadWrite,
        _ => {
            return Err(StoreError::Corrupt {
                column: "solvers.rights",
                value: rights,
            })
        }
    };
    Ok(Solver {
        pubkey: read_key(&pubkey, "solvers.pubkey")?,
        role,
        last_trade_index: row.get("last_trade_index")?,
        created_at: read_time(row.get("created_at")?, "solvers.created_at")?,
    })
}

#[cfg(test)]
mod tests {
    use nostr::key::Keys;
    use nostr::types::Timestamp;

    use super::super::{Change, Store};
    use super::*;

    fn solver(role: SolverRole, index: i64, at: u64) -> Solver {
        Solver {
            pubkey: Keys::generate().public_key(),
            role,
            last_trade_index: index,
            created_at: Timestamp::from_secs(at),
        }
    }

    #[tokio::test]
    async fn solvers_are_added_listed_replaced_and_removed() {
        let store = Store::open_in_memory().unwrap();
        let repo = store.solvers();
        let a = solver(SolverRole::ReadWrite, 0, 100);
        let b = solver(SolverRole::Read, 3, 200);
        repo.add_solver(b.clone()).await.unwrap();
        repo.add_solver(a.clone()).await.unwrap();
        assert_eq!(
            repo.list_solvers().await.unwrap(),
            vec![a.clone(), b.clone()]
        );

        // Re-adding changes the rights and index but keeps the registration time.
        let b2 = Solver {
            role: SolverRole::ReadWrite,
            last_trade_index: 7,
            created_at: Timestamp::from_secs(999),
            ..b.clone()
        };
        repo.add_solver(b2).await.unwrap();
        let stored = repo.get(b.pubkey).await.unwrap().unwrap();
        assert_eq!(stored.role, SolverRole::ReadWrite);
        assert_eq!(stored.last_trade_index, 7);
        assert_eq!(stored.created_at, b.created_at);

        assert!(repo.remove_solver(a.pubkey).await.unwrap());
        assert!(!repo.remove_solver(a.pubkey).await.unwrap());
        assert_eq!(repo.get(a.pubkey).await.unwrap(), None);
        assert_eq!(repo.list_solvers().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_solver_row_commits_with_the_change() {
        let store = Store::open_in_memory().unwrap();
        let s = solver(SolverRole::Read, 2, 100);
        let change = Change {
            solver_updates: vec![s.clone()],
            ..Change::default()
        };
        store.commit(change).await.unwrap();
        assert_eq!(store.solvers().get(s.pubkey).await.unwrap(), Some(s));
    }
}
