//! The pure checks of the intake pipeline (PROTOCOL.md §1.6), in protocol order.
//!
//! The pipeline is split around the one step that needs the store, the persisted replay
//! dedupe:
//!
//! 1. [`screen`]: PoW, kind, outer signature. Only an event that passes may be recorded
//!    as processed (an event id does not commit to `sig`, so recording unauthenticated
//!    ids would let an attacker pre-empt a genuine event).
//! 2. the caller drops replays (ids already committed as processed, or in flight);
//! 3. [`open`]: the first-contact PoW lane (v2), unwrap, freshness, the trade-signature
//!    rule and structural verification, producing an [`IncomingRequest`].
//!
//! Nothing here reads the clock or performs I/O; `now` is passed in.

use ::nostr::event::{Event, EventId};
use ::nostr::key::{Keys, PublicKey};
use ::nostr::types::Timestamp;
use mostro_protocol::envelope::{self, unwrap_incoming, Unwrapped};
use mostro_protocol::{Action, Payload};
use uuid::Uuid;

use super::known_keys::KnownKeys;
use super::metrics::DropReason;
use super::transport::from_envelope;
use crate::engine::Request;
use crate::model::Transport;
use crate::store::ProcessedMark;

/// Inbound freshness window of the protocol: events older than `now - 10 s` are stale.
pub const FRESHNESS_SECS: u64 = 10;

/// Default [`CatchUpWindow::max_age_secs`]: one hour.
pub const DEFAULT_MAX_CATCHUP_AGE_SECS: u64 = 3_600;

/// Messages created while the daemon was not listening, accepted once after a restart.
///
/// The protocol drops anything older than 10 s, which would silently lose every message
/// sent while the daemon was down or cut off from its relays (DESIGN.md invariant 4).
/// Deliberate rule: an event whose inner `created_at` is not before `last_processed_at`
/// (the newest activity recorded before the restart) and no later
/// than `resumed_at` (when intake resumed) is accepted as long as it is at most
/// `max_age_secs` old. Everything created after `resumed_at` gets the normal 10 s rule,
/// so the window closes by itself `max_age_secs` after the restart. Replays within the
/// window are still stopped by the persisted dedupe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatchUpWindow {
    /// Newest processed time recorded before the restart (inclusive lower bound: an
    /// event of that same second may not have been handled yet; replays are deduped).
    pub last_processed_at: Timestamp,
    /// When intake resumed (inclusive upper bound).
    pub resumed_at: Timestamp,
    /// Oldest accepted age, in seconds, measured from `now`.
    pub max_age_secs: u64,
}

impl CatchUpWindow {
    /// `true` when a message created at `created_at` may still be handled at `now`.
    pub fn admits(&self, created_at: Timestamp, now: Timestamp) -> bool {
        let oldest = now.as_secs().saturating_sub(self.max_age_secs);
        created_at >= self.last_processed_at
            && created_at <= self.resumed_at
            && created_at.as_secs() >= oldest
    }
}

/// The knobs of the intake checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntakePolicy {
    /// `mostro.pow`: NIP-13 bits every inbound event needs.
    pub pow: u8,
    /// Bits a v2 event from an unknown trade key needs. Enforced as
    /// `max(pow, pow_first_contact)`.
    pub pow_first_contact: u8,
    /// Freshness window in seconds ([`FRESHNESS_SECS`]).
    pub freshness_secs: u64,
    /// The post-restart catch-up allowance, if any.
    pub catch_up: Option<CatchUpWindow>,
}

impl IntakePolicy {
    /// The protocol defaults: no PoW, 10 s freshness, no catch-up.
    pub fn new(pow: u8, pow_first_contact: u8) -> Self {
        Self {
            pow,
            pow_first_contact,
            freshness_secs: FRESHNESS_SECS,
            catch_up: None,
        }
    }

    /// The first-contact difficulty actually enforced (and advertised).
    pub fn effective_first_contact_pow(&self) -> u8 {
        self.pow.max(self.pow_first_contact)
    }

    /// `true` when a message created at `created_at` is fresh enough at `now`.
    pub fn is_fresh(&self, created_at: Timestamp, now: Timestamp) -> bool {
        let oldest = now.as_secs().saturating_sub(self.freshness_secs);
        created_at.as_secs() >= oldest || self.catch_up.is_some_and(|w| w.admits(created_at, now))
    }
}

/// A decoded, authenticated, fresh and structurally valid user message, ready for
/// dispatch. Checks that need records (the §8.3 trade index) are left to the engine,
/// which receives `trade_index` and whether a trade signature was present.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingRequest {
    /// The trade key that authored the message; replies go to it.
    pub sender: PublicKey,
    /// The identity key (equal to `sender` in full privacy).
    pub identity: PublicKey,
    /// The transport it arrived on; replies use the same one.
    pub transport: Transport,
    /// Inner `created_at` (v1 rumor, v2 event).
    pub created_at: Timestamp,
    /// `request_id`, echoed on the direct reply.
    pub request_id: Option<u64>,
    /// `trade_index`, checked by the engine for `new-order` and `take-*`.
    pub trade_index: Option<i64>,
    /// The message `id` (order id, or dispute id for solver actions).
    pub order_id: Option<Uuid>,
    /// The verb.
    pub action: Action,
    /// The payload.
    pub payload: Option<Payload>,
    /// `true` when a (verified) trade signature was attached.
    pub trade_signed: bool,
    /// Id of the outer event (the dedupe key).
    pub event_id: EventId,
    /// `created_at` of the outer event (for a gift wrap, the backdated one).
    pub event_created_at: Timestamp,
}

impl IncomingRequest {
    fn from_unwrapped(unwrapped: Unwrapped, event_created_at: Timestamp) -> Self {
        let Unwrapped {
            transport,
            event_id,
            sender,
            identity,
            created_at,
            message,
            trade_signature,
            ..
        } = unwrapped;
        let trade_signed = trade_signature.is_some();
        let (_, body) = message.into_parts();
        Self {
            sender,
            identity,
            transport: from_envelope(transport),
            created_at,
            request_id: body.request_id,
            trade_index: body.trade_index,
            order_id: body.id,
            action: body.action,
            payload: body.payload,
            trade_signed,
            event_id,
            event_created_at,
        }
    }

    /// The processed mark to commit with whatever this request causes (handled at
    /// `now`).
    pub fn processed_mark(&self, now: Timestamp) -> ProcessedMark {
        ProcessedMark {
            event_id: self.event_id,
            created_at: self.event_created_at,
            processed_at: now,
        }
    }

    /// `true` when the sender hides its identity (no reputation, no trade index).
    pub fn full_privacy(&self) -> bool {
        self.sender == self.identity
    }

    /// The engine's view of this request.
    pub fn to_request(&self) -> Request {
        Request {
            sender: self.sender,
            identity: self.identity,
            transport: self.transport,
            request_id: self.request_id,
            trade_index: self.trade_index,
            order_id: self.order_id,
            action: self.action,
            payload: self.payload.clone(),
        }
    }
}

/// Steps 1–3 of §1.6 (before anything is recorded): PoW, kind, outer signature.
/// Returns the transport of an event that may be recorded as processed.
pub fn screen(event: &Event, policy: &IntakePolicy) -> Result<envelope::Transport, DropReason> {
    if !event.id.check_pow(policy.pow) {
        return Err(DropReason::InsufficientPow);
    }
    let transport =
        envelope::Transport::from_kind(event.kind).ok_or(DropReason::UnsupportedKind)?;
    event.verify().map_err(|_| DropReason::BadSignature)?;
    Ok(transport)
}

/// Steps after the replay dedupe: first-contact lane (v2 only), unwrap, freshness,
/// trade-signature rule and structural verification.
///
/// `event` must have passed [`screen`] (its transport is re-derived from the kind).
pub fn open(
    event: &Event,
    node_keys: &Keys,
    known_keys: &KnownKeys,
    policy: &IntakePolicy,
    now: Timestamp,
) -> Result<IncomingRequest, DropReason> {
    let transport =
        envelope::Transport::from_kind(event.kind).ok_or(DropReason::UnsupportedKind)?;
    if transport == envelope::Transport::V2
        && !known_keys.contains(&event.pubkey)
        && !event.id.check_pow(policy.effective_first_contact_pow())
    {
        return Err(DropReason::FirstContactPow);
    }
    let unwrapped = match unwrap_incoming(event, node_keys) {
        Ok(Some(unwrapped)) => unwrapped,
        Ok(None) => return Err(DropReason::NotForUs),
        Err(_) => return Err(DropReason::Undecodable),
    };
    if !policy.is_fresh(unwrapped.created_at, now) {
        return Err(DropReason::Stale);
    }
    if !unwrapped.satisfies_signature_rule() {
        return Err(DropReason::MissingTradeSignature);
    }
    if !unwrapped.message.verify() {
        return Err(DropReason::FailedVerify);
    }
    Ok(IncomingRequest::from_unwrapped(unwrapped, event.created_at))
}

/// Convenience for callers that keep no dedupe state (tests, tools): [`screen`] then
/// [`open`].
pub fn check_without_dedupe(
    event: &Event,
    node_keys: &Keys,
    known_keys: &KnownKeys,
    policy: &IntakePolicy,
    now: Timestamp,
) -> Result<IncomingRequest, DropReason> {
    screen(event, policy)?;
    open(event, node_keys, known_keys, policy, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> Timestamp {
        Timestamp::from_secs(secs)
    }

    #[test]
    fn freshness_and_catch_up_window() {
        let window = CatchUpWindow {
            last_processed_at: at(1_000),
            resumed_at: at(5_000),
            max_age_secs: 3_600,
        };
        let mut policy = IntakePolicy::new(0, 0);
        // (created_at, now, fresh without window, fresh with window)
        let cases = [
            (5_000, 5_010, true, true),
            (4_999, 5_010, false, true),
            (1_000, 4_000, false, true),
            (999, 4_000, false, false),
            (1_500, 5_200, false, false),
            (5_001, 5_100, false, false),
            (9_000, 5_000, true, true),
        ];
        for (created, now, plain, with_window) in cases {
            policy.catch_up = None;
            assert_eq!(
                policy.is_fresh(at(created), at(now)),
                plain,
                "{created} at {now}"
            );
            policy.catch_up = Some(window);
            assert_eq!(
                policy.is_fresh(at(created), at(now)),
                with_window,
                "{created} at {now}"
            );
        }
    }

    #[test]
    fn first_contact_pow_is_at_least_pow() {
        assert_eq!(IntakePolicy::new(5, 2).effective_first_contact_pow(), 5);
        assert_eq!(IntakePolicy::new(2, 8).effective_first_contact_pow(), 8);
    }
}
