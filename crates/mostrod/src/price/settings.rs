//! The `[price]` settings (PROTOCOL.md §10.1).

use std::time::Duration;

use super::aggregate::DEFAULT_MAX_DEVIATION;

/// The shortest allowed refresh interval, in seconds.
pub const MIN_UPDATE_INTERVAL_SECS: u64 = 60;

/// Default `price.update_interval_seconds`.
pub const DEFAULT_UPDATE_INTERVAL_SECS: u64 = 300;

/// Default `price.max_price_staleness_seconds`.
pub const DEFAULT_MAX_PRICE_STALENESS_SECS: u64 = 1800;

/// How often prices are refreshed, how old a usable price may be, and how far a
/// provider may stray from the others.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriceSettings {
    update_interval_secs: u64,
    max_staleness_secs: u64,
    max_deviation: f64,
}

impl PriceSettings {
    /// Settings from the configuration values; the interval is clamped to at least
    /// [`MIN_UPDATE_INTERVAL_SECS`].
    pub fn new(update_interval_seconds: u64, max_price_staleness_seconds: u64) -> Self {
        Self {
            update_interval_secs: update_interval_seconds.max(MIN_UPDATE_INTERVAL_SECS),
            max_staleness_secs: max_price_staleness_seconds,
            max_deviation: DEFAULT_MAX_DEVIATION,
        }
    }

    /// Replaces the outlier threshold (a fraction; non-finite or negative values keep
    /// the default).
    pub fn with_max_deviation(mut self, max_deviation: f64) -> Self {
        if max_deviation.is_finite() && max_deviation >= 0.0 {
            self.max_deviation = max_deviation;
        }
        self
    }

    /// Time between refreshes.
    pub fn update_interval(&self) -> Duration {
        Duration::from_secs(self.update_interval_secs)
    }

    /// Oldest usable price, in seconds.
    pub fn max_staleness_secs(&self) -> u64 {
        self.max_staleness_secs
    }

    /// Outlier threshold, as a fraction of the median.
    pub fn max_deviation(&self) -> f64 {
        self.max_deviation
    }
}

impl Default for PriceSettings {
    fn default() -> Self {
        Self::new(
            DEFAULT_UPDATE_INTERVAL_SECS,
            DEFAULT_MAX_PRICE_STALENESS_SECS,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_is_clamped_to_a_minute() {
        assert_eq!(
            PriceSettings::new(5, 1800).update_interval(),
            Duration::from_secs(60)
        );
        assert_eq!(
            PriceSettings::new(600, 1800).update_interval(),
            Duration::from_secs(600)
        );
        assert_eq!(
            PriceSettings::default().update_interval(),
            Duration::from_secs(300)
        );
        assert_eq!(PriceSettings::default().max_staleness_secs(), 1800);
    }

    #[test]
    fn bad_deviation_keeps_the_default() {
        let settings = PriceSettings::default().with_max_deviation(f64::NAN);
        assert_eq!(settings.max_deviation(), DEFAULT_MAX_DEVIATION);
        let settings = PriceSettings::default().with_max_deviation(0.05);
        assert_eq!(settings.max_deviation(), 0.05);
    }
}
