//! Per-identity rating aggregates and their update rule (PROTOCOL.md §5.8).

/// Lowest accepted vote.
pub const MIN_RATING: u8 = 1;
/// Highest accepted vote.
pub const MAX_RATING: u8 = 5;

/// A vote outside `MIN_RATING..=MAX_RATING`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("rating {0} is outside 1..=5")]
pub struct RatingOutOfRange(pub u8);

/// Rating aggregates of one identity, as published in kind 38384.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Reputation {
    /// Number of votes received.
    pub total_reviews: u64,
    /// Running score (see [`Reputation::apply_vote`] for how it evolves).
    pub total_rating: f64,
    /// Most recent vote (0 before the first vote).
    pub last_rating: u8,
    /// Highest vote received (0 before the first vote).
    pub max_rate: u8,
    /// Lowest vote received (0 before the first vote).
    pub min_rate: u8,
}

impl Reputation {
    /// Folds one vote into the aggregates, exactly as the reference daemon does so
    /// that reputations computed by either implementation agree:
    ///
    /// * `total_reviews += 1`;
    /// * first vote: `total_rating = rating / 2`, `min_rate = max_rate = rating`;
    /// * later votes: `total_rating += (previous last_rating − total_rating) / total_reviews`
    ///   (note: the *previous* `last_rating`, not the new vote), and min/max widen;
    /// * finally `last_rating = rating`.
    ///
    /// Votes outside `1..=5` are refused and leave `self` untouched.
    pub fn apply_vote(&mut self, rating: u8) -> Result<(), RatingOutOfRange> {
        if !(MIN_RATING..=MAX_RATING).contains(&rating) {
            return Err(RatingOutOfRange(rating));
        }
        self.total_reviews = self.total_reviews.saturating_add(1);
        if self.total_reviews == 1 {
            self.total_rating = f64::from(rating) / 2.0;
            self.min_rate = rating;
            self.max_rate = rating;
        } else {
            // u64 -> f64 is exact for any realistic number of reviews (< 2^53).
            #[allow(clippy::cast_precision_loss)]
            let reviews = self.total_reviews as f64;
            self.total_rating += (f64::from(self.last_rating) - self.total_rating) / reviews;
            self.min_rate = self.min_rate.min(rating);
            self.max_rate = self.max_rate.max(rating);
        }
        self.last_rating = rating;
        Ok(())
    }
}
