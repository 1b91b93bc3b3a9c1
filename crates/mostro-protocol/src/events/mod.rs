//! Public events published by a Mostro node (PROTOCOL.md §7).
//!
//! * [`order`]: kind 38383, the NIP-69 order book entry (status buckets in
//!   [`bucket`], publication from a daemon order in [`order_builder`]);
//! * [`rating`]: kind 38384, user rating (aggregates in [`reputation`]);
//! * [`info`]: kind 38385, instance info (bond terms in [`bond`]);
//! * [`dispute`]: kind 38386, dispute;
//! * [`rates`]: kind 30078, exchange rates;
//! * [`relays`]: kind 10002 relay list and kind 0 metadata;
//! * [`expiration`]: NIP-40 helpers and the monotonic `created_at` rule.
//!
//! Building is strict (a value the daemon would never publish is refused with
//! [`EventError::NotPublishable`]) and emits tags in exactly the reference
//! daemon's order; parsing is lenient (unknown tags are ignored, optional tags
//! may be missing) but never accepts an unparseable value of a tag it reads.

pub mod bond;
pub mod bucket;
pub mod dispute;
pub mod error;
pub mod expiration;
pub mod info;
pub mod order;
pub mod order_builder;
pub mod rates;
pub mod rating;
pub mod relays;
pub mod reputation;
pub mod tags;

pub use bond::{BondAdvert, BondApplyTo, BondTerms};
pub use bucket::OrderBucket;
pub use dispute::{DisputeEvent, Initiator, DISPUTE_KIND};
pub use error::EventError;
pub use expiration::{
    days_from, expiration_of, expiration_tag, is_expired, is_expired_at, next_created_at,
};
pub use info::{FiatLimit, InfoEvent, LndInfo, INFO_KIND};
pub use order::{FiatAmount, OrderEvent, OrderRating, ORDER_KIND};
pub use order_builder::{source_link, split_payment_methods, OrderEventBuilder};
pub use rates::{
    rates_lifetime_secs, RatesEvent, MAX_RATES_LIFETIME_SECS, RATES_IDENTIFIER, RATES_KIND,
};
pub use rating::{RatingEvent, RATING_KIND};
pub use relays::{build_relay_list, parse_relay_list, relay_list_tags, InstanceMetadata};
pub use reputation::{RatingOutOfRange, Reputation};
pub use tags::Platform;
