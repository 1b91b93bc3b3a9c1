//! The knobs the trade engine reads (PROTOCOL.md §10.1), plus our per-currency fiat
//! limits extension.

use std::collections::BTreeMap;

/// The smallest and largest fiat amount accepted for one currency, in whole fiat
/// units, both inclusive (extension: advertised as `fiat_limit` tags in kind 38385).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FiatBounds {
    /// Smallest accepted amount.
    pub min: u64,
    /// Largest accepted amount.
    pub max: u64,
}

impl FiatBounds {
    /// True when `fiat_amount` lies in `[min, max]` (a negative amount never does).
    pub fn contains(&self, fiat_amount: i64) -> bool {
        u64::try_from(fiat_amount).is_ok_and(|a| a >= self.min && a <= self.max)
    }
}

/// Every setting the engine uses. `Default` gives the protocol's defaults; the config
/// module fills it from `settings.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineSettings {
    /// `mostro.fee`: total fee fraction, split evenly between maker and taker.
    pub fee: f64,
    /// `mostro.dev_fee_percentage`: share of the node fee paid to development.
    pub dev_fee_percentage: f64,
    /// `mostro.max_routing_fee`: routing fee cap fraction for payouts.
    pub max_routing_fee: f64,
    /// `mostro.max_order_amount`: upper sats limit.
    pub max_order_amount: u64,
    /// `mostro.min_payment_amount`: lower sats limit.
    pub min_payment_amount: u64,
    /// `mostro.expiration_hours`: lifetime of a pending order.
    pub expiration_hours: u64,
    /// `mostro.max_expiration_days`: cap for a client-requested `expires_at`.
    pub max_expiration_days: u64,
    /// `mostro.expiration_seconds`: time allowed for each waiting step.
    pub expiration_seconds: u64,
    /// `mostro.fiat_currencies_accepted`: accepted ISO 4217 codes (empty = all).
    pub fiat_currencies_accepted: Vec<String>,
    /// `mostro.max_orders_per_response`: most ids one `orders` request may carry.
    pub max_orders_per_response: usize,
    /// `lightning.hold_invoice_cltv_delta`: CLTV delta of the escrow HTLC, in blocks.
    pub hold_invoice_cltv_delta: u32,
    /// `lightning.payment_attempts`: payout attempts before asking for a new invoice.
    pub payment_attempts: u32,
    /// `lightning.payment_retries_interval`: seconds between payout attempts.
    pub payment_retries_interval: u32,
    /// `lightning.escrow_deadline_margin_blocks`: act this many blocks before the
    /// escrow HTLC expires.
    pub escrow_deadline_margin_blocks: u32,
    /// `price.max_price_staleness_seconds`: refuse market pricing with older quotes.
    pub max_price_staleness_seconds: u64,
    /// `mostro.fiat_limits`: fiat code → accepted fiat amounts. A currency without an
    /// entry is limited by the sats limits only.
    pub fiat_limits: BTreeMap<String, FiatBounds>,
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self {
            fee: 0.0,
            dev_fee_percentage: 0.30,
            max_routing_fee: 0.002,
            max_order_amount: 1_000_000,
            min_payment_amount: 100,
            expiration_hours: 24,
            max_expiration_days: 15,
            expiration_seconds: 900,
            fiat_currencies_accepted: ["USD", "EUR", "ARS", "CUP"]
                .into_iter()
                .map(String::from)
                .collect(),
            max_orders_per_response: 10,
            hold_invoice_cltv_delta: 144,
            payment_attempts: 3,
            payment_retries_interval: 60,
            escrow_deadline_margin_blocks: 24,
            max_price_staleness_seconds: 1800,
            fiat_limits: BTreeMap::new(),
        }
    }
}

impl EngineSettings {
    /// True when `fiat_code` is accepted (case-sensitive; an empty list accepts all).
    pub fn accepts_currency(&self, fiat_code: &str) -> bool {
        self.fiat_currencies_accepted.is_empty()
            || self.fiat_currencies_accepted.iter().any(|c| c == fiat_code)
    }

    /// True when `sats` lies in `[min_payment_amount, max_order_amount]`.
    pub fn sats_in_limits(&self, sats: u64) -> bool {
        sats >= self.min_payment_amount && sats <= self.max_order_amount
    }

    /// True when `fiat_amount` is within the limits configured for `fiat_code`
    /// (case-sensitive, like [`Self::accepts_currency`]); always true for a currency
    /// without limits.
    pub fn fiat_in_limits(&self, fiat_code: &str, fiat_amount: i64) -> bool {
        self.fiat_limits
            .get(fiat_code)
            .is_none_or(|bounds| bounds.contains(fiat_amount))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_usd(min: u64, max: u64) -> EngineSettings {
        EngineSettings {
            fiat_limits: BTreeMap::from([("USD".to_owned(), FiatBounds { min, max })]),
            ..EngineSettings::default()
        }
    }

    #[test]
    fn fiat_limits_are_inclusive_and_per_currency() {
        let s = with_usd(10, 500);
        assert!(!s.fiat_in_limits("USD", 9));
        assert!(s.fiat_in_limits("USD", 10));
        assert!(s.fiat_in_limits("USD", 500));
        assert!(!s.fiat_in_limits("USD", 501));
        assert!(!s.fiat_in_limits("USD", -10));
        // Other currencies (and other spellings) are not limited.
        assert!(s.fiat_in_limits("EUR", 1_000_000));
        assert!(s.fiat_in_limits("usd", 1));
    }

    #[test]
    fn no_limits_by_default() {
        assert!(EngineSettings::default().fiat_in_limits("USD", i64::MAX));
    }
}
