//! Amount and fee formulas (PROTOCOL.md §10.2).
//!
//! Every function here is total: a bad setting (negative, NaN) or an absurd input gives
//! `0` or `None`, never a panic or a wrapped integer.

/// Per-party node fee: `round(fee_fraction × amount / 2)`.
pub fn node_fee(fee_fraction: f64, amount_sats: u64) -> u64 {
    to_sats((fee_fraction * amount_sats as f64 / 2.0).round())
}

/// The development share of the node's revenue: `round(2 × fee × dev_fee_percentage)`.
pub fn dev_fee(fee_sats: u64, dev_fee_percentage: f64) -> u64 {
    to_sats((2.0 * fee_sats as f64 * dev_fee_percentage).round())
}

/// Sats for `fiat_amount` at `price` (fiat units per BTC) with `premium` percent, in
/// `f64` with a single truncation at the end:
/// `s = fiat / price × 1e8; s = s − premium/100 × s; trunc(s)`.
///
/// `None` when the price is not a positive finite number or the result is negative.
pub fn market_sats(fiat_amount: i64, price: f64, premium: i64) -> Option<u64> {
    if !price.is_finite() || price <= 0.0 || fiat_amount < 0 {
        return None;
    }
    let mut s = fiat_amount as f64 / price * 1e8;
    if premium != 0 {
        s -= premium as f64 / 100.0 * s;
    }
    if !s.is_finite() || s < 0.0 {
        return None;
    }
    Some(s.trunc() as u64)
}

/// The quote used by the creation limit check: `trunc(fiat / price × 1e8)`, no premium.
pub fn quote_without_premium(fiat_amount: i64, price: f64) -> Option<u64> {
    market_sats(fiat_amount, price, 0)
}

fn to_sats(value: f64) -> u64 {
    if value.is_finite() && value > 0.0 {
        // Saturating float-to-int conversion.
        value as u64
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_of_the_spec() {
        let fee = node_fee(0.006, 100_000);
        assert_eq!(fee, 300);
        assert_eq!(dev_fee(fee, 0.30), 180);
    }

    #[test]
    fn fee_rounds_half_away_from_zero() {
        // 0.006 * 1250 / 2 = 3.75 -> 4; 0.006 * 500 / 2 = 1.5 -> 2
        assert_eq!(node_fee(0.006, 1250), 4);
        assert_eq!(node_fee(0.006, 500), 2);
        assert_eq!(node_fee(0.0, 100_000), 0);
    }

    #[test]
    fn bad_settings_give_zero() {
        assert_eq!(node_fee(f64::NAN, 100_000), 0);
        assert_eq!(node_fee(-0.5, 100_000), 0);
        assert_eq!(dev_fee(300, f64::INFINITY), 0);
    }

    #[test]
    fn market_quote_truncates_once() {
        // 100 / 50_000 * 1e8 = 200_000; premium 1 % -> 198_000
        assert_eq!(market_sats(100, 50_000.0, 1), Some(198_000));
        assert_eq!(market_sats(100, 50_000.0, -1), Some(202_000));
        // 1 / 3 * 1e8 = 33_333_333.33 -> 33_333_333
        assert_eq!(market_sats(1, 3.0, 0), Some(33_333_333));
        assert_eq!(quote_without_premium(100, 50_000.0), Some(200_000));
    }

    #[test]
    fn market_quote_refuses_bad_prices() {
        assert_eq!(market_sats(100, 0.0, 0), None);
        assert_eq!(market_sats(100, -1.0, 0), None);
        assert_eq!(market_sats(100, f64::NAN, 0), None);
        assert_eq!(market_sats(-5, 1.0, 0), None);
        assert_eq!(market_sats(100, 50_000.0, 250), None);
    }
}
