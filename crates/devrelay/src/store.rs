//! In-memory event store with NIP-01 replacement rules and NIP-40 expiry,
//! optionally journalled to a JSON-lines file.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use nostr::event::{Event, EventId, Kind};
use nostr::filter::{Filter, MatchEventOptions};
use nostr::key::PublicKey;
use nostr::types::Timestamp;

use crate::error::DevRelayError;

/// Upper bound on events returned for one filter, also applied when the filter
/// has no `limit`.
pub const MAX_QUERY_LIMIT: usize = 5_000;

/// What [`EventStore::insert`] did with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveOutcome {
    /// The event is new and is now stored (it may have replaced an older version).
    Stored,
    /// The very same event was already stored.
    Duplicate,
    /// A newer version of this replaceable/addressable event is already stored.
    Superseded,
    /// The event carries a NIP-40 expiration that has passed.
    Expired,
}

/// Slot of a replaceable (kind, author) or addressable (kind, author, `d`) event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ReplaceKey {
    kind: Kind,
    author: PublicKey,
    identifier: Option<String>,
}

impl ReplaceKey {
    fn of(event: &Event) -> Option<Self> {
        if event.kind.is_replaceable() {
            Some(Self {
                kind: event.kind,
                author: event.pubkey,
                identifier: None,
            })
        } else if event.kind.is_addressable() {
            Some(Self {
                kind: event.kind,
                author: event.pubkey,
                identifier: Some(event.tags.identifier().unwrap_or_default()),
            })
        } else {
            None
        }
    }
}

/// `true` when `candidate` wins over `current` for the same replaceable slot:
/// newer `created_at`, ties broken by the lowest id.
fn supersedes(candidate: &Event, current: &Event) -> bool {
    (candidate.created_at, std::cmp::Reverse(candidate.id))
        > (current.created_at, std::cmp::Reverse(current.id))
}

#[derive(Debug)]
struct Journal {
    path: PathBuf,
    file: File,
}

#[derive(Debug, Default)]
struct State {
    events: HashMap<EventId, Event>,
    slots: HashMap<ReplaceKey, EventId>,
    journal: Option<Journal>,
}

impl State {
    fn insert(&mut self, event: Event, now: Timestamp) -> SaveOutcome {
        if event.is_expired_at(now) {
            return SaveOutcome::Expired;
        }
        if self.events.contains_key(&event.id) {
            return SaveOutcome::Duplicate;
        }
        if let Some(key) = ReplaceKey::of(&event) {
            if let Some(current_id) = self.slots.get(&key).copied() {
                match self.events.get(&current_id) {
                    Some(current) if !supersedes(&event, current) => {
                        return SaveOutcome::Superseded
                    }
                    _ => {
                        self.events.remove(&current_id);
                    }
                }
            }
            self.slots.insert(key, event.id);
        }
        self.events.insert(event.id, event);
        SaveOutcome::Stored
    }
}

/// Shared handle on the relay's events. Cloning is cheap; clones share the data,
/// so a store can outlive one [`crate::DevRelay`] and be handed to the next
/// (a relay "restart" that keeps its events).
#[derive(Debug, Clone, Default)]
pub struct EventStore {
    state: Arc<Mutex<State>>,
}

impl EventStore {
    /// An empty store kept only in memory.
    pub fn in_memory() -> Self {
        Self::default()
    }

    /// A store journalled to `path` (JSON lines, one event per line): existing
    /// events are loaded and every newly stored event is appended.
    pub fn open(path: &Path) -> Result<Self, DevRelayError> {
        let journal_err = |source| DevRelayError::Journal {
            path: path.to_path_buf(),
            source,
        };
        let mut state = State::default();
        let now = Timestamp::now();
        if path.exists() {
            let reader = BufReader::new(File::open(path).map_err(journal_err)?);
            for (index, line) in reader.lines().enumerate() {
                let line = line.map_err(journal_err)?;
                if line.trim().is_empty() {
                    continue;
                }
                let event: Event = serde_json::from_str(&line).map_err(|source| {
                    DevRelayError::CorruptJournal {
                        path: path.to_path_buf(),
                        line: index + 1,
                        source,
                    }
                })?;
                state.insert(event, now);
            }
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(journal_err)?;
        state.journal = Some(Journal {
            path: path.to_path_buf(),
            file,
        });
        Ok(Self {
            state: Arc::new(Mutex::new(state)),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave `State` half-updated in a
        // way that matters for a test relay, so keep serving.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stores `event` (whose id and signature the caller has verified) applying
    /// replaceable/addressable semantics and NIP-40 expiry at `now`.
    pub fn insert(&self, event: Event, now: Timestamp) -> Result<SaveOutcome, DevRelayError> {
        let mut state = self.lock();
        let line = serde_json::to_string(&event);
        let outcome = state.insert(event, now);
        if outcome == SaveOutcome::Stored {
            if let (Some(journal), Ok(line)) = (state.journal.as_mut(), line) {
                writeln!(journal.file, "{line}")
                    .and_then(|()| journal.file.flush())
                    .map_err(|source| DevRelayError::Journal {
                        path: journal.path.clone(),
                        source,
                    })?;
            }
        }
        Ok(outcome)
    }

    /// Stored, unexpired events matching `filter`, newest first (ties by lowest
    /// id), at most `filter.limit` (capped at [`MAX_QUERY_LIMIT`]).
    pub fn query(&self, filter: &Filter, now: Timestamp) -> Vec<Event> {
        let limit = filter.limit.unwrap_or(MAX_QUERY_LIMIT).min(MAX_QUERY_LIMIT);
        let state = self.lock();
        let mut found: Vec<Event> = state
            .events
            .values()
            .filter(|event| !event.is_expired_at(now))
            .filter(|event| filter.match_event(event, MatchEventOptions::new()))
            .cloned()
            .collect();
        drop(state);
        found.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
        found.truncate(limit);
        found
    }

    /// Number of events currently stored (including ones that expired since).
    pub fn len(&self) -> usize {
        self.lock().events.len()
    }

    /// `true` when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
