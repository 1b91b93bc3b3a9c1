//! A bounded least-recently-used set of event ids (§9.3 step 5).

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroUsize;

use nostr::event::EventId;

/// Remembers up to `capacity` event ids; when full, the least recently seen id
/// is forgotten. Cheap duplicate suppression for outer chat events.
///
/// It is not a replay defence on its own: forgotten ids can come back. Keep
/// inner ids in a durable store for that (§9.3 step 12).
#[derive(Debug, Clone)]
pub struct SeenIds {
    capacity: NonZeroUsize,
    /// id → the tick at which it was last seen.
    last_seen: HashMap<EventId, u64>,
    /// tick → id, ordered oldest first.
    by_age: BTreeMap<u64, EventId>,
    tick: u64,
}

impl SeenIds {
    /// An empty set holding at most `capacity` ids.
    pub fn new(capacity: NonZeroUsize) -> Self {
        Self {
            capacity,
            last_seen: HashMap::new(),
            by_age: BTreeMap::new(),
            tick: 0,
        }
    }

    /// Record `id`. Returns `true` the first time (process the event) and
    /// `false` when it is already known (drop it); either way `id` becomes the
    /// most recently seen.
    pub fn insert(&mut self, id: EventId) -> bool {
        self.tick += 1;
        let fresh = match self.last_seen.insert(id, self.tick) {
            Some(previous) => {
                self.by_age.remove(&previous);
                false
            }
            None => true,
        };
        self.by_age.insert(self.tick, id);
        while self.last_seen.len() > self.capacity.get() {
            match self.by_age.pop_first() {
                Some((_, oldest)) => {
                    self.last_seen.remove(&oldest);
                }
                None => break,
            }
        }
        fresh
    }

    /// Whether `id` is remembered (does not refresh it).
    pub fn contains(&self, id: &EventId) -> bool {
        self.last_seen.contains_key(id)
    }

    /// Number of remembered ids.
    pub fn len(&self) -> usize {
        self.last_seen.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.last_seen.is_empty()
    }

    /// The maximum number of remembered ids.
    pub fn capacity(&self) -> NonZeroUsize {
        self.capacity
    }
}
