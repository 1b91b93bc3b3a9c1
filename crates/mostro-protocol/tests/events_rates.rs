//! Kind 30078 exchange rates (PROTOCOL.md §7.6): exact shape, build → parse round
//! trip, the expiration rule and what is refused on either side.

// Test helpers outside `#[test]` functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use mostro_protocol::events::{
    rates_lifetime_secs, EventError, RatesEvent, MAX_RATES_LIFETIME_SECS, RATES_IDENTIFIER,
    RATES_KIND,
};
use nostr::event::{Event, EventBuilder, FinalizeEvent, Kind, Tag};
use nostr::key::Keys;
use nostr::types::Timestamp;

const NOW: u64 = 1_700_000_000;

fn rows(tags: &[Tag]) -> Vec<Vec<String>> {
    tags.iter().map(|t| t.as_slice().to_vec()).collect()
}

fn rates(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
    pairs.iter().map(|(c, p)| ((*c).to_owned(), *p)).collect()
}

fn example() -> RatesEvent {
    RatesEvent::new(
        rates(&[("USD", 50_000.0), ("EUR", 45_000.0), ("ARS", 60_123_456.5)]),
        ["yadio", "coingecko", "yadio"],
        Timestamp::from_secs(NOW),
        300,
    )
}

/// A kind 30078 event with arbitrary tags and content, signed by a fresh key.
fn raw_event(tags: &[&[&str]], content: &str) -> Event {
    let tags = tags
        .iter()
        .map(|t| Tag::parse(t.iter().copied()).unwrap())
        .collect::<Vec<_>>();
    EventBuilder::new(Kind::Custom(30078), content)
        .tags(tags)
        .finalize(&Keys::generate())
        .unwrap()
}

#[test]
fn rates_event_has_the_documented_shape() {
    let keys = Keys::generate();
    let created_at = Timestamp::from_secs(NOW + 1);
    let event = example().build(&keys, created_at).unwrap();
    assert_eq!(event.kind.as_u16(), 30078);
    assert_eq!(event.pubkey, keys.public_key());
    assert_eq!(event.created_at, created_at);
    event.verify().unwrap();
    assert_eq!(
        rows(&event.tags),
        [
            vec!["d", "mostro-rates"],
            vec!["published_at", "1700000000"],
            vec!["source", "coingecko,yadio"],
            vec!["expiration", "1700000600"],
        ]
    );
    // Whole prices keep a fractional part, codes are in order.
    assert_eq!(
        event.content,
        r#"{"BTC":{"ARS":60123456.5,"EUR":45000.0,"USD":50000.0}}"#
    );
}

#[test]
fn build_then_parse_round_trips() {
    let original = example();
    let event = original
        .build(&Keys::generate(), Timestamp::from_secs(NOW))
        .unwrap();
    let parsed = RatesEvent::parse(&event).unwrap();
    assert_eq!(parsed, original);
    assert_eq!(parsed.sources, ["coingecko", "yadio"]);
    assert_eq!(parsed.price("EUR"), Some(45_000.0));
    assert_eq!(parsed.price("VES"), None);
}

#[test]
fn lifetime_is_twice_the_interval_capped_at_an_hour() {
    assert_eq!(rates_lifetime_secs(60), 120);
    assert_eq!(rates_lifetime_secs(300), 600);
    assert_eq!(rates_lifetime_secs(1800), 3600);
    assert_eq!(rates_lifetime_secs(7200), MAX_RATES_LIFETIME_SECS);
    assert_eq!(rates_lifetime_secs(u64::MAX), MAX_RATES_LIFETIME_SECS);
    let event = RatesEvent::new(
        rates(&[("USD", 1.0)]),
        ["yadio"],
        Timestamp::from_secs(1_000),
        7200,
    );
    assert_eq!(event.expiration, Some(Timestamp::from_secs(4_600)));
}

#[test]
fn nothing_unusable_is_published() {
    let keys = Keys::generate();
    let now = Timestamp::from_secs(NOW);
    let cases = [
        RatesEvent::new(BTreeMap::new(), ["yadio"], now, 300),
        RatesEvent::new(rates(&[("USD", 0.0)]), ["yadio"], now, 300),
        RatesEvent::new(rates(&[("USD", -5.0)]), ["yadio"], now, 300),
        RatesEvent::new(rates(&[("USD", f64::NAN)]), ["yadio"], now, 300),
        RatesEvent::new(rates(&[("USD", f64::INFINITY)]), ["yadio"], now, 300),
        RatesEvent::new(rates(&[("", 1.0)]), ["yadio"], now, 300),
        RatesEvent::new(rates(&[("USD", 1.0)]), Vec::<String>::new(), now, 300),
        RatesEvent::new(rates(&[("USD", 1.0)]), ["a,b"], now, 300),
        RatesEvent::new(rates(&[("USD", 1.0)]), [""], now, 300),
    ];
    for case in cases {
        let error = case.build(&keys, now).unwrap_err();
        assert!(
            matches!(error, EventError::NotPublishable(_)),
            "{case:?}: {error:?}"
        );
    }
}

#[test]
fn parse_reads_integers_and_ignores_other_keys_and_empty_sources() {
    let event = raw_event(
        &[
            &["d", RATES_IDENTIFIER],
            &["published_at", "1700000000"],
            &["source", "yadio,,coingecko"],
        ],
        r#"{"BTC":{"USD":67480,"EUR":62190.12},"note":"x"}"#,
    );
    let parsed = RatesEvent::parse(&event).unwrap();
    assert_eq!(
        parsed.rates,
        rates(&[("USD", 67_480.0), ("EUR", 62_190.12)])
    );
    assert_eq!(parsed.sources, ["yadio", "coingecko"]);
    assert_eq!(parsed.published_at, Timestamp::from_secs(NOW));
    assert_eq!(parsed.expiration, None);
}

#[test]
fn parse_refuses_other_data_and_bad_values() {
    let good_tags: &[&[&str]] = &[
        &["d", "mostro-rates"],
        &["published_at", "1700000000"],
        &["source", "yadio"],
    ];
    let good_content = r#"{"BTC":{"USD":1.5}}"#;
    assert!(RatesEvent::parse(&raw_event(good_tags, good_content)).is_ok());

    let other_app = raw_event(
        &[&["d", "some-app"], &["published_at", "1"], &["source", "x"]],
        good_content,
    );
    assert!(matches!(
        RatesEvent::parse(&other_app),
        Err(EventError::InvalidTag { tag: "d", .. })
    ));
    let no_source = raw_event(
        &[&["d", "mostro-rates"], &["published_at", "1"]],
        good_content,
    );
    assert!(matches!(
        RatesEvent::parse(&no_source),
        Err(EventError::MissingTag("source"))
    ));
    let bad_time = raw_event(
        &[
            &["d", "mostro-rates"],
            &["published_at", "soon"],
            &["source", "x"],
        ],
        good_content,
    );
    assert!(matches!(
        RatesEvent::parse(&bad_time),
        Err(EventError::InvalidTag {
            tag: "published_at",
            ..
        })
    ));
    for content in [
        "",
        "[]",
        r#"{"USD":1.0}"#,
        r#"{"BTC":{"USD":"1.0"}}"#,
        r#"{"BTC":{"USD":0}}"#,
        r#"{"BTC":{"USD":-3.5}}"#,
    ] {
        let event = raw_event(good_tags, content);
        assert!(
            matches!(
                RatesEvent::parse(&event),
                Err(EventError::InvalidContent(_))
            ),
            "{content}"
        );
    }
    let wrong_kind = EventBuilder::new(Kind::Custom(38385), good_content)
        .finalize(&Keys::generate())
        .unwrap();
    assert!(matches!(
        RatesEvent::parse(&wrong_kind),
        Err(EventError::WrongKind { .. })
    ));
    assert_eq!(RATES_KIND, Kind::ApplicationSpecificData);
}
