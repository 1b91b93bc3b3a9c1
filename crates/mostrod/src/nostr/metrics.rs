//! Why intake drops an event, and counters of every outcome.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why an incoming event was dropped before dispatch (PROTOCOL.md §1.6). Every drop is
/// silent towards the sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// The event id has fewer leading zero bits than `pow` (NIP-13).
    InsufficientPow,
    /// The kind is neither 14 (v2) nor 1059 (v1).
    UnsupportedKind,
    /// The outer event id or signature does not verify.
    BadSignature,
    /// The event id was already processed (persisted dedupe).
    Replayed,
    /// The dedupe record could not be written; the event is left for a later catch-up.
    StoreUnavailable,
    /// A v2 event from an unknown trade key below `pow_first_contact`.
    FirstContactPow,
    /// The outer layer does not decrypt with the node key.
    NotForUs,
    /// A layer, the tuple, a signature or the message does not decode or verify.
    Undecodable,
    /// The inner `created_at` is too old (and outside the catch-up window).
    Stale,
    /// Reputation mode (`identity != sender`) without a trade signature.
    MissingTradeSignature,
    /// The message fails structural verification (PROTOCOL.md §2.3).
    FailedVerify,
}

impl DropReason {
    /// Every reason, in pipeline order.
    pub const ALL: [DropReason; 11] = [
        DropReason::InsufficientPow,
        DropReason::UnsupportedKind,
        DropReason::BadSignature,
        DropReason::Replayed,
        DropReason::StoreUnavailable,
        DropReason::FirstContactPow,
        DropReason::NotForUs,
        DropReason::Undecodable,
        DropReason::Stale,
        DropReason::MissingTradeSignature,
        DropReason::FailedVerify,
    ];

    /// Short stable name, for logs and metrics.
    pub const fn as_str(self) -> &'static str {
        match self {
            DropReason::InsufficientPow => "insufficient_pow",
            DropReason::UnsupportedKind => "unsupported_kind",
            DropReason::BadSignature => "bad_signature",
            DropReason::Replayed => "replayed",
            DropReason::StoreUnavailable => "store_unavailable",
            DropReason::FirstContactPow => "first_contact_pow",
            DropReason::NotForUs => "not_for_us",
            DropReason::Undecodable => "undecodable",
            DropReason::Stale => "stale",
            DropReason::MissingTradeSignature => "missing_trade_signature",
            DropReason::FailedVerify => "failed_verify",
        }
    }

    const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Counters of intake outcomes. Shared between the intake task and whoever reports
/// metrics; all updates are relaxed atomics.
#[derive(Debug, Default)]
pub struct IntakeMetrics {
    accepted: AtomicU64,
    dropped: [AtomicU64; DropReason::ALL.len()],
}

impl IntakeMetrics {
    /// Counts one event handed to dispatch.
    pub fn record_accepted(&self) {
        self.accepted.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one dropped event.
    pub fn record_drop(&self, reason: DropReason) {
        if let Some(counter) = self.dropped.get(reason.index()) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Events handed to dispatch so far.
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    /// Events dropped for `reason` so far.
    pub fn dropped(&self, reason: DropReason) -> u64 {
        self.dropped
            .get(reason.index())
            .map_or(0, |c| c.load(Ordering::Relaxed))
    }

    /// Events dropped for any reason so far.
    pub fn dropped_total(&self) -> u64 {
        DropReason::ALL.iter().map(|r| self.dropped(*r)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_reason_separately() {
        let metrics = IntakeMetrics::default();
        metrics.record_drop(DropReason::Stale);
        metrics.record_drop(DropReason::Stale);
        metrics.record_drop(DropReason::FailedVerify);
        metrics.record_accepted();
        assert_eq!(metrics.dropped(DropReason::Stale), 2);
        assert_eq!(metrics.dropped(DropReason::FailedVerify), 1);
        assert_eq!(metrics.dropped(DropReason::Replayed), 0);
        assert_eq!(metrics.dropped_total(), 3);
        assert_eq!(metrics.accepted(), 1);
        for (i, reason) in DropReason::ALL.iter().enumerate() {
            assert_eq!(reason.index(), i);
        }
        let names: std::collections::HashSet<_> =
            DropReason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(names.len(), DropReason::ALL.len());
    }
}
