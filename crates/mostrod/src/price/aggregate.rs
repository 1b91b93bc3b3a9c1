//! Combining the providers' tables into one price per currency: the median of the
//! prices that lie close enough to the median of all of them.
//!
//! Pure: no I/O, no clock.

use std::collections::BTreeMap;

use super::rates::RateTable;

/// Default outlier threshold: a price more than 10 % away from the median of all
/// prices for its currency is ignored.
pub const DEFAULT_MAX_DEVIATION: f64 = 0.10;

/// One currency's combined price and the providers that contributed to it.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregatedPrice {
    /// Price of 1 BTC.
    pub price: f64,
    /// Ids of the providers whose price was kept, sorted.
    pub sources: Vec<&'static str>,
}

/// The median of `values` (mean of the two middle values for an even count), or `None`
/// for an empty slice. Non-finite values are ignored.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => sorted.get(mid).copied(),
        _ => Some((sorted.get(mid - 1)? + sorted.get(mid)?) / 2.0),
    }
}

/// Combines one currency's `(provider, price)` samples.
///
/// Samples farther than `max_deviation` (a fraction, e.g. `0.10`) from the median of
/// all samples are dropped; the result is the median of the rest. `None` when there is
/// no usable sample, or when every sample is an outlier (two sources that disagree
/// widely: there is no telling which one is right).
pub fn aggregate_currency(
    samples: &[(&'static str, f64)],
    max_deviation: f64,
) -> Option<AggregatedPrice> {
    let usable: Vec<(&'static str, f64)> = samples
        .iter()
        .copied()
        .filter(|(_, price)| price.is_finite() && *price > 0.0)
        .collect();
    let prices: Vec<f64> = usable.iter().map(|(_, price)| *price).collect();
    let center = median(&prices)?;
    let kept: Vec<(&'static str, f64)> = usable
        .into_iter()
        .filter(|(_, price)| ((price - center) / center).abs() <= max_deviation)
        .collect();
    let kept_prices: Vec<f64> = kept.iter().map(|(_, price)| *price).collect();
    let price = median(&kept_prices)?;
    let mut sources: Vec<&'static str> = kept.into_iter().map(|(id, _)| id).collect();
    sources.sort_unstable();
    sources.dedup();
    Some(AggregatedPrice { price, sources })
}

/// Combines whole tables: for every currency any provider quoted, the
/// [`aggregate_currency`] result (currencies with no surviving sample are left out).
pub fn aggregate(
    tables: &[(&'static str, RateTable)],
    max_deviation: f64,
) -> BTreeMap<String, AggregatedPrice> {
    let mut samples: BTreeMap<&str, Vec<(&'static str, f64)>> = BTreeMap::new();
    for (provider, table) in tables {
        for (code, price) in table.iter() {
            samples.entry(code).or_default().push((*provider, price));
        }
    }
    samples
        .into_iter()
        .filter_map(|(code, samples)| {
            aggregate_currency(&samples, max_deviation).map(|agg| (code.to_owned(), agg))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rates: &[(&str, f64)]) -> RateTable {
        rates.iter().copied().collect()
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[7.0]), Some(7.0));
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[f64::NAN, 5.0]), Some(5.0));
    }

    #[test]
    fn a_single_source_is_its_own_median() {
        let agg = aggregate_currency(&[("yadio", 65_000.0)], DEFAULT_MAX_DEVIATION);
        assert_eq!(
            agg,
            Some(AggregatedPrice {
                price: 65_000.0,
                sources: vec!["yadio"]
            })
        );
    }

    #[test]
    fn agreeing_even_count_takes_the_mean_of_the_middle_pair() {
        let samples = [("yadio", 100.0), ("coingecko", 104.0)];
        let agg = aggregate_currency(&samples, DEFAULT_MAX_DEVIATION);
        assert_eq!(agg.map(|a| a.price), Some(102.0));
    }

    #[test]
    fn one_lying_provider_out_of_three_is_dropped() {
        let samples = [("kraken", 101.0), ("yadio", 100.0), ("coingecko", 1_000.0)];
        let agg = aggregate_currency(&samples, DEFAULT_MAX_DEVIATION);
        assert_eq!(
            agg,
            Some(AggregatedPrice {
                price: 100.5,
                sources: vec!["kraken", "yadio"]
            })
        );
    }

    #[test]
    fn two_sources_that_disagree_widely_give_no_price() {
        let samples = [("yadio", 100.0), ("coingecko", 150.0)];
        assert_eq!(aggregate_currency(&samples, DEFAULT_MAX_DEVIATION), None);
        // A looser threshold accepts the same pair.
        assert_eq!(
            aggregate_currency(&samples, 0.25).map(|a| a.price),
            Some(125.0)
        );
    }

    #[test]
    fn unusable_samples_are_ignored() {
        let samples = [("yadio", f64::NAN), ("coingecko", -3.0)];
        assert_eq!(aggregate_currency(&samples, DEFAULT_MAX_DEVIATION), None);
    }

    #[test]
    fn all_providers_down_gives_nothing() {
        assert!(aggregate(&[], DEFAULT_MAX_DEVIATION).is_empty());
    }

    #[test]
    fn tables_are_combined_per_currency() {
        let tables = [
            ("yadio", table(&[("USD", 100.0), ("VES", 3_600.0)])),
            ("coingecko", table(&[("USD", 102.0), ("EUR", 90.0)])),
        ];
        let combined = aggregate(&tables, DEFAULT_MAX_DEVIATION);
        let codes: Vec<&str> = combined.keys().map(String::as_str).collect();
        assert_eq!(codes, ["EUR", "USD", "VES"]);
        assert_eq!(combined.get("USD").map(|a| a.price), Some(101.0));
        assert_eq!(
            combined.get("USD").map(|a| a.sources.clone()),
            Some(vec!["coingecko", "yadio"])
        );
        assert_eq!(
            combined.get("VES").map(|a| a.sources.clone()),
            Some(vec!["yadio"])
        );
    }
}
