//! Kind 38386: dispute (PROTOCOL.md §7.4).

use nostr::event::{Event, Kind, Tag};
use nostr::key::Keys;
use nostr::types::Timestamp;
use uuid::Uuid;

use super::error::EventError;
use super::expiration::{days_from, expiration_of, expiration_tag};
use super::tags::{self, Platform};
use crate::status::DisputeStatus;

/// Kind number of the dispute event.
pub const DISPUTE_KIND: Kind = Kind::Custom(38386);

/// Who opened the dispute, as published in the `initiator` tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Initiator {
    /// The buyer opened it.
    Buyer,
    /// The seller opened it.
    Seller,
    /// The daemon's flags were inconsistent.
    Unknown,
}

impl Initiator {
    /// Wire spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Initiator::Buyer => "buyer",
            Initiator::Seller => "seller",
            Initiator::Unknown => "unknown",
        }
    }

    /// Reads the wire spelling; any other value reads as `Unknown`.
    pub fn from_wire(raw: &str) -> Self {
        match raw {
            "buyer" => Initiator::Buyer,
            "seller" => Initiator::Seller,
            _ => Initiator::Unknown,
        }
    }
}

/// Domain view of a kind-38386 dispute event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeEvent {
    /// `d`: the dispute id.
    pub id: Uuid,
    /// NIP-40 expiration (`now + dispute_days`).
    pub expiration: Option<Timestamp>,
    /// `s`: dispute status.
    pub status: DisputeStatus,
    /// `initiator`; the book's examples omit it on settle/cancel updates (§11.22).
    pub initiator: Option<Initiator>,
    /// `created_at` tag: when the dispute was opened (not the event's own time).
    pub opened_at: Option<Timestamp>,
    /// `y`: platform and instance name.
    pub platform: Option<Platform>,
}

impl DisputeEvent {
    /// A dispute publication as the daemon emits it: every tag present, expiring
    /// `dispute_days` after `now`.
    pub fn new(
        id: Uuid,
        status: DisputeStatus,
        initiator: Initiator,
        opened_at: Timestamp,
        instance_name: Option<&str>,
        now: Timestamp,
        dispute_days: u64,
    ) -> Self {
        Self {
            id,
            expiration: Some(days_from(now, dispute_days)),
            status,
            initiator: Some(initiator),
            opened_at: Some(opened_at),
            platform: Some(Platform::mostro(instance_name)),
        }
    }

    /// Tags in the daemon's order: `d`, `expiration`, `s`, `initiator`,
    /// `created_at`, `y`, `z`=`dispute`.
    pub fn to_tags(&self) -> Vec<Tag> {
        let mut out = vec![tags::tag("d", [self.id.to_string()])];
        out.extend(self.expiration.map(expiration_tag));
        out.push(tags::tag("s", [self.status.as_str()]));
        out.extend(self.initiator.map(|i| tags::tag("initiator", [i.as_str()])));
        out.extend(
            self.opened_at
                .map(|t| tags::tag("created_at", [t.as_secs().to_string()])),
        );
        out.extend(self.platform.as_ref().map(Platform::to_tag));
        out.push(tags::tag("z", ["dispute"]));
        out
    }

    /// Signs the event with the Mostro node key. Our publications always carry
    /// `expiration`, `initiator`, `created_at` and `y`; a value missing any of
    /// them is refused.
    pub fn build(&self, keys: &Keys, created_at: Timestamp) -> Result<Event, EventError> {
        if self.expiration.is_none() {
            return Err(EventError::NotPublishable(
                "dispute event without expiration",
            ));
        }
        if self.initiator.is_none() || self.opened_at.is_none() || self.platform.is_none() {
            return Err(EventError::NotPublishable(
                "dispute event without initiator, created_at or y",
            ));
        }
        tags::sign(DISPUTE_KIND, "", self.to_tags(), keys, created_at)
    }

    /// Parses a kind-38386 event: `d` (UUID) and `s` are required, the rest optional.
    pub fn parse(event: &Event) -> Result<Self, EventError> {
        tags::expect_kind(event, DISPUTE_KIND)?;
        let t: &[Tag] = &event.tags;
        let id = tags::required_as::<Uuid>(t, "d")?;
        let raw_status = tags::required(t, "s")?;
        let status = raw_status
            .parse::<DisputeStatus>()
            .map_err(|_| EventError::invalid("s", raw_status))?;
        let opened_at = tags::value(t, "created_at")
            .map(|raw| tags::parse_timestamp("created_at", raw))
            .transpose()?;
        Ok(Self {
            id,
            expiration: expiration_of(t)?,
            status,
            initiator: tags::value(t, "initiator").map(Initiator::from_wire),
            opened_at,
            platform: Platform::from_tags(t),
        })
    }
}
