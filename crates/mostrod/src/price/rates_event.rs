//! The kind 30078 exchange-rates event (PROTOCOL.md §7.6), published after each
//! refresh when `[price] publish_to_nostr` is on.

use std::collections::BTreeMap;
use std::time::Duration;

use nostr::event::{EventBuilder, Kind, Tag};
use nostr::types::Timestamp;

use super::service::RatesSnapshot;

/// Kind of the rates event (NIP-78 application data).
pub const RATES_KIND: u16 = 30078;

/// Its `d` tag.
pub const RATES_IDENTIFIER: &str = "mostro-rates";

/// Longest lifetime of a rates event, in seconds.
const MAX_LIFETIME_SECS: u64 = 3600;

/// The unsigned rates event for `snapshot`, created at `now`:
/// tags `d`, `published_at`, `source` (contributing provider ids, sorted,
/// comma-joined) and `expiration` (`now + min(2 × update_interval, 3600 s)`); content
/// `{"BTC":{"USD":50000.0,…}}`.
pub fn rates_event(
    snapshot: &RatesSnapshot,
    update_interval: Duration,
    now: Timestamp,
) -> Result<EventBuilder, serde_json::Error> {
    let content = serde_json::to_string(&BTreeMap::from([("BTC", &snapshot.prices)]))?;
    let mut sources = snapshot.sources.clone();
    sources.sort_unstable();
    sources.dedup();
    let lifetime = update_interval
        .as_secs()
        .saturating_mul(2)
        .min(MAX_LIFETIME_SECS);
    let expiration = Timestamp::from_secs(now.as_secs().saturating_add(lifetime));
    let tags = [
        Tag::custom("d", [RATES_IDENTIFIER]),
        Tag::custom("published_at", [now.as_secs().to_string()]),
        Tag::custom("source", [sources.join(",")]),
        Tag::custom("expiration", [expiration.as_secs().to_string()]),
    ];
    Ok(EventBuilder::new(Kind::from(RATES_KIND), content)
        .tags(tags)
        .custom_created_at(now))
}

#[cfg(test)]
mod tests {
    use nostr::event::FinalizeEvent;
    use nostr::key::Keys;

    use super::*;

    #[test]
    fn rates_event_has_the_documented_shape() {
        let snapshot = RatesSnapshot {
            fetched_at: Timestamp::from_secs(1_700_000_000),
            prices: BTreeMap::from([("EUR".to_owned(), 45_000.0), ("USD".to_owned(), 50_000.5)]),
            sources: vec!["yadio", "coingecko"],
        };
        let now = Timestamp::from_secs(1_700_000_100);
        let event = rates_event(&snapshot, Duration::from_secs(300), now)
            .unwrap()
            .finalize(&Keys::generate())
            .unwrap();
        assert_eq!(event.kind, Kind::from(30078));
        assert_eq!(event.created_at, now);
        assert_eq!(event.content, r#"{"BTC":{"EUR":45000.0,"USD":50000.5}}"#);
        let tags: Vec<Vec<String>> = event.tags.iter().map(|t| t.as_slice().to_vec()).collect();
        assert_eq!(
            tags,
            [
                vec!["d", "mostro-rates"],
                vec!["published_at", "1700000100"],
                vec!["source", "coingecko,yadio"],
                vec!["expiration", "1700000700"],
            ]
        );
    }

    #[test]
    fn expiration_is_capped_at_an_hour() {
        let snapshot = RatesSnapshot::default();
        let now = Timestamp::from_secs(1_000);
        let event = rates_event(&snapshot, Duration::from_secs(7200), now)
            .unwrap()
            .finalize(&Keys::generate())
            .unwrap();
        let expiration = event
            .tags
            .iter()
            .find(|t| t.kind() == "expiration")
            .and_then(|t| t.content().map(str::to_owned));
        assert_eq!(expiration.as_deref(), Some("4600"));
    }
}
