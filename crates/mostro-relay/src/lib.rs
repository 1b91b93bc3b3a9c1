//! A small Nostr relay client (NIP-01) for Mostro.
//!
//! [`RelayPool`] keeps one WebSocket per relay, reconnects with capped,
//! jittered exponential backoff, and re-sends active subscriptions after a
//! reconnection with `since` moved forward to what that relay already
//! delivered. Received events are checked (id, signature, match against the
//! subscription's filters) and delivered once across relays. Publishing
//! reports every relay's NIP-01 `OK` so the caller can choose its own success
//! policy.

mod backoff;
mod error;
mod options;
mod outcome;
mod pool;
mod relay;
mod seen;
mod subscription;

pub use crate::error::RelayError;
pub use crate::options::{PoolOptions, SubscribeOptions};
pub use crate::outcome::{PublishOutcome, RelayAck};
pub use crate::pool::RelayPool;
pub use crate::subscription::{Subscription, SubscriptionItem};
