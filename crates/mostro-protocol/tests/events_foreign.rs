//! Lenient parsing of kind-38383 events from other NIP-69 publishers, and typed
//! refusal of malformed ones.

// Test helpers outside `#[test]` functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use mostro_protocol::events::{
    DisputeEvent, EventError, FiatAmount, InfoEvent, OrderBucket, OrderEvent, OrderRating,
    RatingEvent,
};
use mostro_protocol::order::Kind;
use nostr::event::{Event, EventBuilder, FinalizeEvent, Kind as EventKind, Tag};
use nostr::key::Keys;
use nostr::types::Timestamp;

fn event(kind: u16, rows: &[&[&str]]) -> Event {
    let tags: Vec<Tag> = rows
        .iter()
        .map(|r| Tag::parse(r.iter().copied()).unwrap())
        .collect();
    EventBuilder::new(EventKind::Custom(kind), "")
        .tags(tags)
        .custom_created_at(Timestamp::from_secs(1_700_000_000))
        .finalize(&Keys::generate())
        .unwrap()
}

fn order(rows: &[&[&str]]) -> Result<OrderEvent, EventError> {
    OrderEvent::parse(&event(38383, rows))
}

#[test]
fn lnp2pbot_like_order() {
    let o = order(&[
        ["d", "6548e2ae0fc2b5a8bd6ad4bc"].as_slice(),
        &["k", "sell"],
        &["f", "ARS"],
        &["s", "pending"],
        &["amt", "0"],
        &["fa", "5000"],
        &["pm", "Mercado Pago", "Transferencia bancaria"],
        &["premium", "2"],
        &["network", "mainnet"],
        &["layer", "lightning"],
        &["name", "satoshi"],
        &["g", "u4pruydqqvj"],
        &["bond", "0"],
        &["expiration", "1700086400"],
        &["y", "lnp2pbot"],
        &["z", "order"],
    ])
    .unwrap();
    assert_eq!(o.id, "6548e2ae0fc2b5a8bd6ad4bc");
    assert_eq!(o.order_uuid(), None);
    assert_eq!(o.kind, Kind::Sell);
    assert_eq!(o.fiat_code, "ARS");
    assert_eq!(o.fiat_amount, Some(FiatAmount::Single(5000.0)));
    assert_eq!(
        o.payment_methods,
        ["Mercado Pago", "Transferencia bancaria"]
    );
    assert_eq!(o.premium, Some(2.0));
    assert_eq!(o.expiration, Some(Timestamp::from_secs(1_700_086_400)));
    let platform = o.platform.unwrap();
    assert_eq!(platform.platform, "lnp2pbot");
    assert!(!platform.is_mostro());
    assert_eq!(platform.name, None);
    assert_eq!(o.rating, None);
    assert_eq!(o.expires_at, None);
}

#[test]
fn robosats_like_order_with_range_decimal_premium_and_onchain() {
    let o = order(&[
        ["name", "RoboSats"].as_slice(),
        &["d", "91245"],
        &["k", "BUY"],
        &["f", "EUR"],
        &["s", "in-progress"],
        &["amt", "152000"],
        &["fa", "21.5", "300"],
        &["premium", "-1.25"],
        &["network", "mainnet,testnet"],
        &["layer", "onchain"],
        &["source", "http://robosats.onion/order/91245"],
        &["y", "robosats", "RoboSats Coordinator"],
        &["z", "order"],
    ])
    .unwrap();
    assert_eq!(o.kind, Kind::Buy);
    assert_eq!(o.status, OrderBucket::InProgress);
    assert_eq!(o.amount, Some(152_000));
    assert_eq!(
        o.fiat_amount,
        Some(FiatAmount::Range {
            min: 21.5,
            max: 300.0
        })
    );
    assert_eq!(o.premium, Some(-1.25));
    assert_eq!(o.networks, ["mainnet", "testnet"]);
    assert_eq!(o.layer.as_deref(), Some("onchain"));
    assert!(o.payment_methods.is_empty());
    assert_eq!(
        o.platform.unwrap().name.as_deref(),
        Some("RoboSats Coordinator")
    );
}

#[test]
fn peach_like_expired_liquid_order_with_only_required_tags_and_extras() {
    let o = order(&[
        ["d", "abc"].as_slice(),
        &["k", "buy"],
        &["f", "CHF"],
        &["s", "expired"],
        &["layer", "liquid"],
        &["unknown_tag"],
        &["y", "peach"],
    ])
    .unwrap();
    assert_eq!(o.status, OrderBucket::Expired);
    assert_eq!(o.amount, None);
    assert_eq!(o.fiat_amount, None);
    assert_eq!(o.premium, None);
    assert!(o.networks.is_empty());
    assert_eq!(o.document, None);

    let minimal = order(&[
        ["d", "x"].as_slice(),
        &["k", "sell"],
        &["f", "USD"],
        &["s", "canceled"],
    ])
    .unwrap();
    assert_eq!(minimal.status, OrderBucket::Canceled);
    assert_eq!(minimal.platform, None);
    // A foreign minimal order is not something we would publish ourselves.
    assert!(matches!(
        minimal.validate_for_publish(),
        Err(EventError::NotPublishable(_))
    ));
}

#[test]
fn rating_tag_shapes() {
    let base: [&[&str]; 4] = [
        &["d", "x"],
        &["k", "sell"],
        &["f", "USD"],
        &["s", "pending"],
    ];
    let with = |rating: &str| {
        let mut rows: Vec<&[&str]> = base.to_vec();
        let r = ["rating", rating];
        rows.push(&r);
        order(&rows).unwrap().rating
    };
    let expected = OrderRating {
        days: 3,
        total_rating: 4.0,
        total_reviews: 2,
    };
    assert_eq!(
        with(r#"["rating",{"days":3,"total_rating":4.0,"total_reviews":2}]"#),
        Some(expected)
    );
    // The object form of the NIP-69 page, with extra keys.
    assert_eq!(
        with(
            r#"{"total_reviews":2,"total_rating":4,"last_rating":5,"max_rate":5,"min_rate":3,"days":3}"#
        ),
        Some(expected)
    );
    // Unknown shapes are ignored instead of hiding the order.
    assert_eq!(with("not json"), None);
    assert_eq!(
        with(r#"["other",{"days":3,"total_rating":4.0,"total_reviews":2}]"#),
        None
    );
}

#[test]
fn missing_required_tags_are_refused() {
    let all: [(&str, &[&str]); 4] = [
        ("d", &["d", "x"]),
        ("k", &["k", "sell"]),
        ("f", &["f", "USD"]),
        ("s", &["s", "pending"]),
    ];
    for (missing, _) in all {
        let rows: Vec<&[&str]> = all
            .iter()
            .filter(|(n, _)| *n != missing)
            .map(|(_, r)| *r)
            .collect();
        match order(&rows) {
            Err(EventError::MissingTag(name)) => assert_eq!(name, missing),
            other => panic!("missing {missing}: {other:?}"),
        }
    }
    // A tag with no value counts as missing.
    assert!(matches!(
        order(&[
            ["d"].as_slice(),
            &["k", "sell"],
            &["f", "USD"],
            &["s", "pending"]
        ]),
        Err(EventError::MissingTag("d"))
    ));
}

#[test]
fn malformed_values_are_refused_with_the_tag_name() {
    let cases: [(&[&str], &str); 9] = [
        (&["k", "swap"], "k"),
        (&["s", "active"], "s"),
        (&["amt", "-5"], "amt"),
        (&["amt", "12.5"], "amt"),
        (&["fa", "ten"], "fa"),
        (&["fa", "-1"], "fa"),
        (&["premium", "NaN"], "premium"),
        (&["expires_at", "soon"], "expires_at"),
        (&["expiration", "-1"], "expiration"),
    ];
    for (bad, expected_tag) in cases {
        // The malformed tag comes first so that it wins over the valid defaults.
        let rows: Vec<&[&str]> = vec![
            bad,
            &["d", "x"],
            &["k", "sell"],
            &["f", "USD"],
            &["s", "pending"],
        ];
        match order(&rows) {
            Err(EventError::InvalidTag { tag, .. }) => assert_eq!(tag, expected_tag, "{bad:?}"),
            other => panic!("{bad:?}: {other:?}"),
        }
    }
}

#[test]
fn wrong_kind_is_refused_by_every_parser() {
    let e = event(
        1,
        &[
            &["d", "x"],
            &["k", "sell"],
            &["f", "USD"],
            &["s", "pending"],
        ],
    );
    assert!(matches!(
        OrderEvent::parse(&e),
        Err(EventError::WrongKind { .. })
    ));
    assert!(matches!(
        RatingEvent::parse(&e),
        Err(EventError::WrongKind { .. })
    ));
    assert!(matches!(
        InfoEvent::parse(&e),
        Err(EventError::WrongKind { .. })
    ));
    assert!(matches!(
        DisputeEvent::parse(&e),
        Err(EventError::WrongKind { .. })
    ));
}

#[test]
fn old_info_event_defaults() {
    let pk = Keys::generate().public_key().to_hex();
    let e = event(
        38385,
        &[
            &["d", &pk],
            &["mostro_version", "0.12.0"],
            &["max_order_amount", "1000000"],
            &["min_order_amount", "100"],
            &["fee", "0.006"],
            &["pow", "4"],
            &["hold_invoice_expiration_window", "300"],
        ],
    );
    let info = InfoEvent::parse(&e).unwrap();
    assert_eq!(info.protocol_version, 1);
    assert_eq!(info.pow_first_contact, None);
    assert_eq!(info.pow, 4);
    assert_eq!(info.fee, 0.006);
    assert!(info.fiat_currencies_accepted.is_empty());
    assert_eq!(info.expiration_hours, None);
    assert_eq!(info.hold_invoice_expiration_window, Some(300));
    assert_eq!(
        info.bond,
        mostro_protocol::events::BondAdvert::NotAdvertised
    );

    let bad = event(
        38385,
        &[
            &["d", &pk],
            &["max_order_amount", "1000000"],
            &["min_order_amount", "x"],
            &["fee", "0"],
        ],
    );
    assert!(matches!(
        InfoEvent::parse(&bad),
        Err(EventError::InvalidTag {
            tag: "min_order_amount",
            ..
        })
    ));
    let no_fee = event(
        38385,
        &[
            &["d", &pk],
            &["max_order_amount", "1"],
            &["min_order_amount", "1"],
        ],
    );
    assert!(matches!(
        InfoEvent::parse(&no_fee),
        Err(EventError::MissingTag("fee"))
    ));
    let bond_without_terms = event(
        38385,
        &[
            &["d", &pk],
            &["max_order_amount", "1"],
            &["min_order_amount", "1"],
            &["fee", "0"],
            &["bond_enabled", "true"],
        ],
    );
    assert!(matches!(
        InfoEvent::parse(&bond_without_terms),
        Err(EventError::MissingTag("bond_amount_pct"))
    ));
}

#[test]
fn book_style_dispute_without_optional_tags() {
    let e = event(
        38386,
        &[
            &["d", "efc75871-2568-40b9-a6ee-c382d4d6de01"],
            &["s", "settled"],
            &["y", "mostro"],
            &["z", "dispute"],
        ],
    );
    let d = DisputeEvent::parse(&e).unwrap();
    assert_eq!(d.initiator, None);
    assert_eq!(d.opened_at, None);
    assert_eq!(d.expiration, None);
    assert!(matches!(
        d.build(&Keys::generate(), Timestamp::from_secs(1)),
        Err(EventError::NotPublishable(_))
    ));
    let bad = event(38386, &[&["d", "not-a-uuid"], &["s", "settled"]]);
    assert!(matches!(
        DisputeEvent::parse(&bad),
        Err(EventError::InvalidTag { tag: "d", .. })
    ));
    let bad = event(
        38386,
        &[
            &["d", "efc75871-2568-40b9-a6ee-c382d4d6de01"],
            &["s", "closed"],
        ],
    );
    assert!(matches!(
        DisputeEvent::parse(&bad),
        Err(EventError::InvalidTag { tag: "s", .. })
    ));
}

#[test]
fn rating_event_refuses_bad_pubkey_and_numbers() {
    let e = event(
        38384,
        &[
            &["d", "zz"],
            &["total_reviews", "1"],
            &["total_rating", "2.5"],
            &["last_rating", "5"],
            &["max_rate", "5"],
            &["min_rate", "5"],
        ],
    );
    assert!(matches!(
        RatingEvent::parse(&e),
        Err(EventError::InvalidTag { tag: "d", .. })
    ));
    let pk = Keys::generate().public_key().to_hex();
    let e = event(
        38384,
        &[
            &["d", &pk],
            &["total_reviews", "1"],
            &["total_rating", "inf"],
            &["last_rating", "5"],
            &["max_rate", "5"],
            &["min_rate", "5"],
        ],
    );
    assert!(matches!(
        RatingEvent::parse(&e),
        Err(EventError::InvalidTag {
            tag: "total_rating",
            ..
        })
    ));
    // No `days` (older daemons): 0.
    let e = event(
        38384,
        &[
            &["d", &pk],
            &["total_reviews", "1"],
            &["total_rating", "2.5"],
            &["last_rating", "5"],
            &["max_rate", "5"],
            &["min_rate", "5"],
        ],
    );
    let r = RatingEvent::parse(&e).unwrap();
    assert_eq!(r.days, 0);
    assert_eq!(r.expiration, None);
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    fn tag_name() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("d".to_string()),
            Just("k".to_string()),
            Just("f".to_string()),
            Just("s".to_string()),
            Just("amt".to_string()),
            Just("fa".to_string()),
            Just("pm".to_string()),
            Just("premium".to_string()),
            Just("rating".to_string()),
            Just("network".to_string()),
            Just("expiration".to_string()),
            Just("expires_at".to_string()),
            Just("y".to_string()),
            "[a-z_]{1,8}",
        ]
    }

    fn tag_value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("sell".to_string()),
            Just("pending".to_string()),
            Just("expired".to_string()),
            "-?[0-9]{0,4}(\\.[0-9]{1,2})?",
            ".{0,12}",
        ]
    }

    proptest! {
        #[test]
        fn parsing_arbitrary_tags_never_panics(
            rows in proptest::collection::vec(
                (tag_name(), proptest::collection::vec(tag_value(), 0..4)),
                0..12,
            )
        ) {
            let tags: Vec<Tag> = rows
                .into_iter()
                .map(|(name, values)| Tag::custom(name, values))
                .collect();
            let keys = Keys::generate();
            for kind in [38383u16, 38384, 38385, 38386] {
                let e = EventBuilder::new(EventKind::Custom(kind), "")
                    .tags(tags.clone())
                    .finalize(&keys)
                    .unwrap();
                let _ = OrderEvent::parse(&e);
                let _ = RatingEvent::parse(&e);
                let _ = InfoEvent::parse(&e);
                let _ = DisputeEvent::parse(&e);
            }
        }

        #[test]
        fn parsed_mostro_orders_rebuild_identically(
            amount in 0u64..10_000_000,
            fa in 1i64..1_000_000,
            premium in -10i64..10,
            methods in proptest::collection::vec("[a-zA-Z ]{1,10}", 1..4),
        ) {
            let o = OrderEvent {
                id: "0a1b2c3d-0000-4000-8000-000000000000".into(),
                kind: Kind::Buy,
                fiat_code: "USD".into(),
                status: OrderBucket::InProgress,
                amount: Some(amount),
                fiat_amount: Some(FiatAmount::Single(fa as f64)),
                payment_methods: methods,
                premium: Some(premium as f64),
                rating: None,
                source: None,
                networks: vec!["regtest".into()],
                layer: Some("lightning".into()),
                expires_at: Some(Timestamp::from_secs(10)),
                expiration: Some(Timestamp::from_secs(20)),
                platform: Some(mostro_protocol::events::Platform::mostro(None)),
                document: Some("order".into()),
            };
            let keys = Keys::generate();
            let signed = o.build(&keys, Timestamp::from_secs(1)).unwrap();
            let parsed = OrderEvent::parse(&signed).unwrap();
            prop_assert_eq!(&parsed, &o);
            let rebuilt = parsed.build(&keys, Timestamp::from_secs(1)).unwrap();
            prop_assert_eq!(rebuilt.tags, signed.tags);
        }
    }
}
