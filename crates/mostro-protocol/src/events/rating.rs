//! Kind 38384: user rating (PROTOCOL.md §7.2).

use nostr::event::{Event, Kind, Tag};
use nostr::key::{Keys, PublicKey};
use nostr::types::Timestamp;

use super::error::EventError;
use super::expiration::{days_from, expiration_of, expiration_tag};
use super::reputation::Reputation;
use super::tags;

/// Kind number of the rating event.
pub const RATING_KIND: Kind = Kind::Custom(38384);

/// Domain view of a kind-38384 rating event.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingEvent {
    /// `d`: the trade pubkey the rating is published under.
    ///
    /// We publish the *rated* party's trade key (PROTOCOL.md §11.11 fix; the
    /// reference daemon uses the rater's key).
    pub trade_pubkey: PublicKey,
    /// NIP-40 expiration (`now + rating_days`). Always set on our publications.
    pub expiration: Option<Timestamp>,
    /// The rated identity's aggregates.
    pub reputation: Reputation,
    /// Whole days since the rated identity's user row was created (0 if unknown).
    pub days: u64,
}

impl RatingEvent {
    /// A rating publication for `trade_pubkey`, expiring `rating_days` after `now`.
    pub fn new(
        trade_pubkey: PublicKey,
        reputation: Reputation,
        days: u64,
        now: Timestamp,
        rating_days: u64,
    ) -> Self {
        Self {
            trade_pubkey,
            expiration: Some(days_from(now, rating_days)),
            reputation,
            days,
        }
    }

    /// Tags in the daemon's order: `d`, `expiration`, `total_reviews`,
    /// `total_rating` (Rust `Display` of the float: `"4.25"`, `"5"`), `last_rating`,
    /// `max_rate`, `min_rate`, `z`=`rating`, `days`. No `y` tag.
    pub fn to_tags(&self) -> Vec<Tag> {
        let r = &self.reputation;
        let mut out = vec![tags::tag("d", [self.trade_pubkey.to_hex()])];
        out.extend(self.expiration.map(expiration_tag));
        out.extend([
            tags::tag("total_reviews", [r.total_reviews.to_string()]),
            tags::tag("total_rating", [r.total_rating.to_string()]),
            tags::tag("last_rating", [r.last_rating.to_string()]),
            tags::tag("max_rate", [r.max_rate.to_string()]),
            tags::tag("min_rate", [r.min_rate.to_string()]),
            tags::tag("z", ["rating"]),
            tags::tag("days", [self.days.to_string()]),
        ]);
        out
    }

    /// Signs the event with the Mostro node key.
    ///
    /// Refuses a non-finite `total_rating`.
    pub fn build(&self, keys: &Keys, created_at: Timestamp) -> Result<Event, EventError> {
        if !self.reputation.total_rating.is_finite() {
            return Err(EventError::NotPublishable("total_rating is not finite"));
        }
        tags::sign(RATING_KIND, "", self.to_tags(), keys, created_at)
    }

    /// Parses a kind-38384 event. `d` and the five aggregate tags are required;
    /// `expiration` and `days` are optional (`days` absent ⇒ 0).
    pub fn parse(event: &Event) -> Result<Self, EventError> {
        tags::expect_kind(event, RATING_KIND)?;
        let t: &[Tag] = &event.tags;
        let trade_pubkey = tags::required_as::<PublicKey>(t, "d")?;
        let total_rating = tags::parse_finite("total_rating", tags::required(t, "total_rating")?)?;
        Ok(Self {
            trade_pubkey,
            expiration: expiration_of(t)?,
            reputation: Reputation {
                total_reviews: tags::required_as(t, "total_reviews")?,
                total_rating,
                last_rating: tags::required_as(t, "last_rating")?,
                max_rate: tags::required_as(t, "max_rate")?,
                min_rate: tags::required_as(t, "min_rate")?,
            },
            days: tags::optional(t, "days")?.unwrap_or(0),
        })
    }
}
