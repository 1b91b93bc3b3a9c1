//! Keyed async locks: one writer per order (DESIGN.md invariant 1).
//!
//! [`KeyedLocks`] hands out one async mutex per key. Inputs for the same key wait for
//! each other; inputs for different keys never do. An entry lives in the map only while
//! somebody holds or waits for its lock, so the map does not grow with the number of
//! orders ever seen.

use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::OwnedMutexGuard;

type Slot = Arc<tokio::sync::Mutex<()>>;

/// A map of async locks keyed by `K` (an order id, an identity key).
pub struct KeyedLocks<K> {
    slots: Arc<Mutex<HashMap<K, Slot>>>,
}

impl<K> Clone for KeyedLocks<K> {
    fn clone(&self) -> Self {
        Self {
            slots: Arc::clone(&self.slots),
        }
    }
}

impl<K> Default for KeyedLocks<K> {
    fn default() -> Self {
        Self {
            slots: Arc::new(Mutex::new(HashMap::new())),
        }
    }
}

impl<K> fmt::Debug for KeyedLocks<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyedLocks")
            .field("live", &lock_map(&self.slots).len())
            .finish()
    }
}

/// The map stays consistent even if a holder panicked: every critical section is a
/// single insert, clone or remove.
fn lock_map<K>(slots: &Mutex<HashMap<K, Slot>>) -> MutexGuard<'_, HashMap<K, Slot>> {
    slots
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<K: Eq + Hash + Clone> KeyedLocks<K> {
    /// An empty set of locks.
    pub fn new() -> Self {
        Self::default()
    }

    /// Waits for the lock of `key`. The lock is released when the guard drops.
    pub async fn lock(&self, key: K) -> KeyGuard<K> {
        // Cloned under the map lock, so a holder that releases concurrently sees this
        // waiter in the reference count and keeps the entry.
        let slot = Arc::clone(lock_map(&self.slots).entry(key.clone()).or_default());
        let guard = Arc::clone(&slot).lock_owned().await;
        KeyGuard {
            slots: Arc::clone(&self.slots),
            key: Some(key),
            slot,
            guard: Some(guard),
        }
    }

    /// Number of keys currently held or waited for.
    pub fn live(&self) -> usize {
        lock_map(&self.slots).len()
    }
}

/// Proof that the caller holds the lock of one key.
pub struct KeyGuard<K: Eq + Hash> {
    slots: Arc<Mutex<HashMap<K, Slot>>>,
    key: Option<K>,
    slot: Slot,
    guard: Option<OwnedMutexGuard<()>>,
}

impl<K: Eq + Hash> fmt::Debug for KeyGuard<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyGuard").finish_non_exhaustive()
    }
}

impl<K: Eq + Hash> Drop for KeyGuard<K> {
    fn drop(&mut self) {
        let mut slots = lock_map(&self.slots);
        // Release first, then forget the entry if nobody else holds a reference: the
        // map's and ours are the only two left. Waiters clone under the map lock we hold.
        drop(self.guard.take());
        if Arc::strong_count(&self.slot) == 2 {
            if let Some(key) = self.key.take() {
                slots.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn same_key_is_serialised_and_entries_are_forgotten() {
        let locks = KeyedLocks::<u32>::new();
        let inside = Arc::new(AtomicUsize::new(0));
        let max_inside = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (locks, inside, max_inside) =
                (locks.clone(), Arc::clone(&inside), Arc::clone(&max_inside));
            tasks.push(tokio::spawn(async move {
                let _guard = locks.lock(7).await;
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                max_inside.fetch_max(now, Ordering::SeqCst);
                tokio::task::yield_now().await;
                inside.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(max_inside.load(Ordering::SeqCst), 1);
        assert_eq!(locks.live(), 0, "released locks must not stay in the map");
    }

    #[tokio::test]
    async fn different_keys_do_not_wait_for_each_other() {
        let locks = KeyedLocks::<u32>::new();
        let _held = locks.lock(1).await;
        // Would hang if key 2 waited for key 1.
        let other = tokio::time::timeout(Duration::from_secs(5), locks.lock(2)).await;
        assert!(other.is_ok());
        assert_eq!(locks.live(), 2);
        drop(other);
        assert_eq!(locks.live(), 1);
    }

    #[tokio::test]
    async fn a_waiter_keeps_the_entry_alive_when_the_holder_releases() {
        let locks = KeyedLocks::<u32>::new();
        let first = locks.lock(3).await;
        let waiter = {
            let locks = locks.clone();
            tokio::spawn(async move {
                let _g = locks.lock(3).await;
                locks.live()
            })
        };
        tokio::task::yield_now().await;
        drop(first);
        let live_while_second_holds = waiter.await.unwrap();
        assert_eq!(live_while_second_holds, 1);
        assert_eq!(locks.live(), 0);
    }
}
