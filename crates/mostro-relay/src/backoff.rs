//! Capped exponential reconnection delay with jitter.

use std::time::Duration;

use rand::Rng;

/// Reconnection delays: `min`, then doubling up to `max`, each scaled by a
/// random factor in `[0.5, 1.0]` so many clients do not reconnect in lockstep.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    min: Duration,
    max: Duration,
    attempt: u32,
}

impl Backoff {
    pub(crate) fn new(min: Duration, max: Duration) -> Self {
        Self {
            min,
            max: max.max(min),
            attempt: 0,
        }
    }

    /// Ceiling of the next delay, before jitter.
    fn ceiling(&self) -> Duration {
        let factor = 1u32.checked_shl(self.attempt.min(31)).unwrap_or(u32::MAX);
        self.min.saturating_mul(factor).min(self.max)
    }

    /// The delay to wait before the next attempt.
    pub(crate) fn next_delay(&mut self) -> Duration {
        let ceiling = self.ceiling();
        self.attempt = self.attempt.saturating_add(1);
        ceiling.mul_f64(rand::rng().random_range(0.5..=1.0))
    }

    /// Back to the shortest delay (after a healthy connection).
    pub(crate) fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_within_jitter_and_cap() {
        let min = Duration::from_millis(100);
        let max = Duration::from_millis(1_000);
        let mut backoff = Backoff::new(min, max);
        for ceiling_ms in [100u64, 200, 400, 800, 1_000, 1_000, 1_000] {
            let delay = backoff.next_delay();
            let ceiling = Duration::from_millis(ceiling_ms);
            assert!(delay <= ceiling, "{delay:?} > {ceiling:?}");
            assert!(delay >= ceiling / 2, "{delay:?} < half of {ceiling:?}");
        }
    }

    #[test]
    fn reset_returns_to_min_and_huge_attempts_do_not_overflow() {
        let mut backoff = Backoff::new(Duration::from_millis(10), Duration::from_secs(60));
        for _ in 0..100 {
            backoff.next_delay();
        }
        assert!(backoff.next_delay() <= Duration::from_secs(60));
        backoff.reset();
        assert!(backoff.next_delay() <= Duration::from_millis(10));
    }
}
