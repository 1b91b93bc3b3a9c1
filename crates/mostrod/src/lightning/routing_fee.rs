//! The routing-fee cap for buyer payouts (PROTOCOL.md §5.7, §10.2).

/// Amounts up to this many sats use the small-payment rule.
pub const SMALL_PAYMENT_LIMIT_SAT: u64 = 1000;

/// Floor of the cap for small payments, in sats.
pub const SMALL_PAYMENT_MIN_FEE_SAT: u64 = 10;

/// Most the node may spend on routing fees when paying `amount_sat`.
///
/// For `amount_sat ≤ 1000` the cap is `max(1 % of amount, 10)` sats; above, it
/// is `amount_sat × max_routing_fee`, truncated to whole sats. A negative or
/// non-finite `max_routing_fee` counts as zero.
pub fn max_routing_fee_sat(amount_sat: u64, max_routing_fee: f64) -> u64 {
    if amount_sat <= SMALL_PAYMENT_LIMIT_SAT {
        return (amount_sat / 100).max(SMALL_PAYMENT_MIN_FEE_SAT);
    }
    if !max_routing_fee.is_finite() || max_routing_fee <= 0.0 {
        return 0;
    }
    // Sats amounts are far below 2^53, so the product is exact enough; the
    // cast saturates rather than wrapping.
    (amount_sat as f64 * max_routing_fee) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_amounts_get_ten_sats() {
        assert_eq!(max_routing_fee_sat(1, 0.002), 10);
        assert_eq!(max_routing_fee_sat(500, 0.002), 10);
        assert_eq!(max_routing_fee_sat(1000, 0.002), 10);
        assert_eq!(max_routing_fee_sat(0, 0.002), 10);
    }

    #[test]
    fn larger_amounts_use_the_fraction() {
        assert_eq!(max_routing_fee_sat(1001, 0.002), 2);
        assert_eq!(max_routing_fee_sat(99_700, 0.002), 199);
        assert_eq!(max_routing_fee_sat(1_000_000, 0.002), 2000);
        assert_eq!(max_routing_fee_sat(10_000, 0.01), 100);
    }

    #[test]
    fn bad_fractions_give_zero() {
        assert_eq!(max_routing_fee_sat(50_000, -0.5), 0);
        assert_eq!(max_routing_fee_sat(50_000, f64::NAN), 0);
        assert_eq!(max_routing_fee_sat(50_000, f64::INFINITY), 0);
    }
}
