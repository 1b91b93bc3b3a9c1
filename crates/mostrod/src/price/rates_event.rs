//! From a refresh's [`RatesSnapshot`] to the kind 30078 exchange-rates publication
//! (PROTOCOL.md §7.6), published after each refresh when `[price] publish_to_nostr`
//! is on. The event itself (tags, content, parsing) is
//! [`mostro_protocol::events::RatesEvent`]; signing is done by the node's
//! public-event builder.

use mostro_protocol::events::RatesEvent;
use nostr::types::Timestamp;

use super::service::RatesSnapshot;
use super::settings::PriceSettings;

/// Why a snapshot is not published.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatesNotPublished {
    /// None of the accepted currencies got a price in this refresh.
    #[error("no rate for any accepted currency")]
    Empty,
    /// The refresh is older than `max_price_staleness_seconds`.
    #[error("rates are {age_secs} s old (limit {max_age_secs} s)")]
    Stale {
        /// Age of the snapshot, in seconds.
        age_secs: u64,
        /// The configured limit, in seconds.
        max_age_secs: u64,
    },
}

/// The rates event for `snapshot` published at `now`: the prices of the `accepted`
/// currencies (all when empty), `source` = the providers that contributed to them,
/// and an expiration of twice the refresh interval (at most an hour).
///
/// Refused when the snapshot is older than the staleness limit of `settings` or has
/// no price for an accepted currency, so stale or empty rates are never published.
pub fn rates_event(
    snapshot: &RatesSnapshot,
    accepted: &[String],
    settings: &PriceSettings,
    now: Timestamp,
) -> Result<RatesEvent, RatesNotPublished> {
    let age_secs = now.as_secs().saturating_sub(snapshot.fetched_at.as_secs());
    let max_age_secs = settings.max_staleness_secs();
    if age_secs > max_age_secs {
        return Err(RatesNotPublished::Stale {
            age_secs,
            max_age_secs,
        });
    }
    let kept = snapshot.restricted_to(accepted);
    if kept.prices.is_empty() || kept.sources.is_empty() {
        return Err(RatesNotPublished::Empty);
    }
    Ok(RatesEvent::new(
        kept.prices,
        kept.sources,
        now,
        settings.update_interval().as_secs(),
    ))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn snapshot(fetched_at: u64) -> RatesSnapshot {
        RatesSnapshot {
            fetched_at: Timestamp::from_secs(fetched_at),
            prices: BTreeMap::from([
                ("EUR".to_owned(), 45_000.0),
                ("USD".to_owned(), 50_000.5),
                ("VES".to_owned(), 2_000_000.0),
            ]),
            sources: vec!["coingecko", "yadio"],
            currency_sources: BTreeMap::from([
                ("EUR".to_owned(), vec!["coingecko", "yadio"]),
                ("USD".to_owned(), vec!["yadio"]),
                ("VES".to_owned(), vec!["yadio"]),
            ]),
        }
    }

    fn codes(list: &[&str]) -> Vec<String> {
        list.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn publishes_the_accepted_currencies_and_their_providers() {
        let now = Timestamp::from_secs(1_000_100);
        let settings = PriceSettings::new(300, 1800);
        let event = rates_event(
            &snapshot(1_000_000),
            &codes(&["usd", "ARS"]),
            &settings,
            now,
        )
        .unwrap();
        assert_eq!(event.rates, BTreeMap::from([("USD".to_owned(), 50_000.5)]));
        assert_eq!(event.sources, ["yadio"]);
        assert_eq!(event.published_at, now);
        assert_eq!(event.expiration, Some(now + 600));

        let all = rates_event(&snapshot(1_000_000), &[], &settings, now).unwrap();
        assert_eq!(all.rates.len(), 3);
        assert_eq!(all.sources, ["coingecko", "yadio"]);
    }

    #[test]
    fn stale_or_empty_rates_are_not_published() {
        let settings = PriceSettings::new(300, 1800);
        let fresh_limit = Timestamp::from_secs(1_001_800);
        assert!(rates_event(&snapshot(1_000_000), &[], &settings, fresh_limit).is_ok());
        assert_eq!(
            rates_event(
                &snapshot(1_000_000),
                &[],
                &settings,
                Timestamp::from_secs(1_001_801)
            ),
            Err(RatesNotPublished::Stale {
                age_secs: 1801,
                max_age_secs: 1800
            })
        );
        assert_eq!(
            rates_event(
                &snapshot(1_000_000),
                &codes(&["CUP"]),
                &settings,
                fresh_limit
            ),
            Err(RatesNotPublished::Empty)
        );
        assert_eq!(
            rates_event(
                &RatesSnapshot::default(),
                &[],
                &settings,
                Timestamp::from_secs(0)
            ),
            Err(RatesNotPublished::Empty)
        );
    }
}
