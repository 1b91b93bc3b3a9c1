//! The `trade_index` rules for `new-order` and `take-*` (PROTOCOL.md §8.3, with the
//! §11.31 fix: an index ≤ the stored one, and 0, are always refused).

use mostro_protocol::cant_do::CantDoReason;
use nostr::types::Timestamp;

use crate::model::User;

use super::input::Request;
use super::output::Refusal;

/// The checked index and the user row to store once the whole step succeeds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CheckedIndex {
    /// The index to record on the party (0 in full privacy).
    pub(crate) index: i64,
    /// The sender's user row with `last_trade_index` advanced (reputation mode only).
    pub(crate) user_update: Option<User>,
}

/// Checks `request.trade_index` against the sender identity's stored row.
///
/// * Full privacy: not checked and nothing stored; an explicit `0` is dropped silently.
/// * Reputation mode: a missing index is dropped silently; for a known identity any
///   index `≤ last_trade_index` (or `≤ 0`) is `invalid_trade_index`; for an unknown
///   identity a non-positive index is dropped silently and any other creates the row.
pub(crate) fn check(
    request: &Request,
    user: Option<&User>,
    now: Timestamp,
) -> Result<CheckedIndex, Refusal> {
    if request.full_privacy() {
        if request.trade_index == Some(0) {
            return Err(Refusal::Silent("trade index 0 from a full-privacy key"));
        }
        return Ok(CheckedIndex {
            index: 0,
            user_update: None,
        });
    }
    let Some(index) = request.trade_index else {
        return Err(Refusal::Silent(
            "reputation-mode request without trade index",
        ));
    };
    let next = match user {
        Some(known) => {
            if index <= 0 || index <= known.last_trade_index {
                return Err(Refusal::CantDo(CantDoReason::InvalidTradeIndex));
            }
            User {
                last_trade_index: index,
                ..known.clone()
            }
        }
        None => {
            if index <= 0 {
                return Err(Refusal::Silent(
                    "non-positive trade index from a new identity",
                ));
            }
            User {
                identity_pubkey: request.identity,
                last_trade_index: index,
                total_reviews: 0,
                total_rating: 0.0,
                last_rating: 0,
                max_rating: 0,
                min_rating: 0,
                solver: None,
                created_at: now,
            }
        }
    };
    Ok(CheckedIndex {
        index,
        user_update: Some(next),
    })
}
