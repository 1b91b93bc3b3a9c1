//! The outbox publisher (DESIGN.md invariant 3, STYLE.md example 8).
//!
//! Rows are signed events written to the outbox in the same transaction as the state
//! change that caused them. The publisher sends every due row to all relays and
//! deletes it as soon as at least one relay acknowledged it (`OK true` or a
//! `duplicate:`); otherwise the row is rescheduled with capped exponential backoff.
//! It wakes when the runtime signals new rows ([`Publisher::waker`]) and on a timer
//! for retries, and stops when its cancellation token fires.

use std::sync::Arc;
use std::time::Duration;

use ::nostr::event::Event;
use ::nostr::types::Timestamp;
use mostro_protocol::events::is_expired;
use mostro_relay::RelayPool;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::store::{Outbox, OutboxItem, StoreError};

/// Tunables of the publisher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublisherConfig {
    /// Rows loaded per round.
    pub batch: usize,
    /// Delay after the first failed send (doubled after each further failure).
    pub retry_min: Duration,
    /// Largest delay between two sends of one row.
    pub retry_max: Duration,
    /// How often due rows are checked without a wake-up signal.
    pub tick: Duration,
}

impl Default for PublisherConfig {
    fn default() -> Self {
        Self {
            batch: 50,
            retry_min: Duration::from_secs(2),
            retry_max: Duration::from_secs(600),
            tick: Duration::from_secs(2),
        }
    }
}

impl PublisherConfig {
    /// Delay before the next send of a row that failed `attempts` times before this
    /// failure: `retry_min · 2^attempts`, capped at `retry_max`, at least one second.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let factor = 1u32.checked_shl(attempts.min(31)).unwrap_or(u32::MAX);
        self.retry_min
            .checked_mul(factor)
            .unwrap_or(self.retry_max)
            .min(self.retry_max)
            .max(Duration::from_secs(1))
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoundReport {
    /// Rows acknowledged by a relay and deleted.
    pub sent: usize,
    /// Rows no relay acknowledged, rescheduled.
    pub failed: usize,
    /// Rows deleted unsent: unparseable, or expired (NIP-40) before delivery.
    pub discarded: usize,
}

/// Sends outbox rows through a relay pool.
#[derive(Debug, Clone)]
pub struct Publisher {
    outbox: Outbox,
    pool: RelayPool,
    wake: Arc<Notify>,
    config: PublisherConfig,
}

impl Publisher {
    /// A publisher of `outbox` through `pool`.
    pub fn new(outbox: Outbox, pool: RelayPool, config: PublisherConfig) -> Self {
        Self {
            outbox,
            pool,
            wake: Arc::new(Notify::new()),
            config,
        }
    }

    /// The signal the runtime fires (`notify_one`) after committing outbox rows.
    pub fn waker(&self) -> Arc<Notify> {
        Arc::clone(&self.wake)
    }

    /// Sends every row due at `now` (in batches) and returns what happened.
    pub async fn publish_due(&self, now: Timestamp) -> Result<RoundReport, StoreError> {
        let mut report = RoundReport::default();
        loop {
            let rows = self.outbox.due(now, self.config.batch).await?;
            let full = rows.len() >= self.config.batch;
            for row in rows {
                self.publish_row(row, now, &mut report).await?;
            }
            if !full {
                return Ok(report);
            }
        }
    }

    async fn publish_row(
        &self,
        row: OutboxItem,
        now: Timestamp,
        report: &mut RoundReport,
    ) -> Result<(), StoreError> {
        let event = match Event::from_json(&row.event_json) {
            Ok(event) => event,
            Err(error) => {
                tracing::error!(
                    event_id = %row.id,
                    error = &error as &dyn std::error::Error,
                    "outbox row is not an event; discarded"
                );
                self.outbox.mark_sent(row.id).await?;
                report.discarded += 1;
                return Ok(());
            }
        };
        if is_expired(&event, now) {
            tracing::warn!(event_id = %row.id, "outbox event expired before delivery; discarded");
            self.outbox.mark_sent(row.id).await?;
            report.discarded += 1;
            return Ok(());
        }
        let outcome = self.pool.publish(&event).await;
        if outcome.any_accepted() {
            tracing::debug!(event_id = %row.id, kind = event.kind.as_u16(), "outbox event delivered");
            self.outbox.mark_sent(row.id).await?;
            report.sent += 1;
        } else {
            let next = now + self.config.backoff(row.attempts);
            tracing::debug!(
                event_id = %row.id,
                attempts = row.attempts + 1,
                next_attempt_at = next.as_secs(),
                "outbox event not acknowledged; rescheduled"
            );
            self.outbox.mark_failed(row.id, next).await?;
            report.failed += 1;
        }
        Ok(())
    }

    /// Publishes due rows whenever woken or every `tick`, until `cancel` fires.
    /// A store failure is logged and retried on the next round.
    pub async fn run(self, cancel: CancellationToken) {
        let mut ticker = tokio::time::interval(self.config.tick);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = cancel.cancelled() => return,
                () = self.wake.notified() => {}
                _ = ticker.tick() => {}
            }
            let round = tokio::select! {
                () = cancel.cancelled() => return,
                round = self.publish_due(Timestamp::now()) => round,
            };
            match round {
                Ok(report) if report != RoundReport::default() => {
                    tracing::debug!(?report, "outbox round");
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(
                        error = &error as &dyn std::error::Error,
                        "outbox round failed"
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let config = PublisherConfig {
            retry_min: Duration::from_secs(2),
            retry_max: Duration::from_secs(60),
            ..PublisherConfig::default()
        };
        assert_eq!(config.backoff(0), Duration::from_secs(2));
        assert_eq!(config.backoff(1), Duration::from_secs(4));
        assert_eq!(config.backoff(4), Duration::from_secs(32));
        assert_eq!(config.backoff(5), Duration::from_secs(60));
        assert_eq!(config.backoff(u32::MAX), Duration::from_secs(60));
        let tiny = PublisherConfig {
            retry_min: Duration::from_millis(10),
            ..config
        };
        assert_eq!(tiny.backoff(0), Duration::from_secs(1));
    }
}
