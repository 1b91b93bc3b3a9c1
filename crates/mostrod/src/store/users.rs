//! The user repository: trade index, reputation and solver rights per identity.

use nostr::key::PublicKey;
use rusqlite::{named_params, Connection, Row};

use crate::model::{SolverRole, User};

use super::codec::{read_key, read_opt, read_time, read_u32, read_u64, secs};
use super::error::StoreError;
use super::Store;

/// The user repository.
#[derive(Debug, Clone)]
pub struct Users {
    store: Store,
}

impl Users {
    pub(super) fn new(store: Store) -> Self {
        Self { store }
    }

    /// The user with identity key `identity`.
    pub async fn get(&self, identity: PublicKey) -> Result<Option<User>, StoreError> {
        self.store
            .call(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT identity_pubkey, last_trade_index, total_reviews, total_rating,
                        last_rating, max_rating, min_rating, solver, created_at
                     FROM users WHERE identity_pubkey = ?1",
                )?;
                let mut rows = stmt.query([identity.to_hex()])?;
                let found = rows.next()?.map(read).transpose()?;
                Ok(found)
            })
            .await
    }

    /// Inserts or replaces `user` outside a trade (for example granting solver rights).
    /// Changes caused by a trade go through [`Store::commit`].
    pub async fn upsert(&self, user: User) -> Result<(), StoreError> {
        self.store.call(move |c| upsert(c, &user)).await
    }
}

fn solver_str(role: SolverRole) -> &'static str {
    match role {
        SolverRole::Read => "read",
        SolverRole::ReadWrite => "read-write",
    }
}

fn read_solver(s: String) -> Result<SolverRole, StoreError> {
    match s.as_str() {
        "read" => Ok(SolverRole::Read),
        "read-write" => Ok(SolverRole::ReadWrite),
        _ => Err(StoreError::Corrupt {
            column: "users.solver",
            value: s,
        }),
    }
}

fn read_rating(v: i64, column: &'static str) -> Result<u8, StoreError> {
    u8::try_from(read_u32(v, column)?).map_err(|_| StoreError::Corrupt {
        column,
        value: v.to_string(),
    })
}

/// Inserts or replaces a user row.
pub(super) fn upsert(c: &Connection, u: &User) -> Result<(), StoreError> {
    let total_reviews = i64::try_from(u.total_reviews).map_err(|_| StoreError::OutOfRange {
        field: "user.total_reviews",
    })?;
    let created_at = secs(u.created_at, "user.created_at")?;
    c.prepare_cached(
        "INSERT INTO users (identity_pubkey, last_trade_index, total_reviews, total_rating,
             last_rating, max_rating, min_rating, solver, created_at)
         VALUES (:identity, :last_trade_index, :total_reviews, :total_rating,
             :last_rating, :max_rating, :min_rating, :solver, :created_at)
         ON CONFLICT (identity_pubkey) DO UPDATE SET
             last_trade_index = excluded.last_trade_index,
             total_reviews = excluded.total_reviews,
             total_rating = excluded.total_rating,
             last_rating = excluded.last_rating,
             max_rating = excluded.max_rating,
             min_rating = excluded.min_rating,
             solver = excluded.solver,
             created_at = excluded.created_at",
    )?
    .execute(named_params! {
        ":identity": u.identity_pubkey.to_hex(),
        ":last_trade_index": u.last_trade_index,
        ":total_reviews": total_reviews,
        ":total_rating": u.total_rating,
        ":last_rating": u.last_rating,
        ":max_rating": u.max_rating,
        ":min_rating": u.min_rating,
        ":solver": u.solver.map(solver_str),
        ":created_at": created_at,
    })?;
    Ok(())
}

fn read(row: &Row<'_>) -> Result<User, StoreError> {
    let identity: String = row.get("identity_pubkey")?;
    let solver: Option<String> = row.get("solver")?;
    Ok(User {
        identity_pubkey: read_key(&identity, "users.identity_pubkey")?,
        last_trade_index: row.get("last_trade_index")?,
        total_reviews: read_u64(row.get("total_reviews")?, "users.total_reviews")?,
        total_rating: row.get("total_rating")?,
        last_rating: read_rating(row.get("last_rating")?, "users.last_rating")?,
        max_rating: read_rating(row.get("max_rating")?, "users.max_rating")?,
        min_rating: read_rating(row.get("min_rating")?, "users.min_rating")?,
        solver: read_opt(solver, read_solver)?,
        created_at: read_time(row.get("created_at")?, "users.created_at")?,
    })
}
