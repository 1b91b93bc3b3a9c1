//! Tunables of the relay pool.

use std::time::Duration;

/// Settings of a [`crate::RelayPool`]. `Default` suits production relays.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Time allowed for the TCP/TLS/WebSocket handshake.
    pub connect_timeout: Duration,
    /// First reconnection delay (doubled after each failure).
    pub reconnect_min: Duration,
    /// Largest reconnection delay.
    pub reconnect_max: Duration,
    /// How often a ping is sent; a relay silent for twice this long is
    /// considered dead and the connection is re-established.
    pub ping_interval: Duration,
    /// How long [`crate::RelayPool::publish`] waits for each relay's `OK`.
    pub publish_timeout: Duration,
    /// Number of event ids remembered per subscription to drop duplicates
    /// delivered by several relays.
    pub dedup_capacity: usize,
    /// Default [`SubscribeOptions::catch_up_overlap`].
    pub catch_up_overlap: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            reconnect_min: Duration::from_secs(1),
            reconnect_max: Duration::from_secs(60),
            ping_interval: Duration::from_secs(30),
            publish_timeout: Duration::from_secs(10),
            dedup_capacity: 10_000,
            catch_up_overlap: Duration::from_secs(60),
        }
    }
}

/// Per-subscription settings.
#[derive(Debug, Clone)]
pub struct SubscribeOptions {
    /// After a reconnection the subscription is re-sent with `since` moved to
    /// the newest `created_at` seen from that relay minus this overlap, so
    /// nothing published meanwhile is missed. Events whose `created_at` is
    /// deliberately set in the past (NIP-59 gift wraps are randomised up to two
    /// days back) need an overlap at least that large.
    pub catch_up_overlap: Duration,
}
