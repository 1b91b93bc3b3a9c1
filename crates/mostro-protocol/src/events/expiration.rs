//! NIP-40 expiration helpers and the per-`d` monotonic `created_at` rule.
//!
//! <https://github.com/nostr-protocol/nips/blob/master/40.md>
//!
//! Time is always an input: nothing here reads the clock.

use nostr::event::{Event, Tag};
use nostr::types::Timestamp;

use super::error::EventError;
use super::tags;

/// Seconds in a day, for the `*_days` retention settings.
pub const SECS_PER_DAY: u64 = 86_400;

/// Builds `["expiration","<unix>"]`.
pub fn expiration_tag(at: Timestamp) -> Tag {
    tags::tag("expiration", [at.as_secs().to_string()])
}

/// `now + days` (saturating), the retention rule of kinds 38383 (non-pending),
/// 38384 and 38386 (PROTOCOL.md §7.8).
pub fn days_from(now: Timestamp, days: u64) -> Timestamp {
    now + days.saturating_mul(SECS_PER_DAY)
}

/// Reads the first `expiration` tag.
///
/// Returns `Ok(None)` when there is none, and an error when its value is not a
/// unix timestamp.
pub fn expiration_of(tags: &[Tag]) -> Result<Option<Timestamp>, EventError> {
    tags::value(tags, "expiration")
        .map(|raw| tags::parse_timestamp("expiration", raw))
        .transpose()
}

/// Whether an event whose NIP-40 expiration is `expiration` is expired at `now`.
///
/// NIP-40 defines the expiration as the time *at which* the event should be
/// considered expired, so an event is expired from that second on.
pub fn is_expired_at(expiration: Option<Timestamp>, now: Timestamp) -> bool {
    expiration.is_some_and(|at| at <= now)
}

/// Whether `event` carries a NIP-40 expiration that has been reached at `now`.
///
/// An unparseable expiration tag counts as "not expired" (the event is kept),
/// matching relays that ignore malformed tags.
pub fn is_expired(event: &Event, now: Timestamp) -> bool {
    is_expired_at(expiration_of(&event.tags).ok().flatten(), now)
}

/// `created_at` for the next revision of an addressable event.
///
/// Relays keep the newest revision per `(kind, pubkey, d)` and break same-second
/// ties by lowest id, so every revision of one `d` must get a strictly greater
/// `created_at` than the previous one: `max(now, last + 1)`.
pub fn next_created_at(last: Option<Timestamp>, now: Timestamp) -> Timestamp {
    match last {
        Some(last) => now.max(last + 1),
        None => now,
    }
}
