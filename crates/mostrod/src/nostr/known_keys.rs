//! The set of trade keys the node already knows (PROTOCOL.md §1.6 step 4b).
//!
//! An event whose author is not in this set is a *first contact* and must meet the
//! higher `pow_first_contact` difficulty. The set holds the buyer, seller and creator
//! trade keys of every non-terminal order and the solver keys of open disputes. It is
//! rebuilt periodically from the store ([`refresh_known_keys`]); the runtime may also
//! [`KnownKeys::insert`] a key as soon as it commits an order for it.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use ::nostr::key::PublicKey;
use tokio_util::sync::CancellationToken;

/// Shared, cheaply cloneable set of known trade keys.
#[derive(Debug, Clone, Default)]
pub struct KnownKeys {
    inner: Arc<RwLock<HashSet<PublicKey>>>,
}

impl KnownKeys {
    /// An empty set: every author is a first contact.
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> RwLockReadGuard<'_, HashSet<PublicKey>> {
        // The set stays valid even if a writer panicked: keep serving it.
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, HashSet<PublicKey>> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }

    /// `true` if `key` belongs to an order or dispute the node already knows.
    pub fn contains(&self, key: &PublicKey) -> bool {
        self.read().contains(key)
    }

    /// Adds one key (e.g. right after an order is created or taken).
    pub fn insert(&self, key: PublicKey) {
        self.write().insert(key);
    }

    /// Replaces the whole set with a fresh snapshot from the store.
    pub fn replace(&self, keys: HashSet<PublicKey>) {
        *self.write() = keys;
    }

    /// Number of keys in the set.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    /// `true` when no key is known.
    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }
}

/// Where the known-key snapshot comes from (the store).
pub trait KnownKeysSource: Send + Sync {
    /// Error of a failed load.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Trade keys of every non-terminal order and solver keys of open disputes.
    fn load_known_keys(
        &self,
    ) -> impl Future<Output = Result<HashSet<PublicKey>, Self::Error>> + Send;
}

/// Rebuilds `keys` from `source` now and then every `interval` until `cancel` fires.
///
/// A failed load keeps the previous snapshot (logged at `warn`).
pub async fn refresh_known_keys<S: KnownKeysSource>(
    source: S,
    keys: KnownKeys,
    interval: Duration,
    cancel: CancellationToken,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            _ = ticker.tick() => {}
        }
        match source.load_known_keys().await {
            Ok(snapshot) => {
                tracing::debug!(count = snapshot.len(), "known trade keys refreshed");
                keys.replace(snapshot);
            }
            Err(error) => {
                tracing::warn!(
                    error = &error as &dyn std::error::Error,
                    "known trade keys refresh failed"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::nostr::key::Keys;

    #[test]
    fn insert_replace_contains() {
        let a = Keys::generate().public_key();
        let b = Keys::generate().public_key();
        let known = KnownKeys::new();
        assert!(!known.contains(&a));
        known.insert(a);
        assert!(known.contains(&a));
        known.replace(HashSet::from([b]));
        assert!(!known.contains(&a));
        assert!(known.contains(&b));
        assert_eq!(known.len(), 1);
    }
}
