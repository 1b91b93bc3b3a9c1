//! The store as the source of the known-key set.

use std::collections::HashSet;

use ::nostr::key::PublicKey;

use super::known_keys::KnownKeysSource;
use crate::store::{Store, StoreError};

impl KnownKeysSource for Store {
    type Error = StoreError;

    /// Trade keys of every non-terminal order plus the solver keys of open
    /// (`initiated` or `in-progress`) disputes.
    async fn load_known_keys(&self) -> Result<HashSet<PublicKey>, StoreError> {
        let mut keys = self.orders().open_trade_keys().await?;
        keys.extend(
            self.disputes()
                .open()
                .await?
                .into_iter()
                .filter_map(|d| d.solver_pubkey),
        );
        Ok(keys)
    }
}
