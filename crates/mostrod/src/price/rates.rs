//! [`RateTable`]: the price of one bitcoin in each fiat currency, as one source saw it.

use std::collections::BTreeMap;

use super::error::PriceError;

/// Fiat code → price of 1 BTC in that currency.
///
/// Codes are stored upper-case. Only positive, finite prices are kept, so every value
/// read from a table can be divided by safely.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RateTable {
    rates: BTreeMap<String, f64>,
}

impl RateTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds a table from a provider's JSON object of `code -> price`, skipping
    /// entries that are not numbers; a table with no usable price is an error.
    pub(crate) fn from_json_prices(
        provider: &'static str,
        prices: &BTreeMap<String, serde_json::Value>,
    ) -> Result<Self, PriceError> {
        let table: RateTable = prices
            .iter()
            .filter_map(|(code, value)| Some((code.as_str(), value.as_f64()?)))
            .collect();
        if table.is_empty() {
            return Err(PriceError::NoRates { provider });
        }
        Ok(table)
    }

    /// Records `price` for `code`.
    ///
    /// Returns `false` (and records nothing) when the code is not 2 to 8 ASCII
    /// alphanumerics or the price is not a positive finite number.
    pub fn insert(&mut self, code: &str, price: f64) -> bool {
        let Some(code) = normalize_code(code) else {
            return false;
        };
        if !(price.is_finite() && price > 0.0) {
            return false;
        }
        self.rates.insert(code, price);
        true
    }

    /// The price of 1 BTC in `code` (case-insensitive), if known.
    pub fn get(&self, code: &str) -> Option<f64> {
        self.rates.get(&normalize_code(code)?).copied()
    }

    /// Number of currencies.
    pub fn len(&self) -> usize {
        self.rates.len()
    }

    /// True when no currency is known.
    pub fn is_empty(&self) -> bool {
        self.rates.is_empty()
    }

    /// `(code, price)` pairs in code order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> + '_ {
        self.rates
            .iter()
            .map(|(code, price)| (code.as_str(), *price))
    }
}

impl<S: AsRef<str>> FromIterator<(S, f64)> for RateTable {
    fn from_iter<I: IntoIterator<Item = (S, f64)>>(iter: I) -> Self {
        let mut table = Self::new();
        for (code, price) in iter {
            table.insert(code.as_ref(), price);
        }
        table
    }
}

/// Upper-cases a currency code, or `None` if it does not look like one.
pub(crate) fn normalize_code(code: &str) -> Option<String> {
    let valid = (2..=8).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric());
    valid.then(|| code.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_usable_prices_under_upper_case_codes() {
        let mut table = RateTable::new();
        assert!(table.insert("usd", 65_000.5));
        assert!(!table.insert("EUR", 0.0));
        assert!(!table.insert("ARS", -1.0));
        assert!(!table.insert("CUP", f64::NAN));
        assert!(!table.insert("VES", f64::INFINITY));
        assert!(!table.insert("U$D", 1.0));
        assert!(!table.insert("", 1.0));
        assert_eq!(table.len(), 1);
        assert_eq!(table.get("USD"), Some(65_000.5));
        assert_eq!(table.get("Usd"), Some(65_000.5));
        assert_eq!(table.get("EUR"), None);
    }
}
