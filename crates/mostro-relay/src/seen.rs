//! Bounded memory of event ids already delivered, for cross-relay dedup.

use std::collections::{HashSet, VecDeque};

use nostr::event::EventId;

/// Remembers the most recently inserted `capacity` event ids; the oldest
/// insertion is forgotten first.
#[derive(Debug)]
pub(crate) struct SeenIds {
    capacity: usize,
    order: VecDeque<EventId>,
    ids: HashSet<EventId>,
}

impl SeenIds {
    pub(crate) fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            capacity,
            order: VecDeque::with_capacity(capacity),
            ids: HashSet::with_capacity(capacity),
        }
    }

    pub(crate) fn contains(&self, id: &EventId) -> bool {
        self.ids.contains(id)
    }

    /// Records `id`; returns `false` if it was already known.
    pub(crate) fn insert(&mut self, id: EventId) -> bool {
        if !self.ids.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.ids.remove(&oldest);
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> EventId {
        EventId::from_byte_array([n; 32])
    }

    #[test]
    fn remembers_and_evicts_oldest() {
        let mut seen = SeenIds::new(2);
        assert!(seen.insert(id(1)));
        assert!(!seen.insert(id(1)));
        assert!(seen.insert(id(2)));
        assert!(seen.insert(id(3)));
        assert!(!seen.contains(&id(1)));
        assert!(seen.contains(&id(2)) && seen.contains(&id(3)));
    }
}
