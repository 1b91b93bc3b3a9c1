//! The NIP-69 status bucket (`s` tag of kind 38383) and how order statuses map to it
//! (PROTOCOL.md §4.2, with the §11.13 fix).

use std::fmt;

use crate::order::Kind;
use crate::status::Status;

/// Value of the `s` tag of a kind-38383 order event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderBucket {
    /// Waiting for a taker (also while a taker is paying a bond).
    Pending,
    /// Taken; the trade is under way.
    InProgress,
    /// Completed.
    Success,
    /// Canceled or expired (the daemon publishes expiries as `canceled`).
    Canceled,
    /// Reserved by the reference implementation; never produced by it.
    CompletedByAdmin,
    /// Listed by NIP-69; published by other platforms, never by Mostro.
    Expired,
}

impl OrderBucket {
    /// Wire spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            OrderBucket::Pending => "pending",
            OrderBucket::InProgress => "in-progress",
            OrderBucket::Success => "success",
            OrderBucket::Canceled => "canceled",
            OrderBucket::CompletedByAdmin => "completed-by-admin",
            OrderBucket::Expired => "expired",
        }
    }

    /// Reads the wire spelling (exact, lowercase).
    pub fn from_wire(raw: &str) -> Option<Self> {
        [
            OrderBucket::Pending,
            OrderBucket::InProgress,
            OrderBucket::Success,
            OrderBucket::Canceled,
            OrderBucket::CompletedByAdmin,
            OrderBucket::Expired,
        ]
        .into_iter()
        .find(|b| b.as_str() == raw)
    }

    /// The bucket an order of `kind` is published with while in `status`, or
    /// `None` when that status is never published.
    ///
    /// * `pending`, `waiting-taker-bond` → `pending` (a taker paying a bond does not
    ///   take the order off the book);
    /// * `waiting-buyer-invoice` → `in-progress` for sell orders (it is their first
    ///   post-take state); for buy orders it follows `waiting-payment`, which was
    ///   already published, so `None`;
    /// * `waiting-payment` → `in-progress` for **both** kinds. The reference daemon
    ///   does not publish it for sell orders, which leaves a sell order taken with
    ///   an invoice showing `pending` until it ends (PROTOCOL.md §11.13, *fix*).
    ///   For a sell order that already went through `waiting-buyer-invoice` this is
    ///   a repeat; use [`OrderBucket::on_transition`] to skip it;
    /// * `success` → `success`; `canceled`, `cooperatively-canceled`,
    ///   `canceled-by-admin`, `expired` → `canceled`;
    /// * `in-progress` → `in-progress`; `completed-by-admin` → `completed-by-admin`;
    /// * `waiting-maker-bond`, `active`, `fiat-sent`, `dispute`,
    ///   `settled-hold-invoice`, `settled-by-admin` → `None`.
    pub const fn for_status(status: Status, kind: Kind) -> Option<Self> {
        match status {
            Status::Pending | Status::WaitingTakerBond => Some(OrderBucket::Pending),
            Status::WaitingBuyerInvoice => match kind {
                Kind::Sell => Some(OrderBucket::InProgress),
                Kind::Buy => None,
            },
            Status::WaitingPayment | Status::InProgress => Some(OrderBucket::InProgress),
            Status::Success => Some(OrderBucket::Success),
            Status::Canceled
            | Status::CooperativelyCanceled
            | Status::CanceledByAdmin
            | Status::Expired => Some(OrderBucket::Canceled),
            Status::CompletedByAdmin => Some(OrderBucket::CompletedByAdmin),
            Status::WaitingMakerBond
            | Status::Active
            | Status::FiatSent
            | Status::Dispute
            | Status::SettledHoldInvoice
            | Status::SettledByAdmin => None,
        }
    }

    /// The bucket to publish when an order of `kind` moves from `from` to `to`, or
    /// `None` when no kind-38383 revision is due.
    ///
    /// On top of [`OrderBucket::for_status`]: an order that was never on the book
    /// (`waiting-maker-bond`) publishes nothing when it ends, a taker starting to
    /// pay a bond (`waiting-taker-bond`) leaves the published `pending` revision
    /// as it is, and a move between two `in-progress` states does not republish
    /// `in-progress`. Re-publishing
    /// `pending` (e.g. a taker cancel returning the order to the book) is kept, as
    /// the pending revision carries a fresh NIP-40 expiration.
    pub const fn on_transition(from: Status, to: Status, kind: Kind) -> Option<Self> {
        if matches!(from, Status::WaitingMakerBond) && !matches!(to, Status::Pending) {
            return None;
        }
        if matches!(to, Status::WaitingTakerBond) {
            return None;
        }
        let before = Self::for_status(from, kind);
        match Self::for_status(to, kind) {
            Some(OrderBucket::InProgress) if matches!(before, Some(OrderBucket::InProgress)) => {
                None
            }
            other => other,
        }
    }
}

impl fmt::Display for OrderBucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
