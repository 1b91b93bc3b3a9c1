//! The runtime's time source (DESIGN.md invariant 5: time is an input).
//!
//! The engine never reads the clock; the runtime reads it here and passes `now` in.
//! [`SystemClock`] is the wall clock. [`TokioClock`] follows tokio's clock from a fixed
//! start, so tests that pause and advance tokio time move the daemon's `now` with it.

use std::fmt::Debug;
use std::sync::Arc;

use ::nostr::types::Timestamp;

/// Where the runtime gets `now`.
pub trait Clock: Send + Sync + Debug {
    /// The current time, in whole seconds since the Unix epoch.
    fn now(&self) -> Timestamp;
}

/// A shared clock.
pub type DynClock = Arc<dyn Clock>;

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// Unix time that advances with tokio's clock: `start + (tokio now − tokio start)`.
/// Under `tokio::time::pause()`, `tokio::time::advance` moves it.
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    start: Timestamp,
    started: tokio::time::Instant,
}

impl TokioClock {
    /// A clock that reads `start` now.
    pub fn starting_at(start: Timestamp) -> Self {
        Self {
            start,
            started: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> Timestamp {
        let elapsed = tokio::time::Instant::now().saturating_duration_since(self.started);
        Timestamp::from_secs(self.start.as_secs().saturating_add(elapsed.as_secs()))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn tokio_clock_follows_paused_time() {
        let clock = TokioClock::starting_at(Timestamp::from_secs(1_000));
        assert_eq!(clock.now(), Timestamp::from_secs(1_000));
        tokio::time::advance(Duration::from_secs(90)).await;
        assert_eq!(clock.now(), Timestamp::from_secs(1_090));
    }

    #[test]
    fn system_clock_is_recent() {
        // 2023-11-14: any machine running this is later than that.
        assert!(SystemClock.now().as_secs() > 1_700_000_000);
    }
}
