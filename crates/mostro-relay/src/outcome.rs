//! Per-relay results of publishing an event.

use std::collections::BTreeMap;

use nostr::event::EventId;
use nostr::types::RelayUrl;

/// How one relay answered an `EVENT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayAck {
    /// `OK true`, or `OK false "duplicate: …"` (the relay already has it).
    Accepted {
        /// The relay's message (often empty, or `duplicate: …`).
        message: String,
    },
    /// `OK false` with the relay's reason.
    Rejected {
        /// Machine-readable prefix and human-readable text, e.g. `blocked: …`.
        reason: String,
    },
    /// No `OK` arrived in time.
    TimedOut,
    /// The relay was not connected when publishing.
    NotConnected,
    /// The connection dropped before the relay answered.
    ConnectionLost,
}

impl RelayAck {
    /// Builds the ack from an `OK` message.
    pub(crate) fn from_ok(status: bool, message: &str) -> Self {
        if status || message.starts_with("duplicate:") {
            Self::Accepted {
                message: message.to_owned(),
            }
        } else {
            Self::Rejected {
                reason: message.to_owned(),
            }
        }
    }

    /// `true` if the relay stored (or already had) the event.
    pub fn is_accepted(&self) -> bool {
        matches!(self, Self::Accepted { .. })
    }
}

/// Result of [`crate::RelayPool::publish`]: one [`RelayAck`] per relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishOutcome {
    /// The published event.
    pub event_id: EventId,
    /// The answer of every relay of the pool.
    pub acks: BTreeMap<RelayUrl, RelayAck>,
}

impl PublishOutcome {
    /// Relays that accepted the event.
    pub fn accepted_relays(&self) -> Vec<&RelayUrl> {
        self.acks
            .iter()
            .filter(|(_, ack)| ack.is_accepted())
            .map(|(url, _)| url)
            .collect()
    }

    /// `true` if at least one relay accepted the event.
    pub fn any_accepted(&self) -> bool {
        self.acks.values().any(RelayAck::is_accepted)
    }

    /// `true` if every relay accepted the event (and there is at least one).
    pub fn all_accepted(&self) -> bool {
        !self.acks.is_empty() && self.acks.values().all(RelayAck::is_accepted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_counts_as_accepted_other_false_is_rejected() {
        assert!(RelayAck::from_ok(true, "").is_accepted());
        assert!(RelayAck::from_ok(false, "duplicate: have it").is_accepted());
        assert_eq!(
            RelayAck::from_ok(false, "blocked: no"),
            RelayAck::Rejected {
                reason: "blocked: no".to_owned()
            }
        );
    }

    #[test]
    fn outcome_policies() {
        let a = RelayUrl::parse("ws://127.0.0.1:1").unwrap();
        let b = RelayUrl::parse("ws://127.0.0.1:2").unwrap();
        let mut acks = BTreeMap::new();
        acks.insert(a.clone(), RelayAck::from_ok(true, ""));
        acks.insert(b, RelayAck::TimedOut);
        let outcome = PublishOutcome {
            event_id: EventId::from_byte_array([0; 32]),
            acks,
        };
        assert!(outcome.any_accepted());
        assert!(!outcome.all_accepted());
        assert_eq!(outcome.accepted_relays(), vec![&a]);
    }
}
