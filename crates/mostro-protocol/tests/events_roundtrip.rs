//! Kind 38383–38386, 10002 and 0: exact tags against PROTOCOL.md §7 examples,
//! build → parse round trips, expiration rules, status buckets and the rating formula.

// Test helpers outside `#[test]` functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use mostro_protocol::events::{
    build_relay_list, next_created_at, parse_relay_list, source_link, BondAdvert, BondApplyTo,
    BondTerms, DisputeEvent, EventError, FiatAmount, FiatLimit, InfoEvent, Initiator,
    InstanceMetadata, LndInfo, OrderBucket, OrderEvent, OrderEventBuilder, OrderRating, Platform,
    RatingEvent, RatingOutOfRange, Reputation,
};
use mostro_protocol::order::{Kind, SmallOrder};
use mostro_protocol::status::{DisputeStatus, Status};
use nostr::event::{Event, Tag};
use nostr::key::{Keys, PublicKey, SecretKey};
use nostr::types::{RelayUrl, Timestamp};
use uuid::Uuid;

const ORDER_ID: &str = "308e1272-d5f4-47e6-bd97-3504baea9c23";
const DAY: u64 = 86_400;

fn node_keys() -> Keys {
    let sk =
        SecretKey::from_hex("6b911fd37cdf5c81d4c0adb1ab7fa822ed253ab0ad9aa18d77257c88b29b718e")
            .unwrap();
    Keys::new(sk)
}

fn rows(tags: &[Tag]) -> Vec<Vec<String>> {
    tags.iter().map(|t| t.as_slice().to_vec()).collect()
}

/// Parses a JSON tag array from a spec example, substituting `<mostro pubkey hex>`.
fn spec_rows(json: &str, mostro: &PublicKey) -> Vec<Vec<String>> {
    let json = json.replace("<mostro pubkey hex>", &mostro.to_hex());
    serde_json::from_str(&json).unwrap()
}

const EXAMPLE_7_1: &str = r#"[
    ["d", "308e1272-d5f4-47e6-bd97-3504baea9c23"],
    ["k", "sell"],
    ["f", "VES"],
    ["s", "pending"],
    ["amt", "0"],
    ["fa", "100"],
    ["pm", "face to face", "bank transfer"],
    ["premium", "1"],
    ["rating", "[\"rating\",{\"days\":10,\"total_rating\":4.5,\"total_reviews\":7}]"],
    ["source", "mostro:308e1272-d5f4-47e6-bd97-3504baea9c23?relays=wss://relay.mostro.network,wss://nos.lol&mostro=<mostro pubkey hex>"],
    ["network", "mainnet"],
    ["layer", "lightning"],
    ["expires_at", "1702635101"],
    ["expiration", "1702635101"],
    ["y", "mostro", "Mostro Example"],
    ["z", "order"]
]"#;

fn builder(keys: &Keys) -> OrderEventBuilder {
    OrderEventBuilder {
        networks: vec!["mainnet".into()],
        relays: vec!["wss://relay.mostro.network".into(), "wss://nos.lol".into()],
        mostro_pubkey: keys.public_key(),
        instance_name: Some("  Mostro Example ".into()),
        order_days: 30,
    }
}

fn example_order() -> SmallOrder {
    let mut o = SmallOrder::new(0, "VES", 100, "face to face,bank transfer", 1);
    o.id = Some(Uuid::parse_str(ORDER_ID).unwrap());
    o.kind = Some(Kind::Sell);
    o.status = Some(Status::Pending);
    o.created_at = Some(1_702_548_701);
    o.expires_at = Some(1_702_635_101);
    o
}

fn example_rating() -> OrderRating {
    OrderRating {
        days: 10,
        total_rating: 4.5,
        total_reviews: 7,
    }
}

fn sign_and_reparse(event: &OrderEvent, keys: &Keys, at: u64) -> (Event, OrderEvent) {
    let signed = event.build(keys, Timestamp::from_secs(at)).unwrap();
    signed.verify().unwrap();
    let parsed = OrderEvent::parse(&signed).unwrap();
    (signed, parsed)
}

#[test]
fn order_example_7_1_tags_from_daemon_order() {
    let keys = node_keys();
    let now = Timestamp::from_secs(1_702_548_701);
    let event = builder(&keys)
        .event_for(&example_order(), example_rating(), now)
        .unwrap()
        .unwrap();
    assert_eq!(
        rows(&event.to_tags().unwrap()),
        spec_rows(EXAMPLE_7_1, &keys.public_key())
    );

    let (signed, parsed) = sign_and_reparse(&event, &keys, now.as_secs());
    assert_eq!(parsed, event);
    assert_eq!(signed.content, "");
    assert_eq!(signed.kind.as_u16(), 38383);
    assert_eq!(signed.created_at, now);
    assert_eq!(
        rows(&signed.tags),
        spec_rows(EXAMPLE_7_1, &keys.public_key())
    );
}

#[test]
fn order_example_7_1_parses_to_its_values() {
    let keys = node_keys();
    let tags: Vec<Tag> = spec_rows(EXAMPLE_7_1, &keys.public_key())
        .into_iter()
        .map(|r| Tag::parse(r).unwrap())
        .collect();
    let signed = nostr::event::EventBuilder::new(nostr::event::Kind::Custom(38383), "")
        .tags(tags)
        .custom_created_at(Timestamp::from_secs(1_702_548_701));
    let signed = nostr::event::FinalizeEvent::finalize(signed, &keys).unwrap();
    let parsed = OrderEvent::parse(&signed).unwrap();
    assert_eq!(
        parsed.order_uuid(),
        Some(Uuid::parse_str(ORDER_ID).unwrap())
    );
    assert_eq!(parsed.kind, Kind::Sell);
    assert_eq!(parsed.status, OrderBucket::Pending);
    assert_eq!(parsed.amount, Some(0));
    assert_eq!(parsed.fiat_amount, Some(FiatAmount::Single(100.0)));
    assert_eq!(parsed.payment_methods, ["face to face", "bank transfer"]);
    assert_eq!(parsed.premium, Some(1.0));
    assert_eq!(parsed.rating, Some(example_rating()));
    assert_eq!(parsed.networks, ["mainnet"]);
    assert_eq!(parsed.expiration, Some(Timestamp::from_secs(1_702_635_101)));
    assert_eq!(
        parsed.platform,
        Some(Platform {
            platform: "mostro".into(),
            name: Some("Mostro Example".into())
        })
    );
}

#[test]
fn pending_range_order_has_two_fiat_values_then_one_after_take() {
    let keys = node_keys();
    let now = Timestamp::from_secs(1_700_000_000);
    let mut order = example_order();
    order.kind = Some(Kind::Buy);
    order.fiat_amount = 0;
    order.min_amount = Some(10);
    order.max_amount = Some(20);
    order.payment_method = ",,SEPA,,Revolut ,".into();
    let b = builder(&keys);
    let pending = b
        .event_for(&order, OrderRating::default(), now)
        .unwrap()
        .unwrap();
    let tags = rows(&pending.to_tags().unwrap());
    assert!(tags.contains(&vec!["fa".into(), "10".into(), "20".into()]));
    assert!(tags.contains(&vec!["pm".into(), "SEPA".into(), "Revolut ".into()]));
    // Full-privacy makers get zeros, total_rating rendered as a float.
    assert!(tags.contains(&vec![
        "rating".into(),
        r#"["rating",{"days":0,"total_rating":0.0,"total_reviews":0}]"#.into()
    ]));
    let (_, parsed) = sign_and_reparse(&pending, &keys, now.as_secs());
    assert_eq!(parsed, pending);

    // Taken: computed sats, the chosen fiat amount, no rating/source, 30 d expiration.
    order.status = Some(Status::WaitingPayment);
    order.amount = 41_000;
    order.fiat_amount = 15;
    let taken = b.event_for(&order, example_rating(), now).unwrap().unwrap();
    assert_eq!(taken.status, OrderBucket::InProgress);
    assert_eq!(taken.fiat_amount, Some(FiatAmount::Single(15.0)));
    assert_eq!(taken.amount, Some(41_000));
    assert_eq!(taken.rating, None);
    assert_eq!(taken.source, None);
    assert_eq!(
        taken.expiration,
        Some(Timestamp::from_secs(now.as_secs() + 30 * DAY))
    );
    let names: Vec<String> = rows(&taken.to_tags().unwrap())
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(
        names,
        [
            "d",
            "k",
            "f",
            "s",
            "amt",
            "fa",
            "pm",
            "premium",
            "network",
            "layer",
            "expires_at",
            "expiration",
            "y",
            "z"
        ]
    );
    let (_, parsed) = sign_and_reparse(&taken, &keys, now.as_secs() + 1);
    assert_eq!(parsed, taken);
}

#[test]
fn nip40_expiration_rule_for_orders() {
    let keys = node_keys();
    let now = Timestamp::from_secs(1_000_000);
    let b = builder(&keys);
    let mut order = example_order();
    order.expires_at = Some(1_050_000);
    let e = b
        .event_for(&order, OrderRating::default(), now)
        .unwrap()
        .unwrap();
    assert_eq!(e.expiration, Some(Timestamp::from_secs(1_050_000)));

    order.expires_at = Some(0);
    let e = b
        .event_for(&order, OrderRating::default(), now)
        .unwrap()
        .unwrap();
    assert_eq!(
        e.expiration,
        Some(Timestamp::from_secs(1_000_000 + 30 * DAY))
    );

    order.expires_at = Some(1_050_000);
    for status in [
        Status::Success,
        Status::Canceled,
        Status::Expired,
        Status::CanceledByAdmin,
    ] {
        order.status = Some(status);
        let e = b
            .event_for(&order, OrderRating::default(), now)
            .unwrap()
            .unwrap();
        assert_eq!(
            e.expiration,
            Some(Timestamp::from_secs(1_000_000 + 30 * DAY)),
            "{status}"
        );
        assert_eq!(e.expires_at, Some(Timestamp::from_secs(1_050_000)));
    }
}

#[test]
fn unpublished_statuses_give_no_event() {
    let keys = node_keys();
    let b = builder(&keys);
    let mut order = example_order();
    for status in [
        Status::Active,
        Status::FiatSent,
        Status::Dispute,
        Status::WaitingMakerBond,
    ] {
        order.status = Some(status);
        let e = b
            .event_for(&order, OrderRating::default(), Timestamp::from_secs(1))
            .unwrap();
        assert!(e.is_none(), "{status}");
    }
}

#[test]
fn strict_build_refuses_unpublishable_values() {
    let keys = node_keys();
    let now = Timestamp::from_secs(1_702_548_701);
    let good = builder(&keys)
        .event_for(&example_order(), example_rating(), now)
        .unwrap()
        .unwrap();

    let mut e = good.clone();
    e.fiat_code = " ".into();
    assert!(matches!(
        e.build(&keys, now),
        Err(EventError::NotPublishable(_))
    ));

    let mut e = good.clone();
    e.status = OrderBucket::Success;
    assert!(
        matches!(e.build(&keys, now), Err(EventError::NotPublishable(_))),
        "rating on success"
    );

    let mut e = good.clone();
    e.fiat_amount = Some(FiatAmount::Range {
        min: 20.0,
        max: 10.0,
    });
    assert!(matches!(
        e.build(&keys, now),
        Err(EventError::NotPublishable(_))
    ));

    let mut e = good.clone();
    e.premium = Some(1.5);
    assert!(matches!(
        e.build(&keys, now),
        Err(EventError::NotPublishable(_))
    ));

    let mut e = good.clone();
    e.payment_methods.clear();
    assert!(matches!(
        e.build(&keys, now),
        Err(EventError::NotPublishable(_))
    ));

    let mut order = example_order();
    order.amount = -1;
    assert!(builder(&keys)
        .event_for(&order, example_rating(), now)
        .is_err());
    order.amount = 0;
    order.fiat_code = String::new();
    assert!(builder(&keys)
        .event_for(&order, example_rating(), now)
        .is_err());
    order.fiat_code = "VES".into();
    order.id = None;
    assert!(builder(&keys)
        .event_for(&order, example_rating(), now)
        .is_err());

    assert!(good.build(&keys, now).is_ok());
}

#[test]
fn bucket_mapping_table() {
    use OrderBucket::*;
    // (status, bucket for a sell order, bucket for a buy order)
    let table = [
        (Status::Pending, Some(Pending), Some(Pending)),
        (Status::WaitingMakerBond, None, None),
        (Status::WaitingTakerBond, Some(Pending), Some(Pending)),
        (Status::WaitingBuyerInvoice, Some(InProgress), None),
        (Status::WaitingPayment, Some(InProgress), Some(InProgress)),
        (Status::Active, None, None),
        (Status::FiatSent, None, None),
        (Status::Dispute, None, None),
        (Status::SettledHoldInvoice, None, None),
        (Status::Success, Some(Success), Some(Success)),
        (Status::Canceled, Some(Canceled), Some(Canceled)),
        (
            Status::CooperativelyCanceled,
            Some(Canceled),
            Some(Canceled),
        ),
        (Status::CanceledByAdmin, Some(Canceled), Some(Canceled)),
        (Status::Expired, Some(Canceled), Some(Canceled)),
        (Status::InProgress, Some(InProgress), Some(InProgress)),
        (Status::SettledByAdmin, None, None),
        (
            Status::CompletedByAdmin,
            Some(CompletedByAdmin),
            Some(CompletedByAdmin),
        ),
    ];
    assert_eq!(table.len(), Status::ALL.len());
    for (status, sell, buy) in table {
        assert_eq!(
            OrderBucket::for_status(status, Kind::Sell),
            sell,
            "sell {status}"
        );
        assert_eq!(
            OrderBucket::for_status(status, Kind::Buy),
            buy,
            "buy {status}"
        );
    }
    for b in [
        Pending,
        InProgress,
        Success,
        Canceled,
        CompletedByAdmin,
        Expired,
    ] {
        assert_eq!(OrderBucket::from_wire(b.as_str()), Some(b));
    }
}

#[test]
fn bucket_on_transition() {
    use OrderBucket::*;
    let t = OrderBucket::on_transition;
    // §11.13 fix: a sell order taken with an invoice goes straight to waiting-payment.
    assert_eq!(
        t(Status::Pending, Status::WaitingPayment, Kind::Sell),
        Some(InProgress)
    );
    assert_eq!(
        t(Status::Pending, Status::WaitingBuyerInvoice, Kind::Sell),
        Some(InProgress)
    );
    assert_eq!(
        t(
            Status::WaitingBuyerInvoice,
            Status::WaitingPayment,
            Kind::Sell
        ),
        None
    );
    assert_eq!(
        t(Status::Pending, Status::WaitingPayment, Kind::Buy),
        Some(InProgress)
    );
    assert_eq!(
        t(
            Status::WaitingPayment,
            Status::WaitingBuyerInvoice,
            Kind::Buy
        ),
        None
    );
    assert_eq!(
        t(Status::WaitingTakerBond, Status::WaitingPayment, Kind::Buy),
        Some(InProgress)
    );
    assert_eq!(
        t(Status::Pending, Status::WaitingTakerBond, Kind::Sell),
        None
    );
    assert_eq!(
        t(Status::WaitingTakerBond, Status::Pending, Kind::Sell),
        Some(Pending)
    );
    assert_eq!(
        t(Status::WaitingPayment, Status::Pending, Kind::Buy),
        Some(Pending)
    );
    assert_eq!(
        t(Status::WaitingMakerBond, Status::Expired, Kind::Sell),
        None
    );
    assert_eq!(
        t(Status::WaitingMakerBond, Status::Pending, Kind::Sell),
        Some(Pending)
    );
    assert_eq!(
        t(Status::Pending, Status::Expired, Kind::Sell),
        Some(Canceled)
    );
    assert_eq!(t(Status::Active, Status::FiatSent, Kind::Sell), None);
    assert_eq!(
        t(Status::SettledHoldInvoice, Status::Success, Kind::Buy),
        Some(Success)
    );
}

#[test]
fn source_link_format() {
    let keys = node_keys();
    let link = source_link(
        "abc",
        &["wss://a".into(), "wss://b".into()],
        &keys.public_key(),
    );
    assert_eq!(
        link,
        format!(
            "mostro:abc?relays=wss://a,wss://b&mostro={}",
            keys.public_key().to_hex()
        )
    );
}

// ---- 38384 -----------------------------------------------------------------

#[test]
fn rating_example_7_2() {
    let keys = node_keys();
    let trade = Keys::generate().public_key();
    let mut rep = Reputation::default();
    rep.apply_vote(5).unwrap();
    let now = Timestamp::from_secs(1_710_000_000 - 90 * DAY);
    let ev = RatingEvent::new(trade, rep, 21, now, 90);
    let expected: Vec<Vec<String>> = serde_json::from_str(&format!(
        r#"[["d","{}"],["expiration","1710000000"],["total_reviews","1"],["total_rating","2.5"],["last_rating","5"],["max_rate","5"],["min_rate","5"],["z","rating"],["days","21"]]"#,
        trade.to_hex()
    ))
    .unwrap();
    assert_eq!(rows(&ev.to_tags()), expected);
    let signed = ev.build(&keys, now).unwrap();
    assert_eq!(signed.kind.as_u16(), 38384);
    assert_eq!(RatingEvent::parse(&signed).unwrap(), ev);
}

#[test]
fn rating_total_uses_rust_display() {
    let trade = Keys::generate().public_key();
    let rep = Reputation {
        total_reviews: 4,
        total_rating: 4.25,
        last_rating: 4,
        max_rate: 5,
        min_rate: 3,
    };
    let tags = rows(&RatingEvent::new(trade, rep, 0, Timestamp::from_secs(0), 90).to_tags());
    assert_eq!(tags[3], ["total_rating", "4.25"]);
    let rep = Reputation {
        total_rating: 5.0,
        ..rep
    };
    let tags = rows(&RatingEvent::new(trade, rep, 0, Timestamp::from_secs(0), 90).to_tags());
    assert_eq!(tags[3], ["total_rating", "5"]);
}

#[test]
fn reputation_formula_uses_previous_last_rating() {
    let mut r = Reputation::default();
    r.apply_vote(4).unwrap();
    assert_eq!(
        r,
        Reputation {
            total_reviews: 1,
            total_rating: 2.0,
            last_rating: 4,
            max_rate: 4,
            min_rate: 4
        }
    );
    // 2.0 + (4 − 2.0) / 2 = 3.0 — uses the previous last_rating (4), not the vote (2).
    r.apply_vote(2).unwrap();
    assert_eq!(
        r,
        Reputation {
            total_reviews: 2,
            total_rating: 3.0,
            last_rating: 2,
            max_rate: 4,
            min_rate: 2
        }
    );
    // 3.0 + (2 − 3.0) / 3 = 2.666…
    r.apply_vote(5).unwrap();
    assert_eq!(r.total_reviews, 3);
    assert!((r.total_rating - 8.0 / 3.0).abs() < 1e-12);
    assert_eq!((r.last_rating, r.min_rate, r.max_rate), (5, 2, 5));
    // 8/3 + (5 − 8/3) / 4 = 3.25
    r.apply_vote(1).unwrap();
    assert!((r.total_rating - 3.25).abs() < 1e-12);
    assert_eq!(
        (r.total_reviews, r.last_rating, r.min_rate, r.max_rate),
        (4, 1, 1, 5)
    );

    let before = r;
    assert_eq!(r.apply_vote(0), Err(RatingOutOfRange(0)));
    assert_eq!(r.apply_vote(6), Err(RatingOutOfRange(6)));
    assert_eq!(r, before);
}

// ---- 38385 -----------------------------------------------------------------

fn info(keys: &Keys) -> InfoEvent {
    InfoEvent {
        mostro_pubkey: keys.public_key(),
        mostro_version: "0.1.0".into(),
        mostro_commit_hash: "abc123".into(),
        max_order_amount: 1_000_000,
        min_order_amount: 100,
        expiration_hours: Some(24),
        expiration_seconds: Some(900),
        fiat_currencies_accepted: vec!["USD".into(), "EUR".into(), "ARS".into(), "CUP".into()],
        max_orders_per_response: Some(10),
        fee: 0.0,
        pow: 0,
        pow_first_contact: Some(8),
        protocol_version: 2,
        hold_invoice_expiration_window: Some(300),
        hold_invoice_cltv_delta: Some(144),
        invoice_expiration_window: Some(3600),
        lnd: LndInfo {
            version: "0.18.0-beta".into(),
            node_pubkey: "02aa".into(),
            commit_hash: "deadbeef".into(),
            node_alias: "alice".into(),
            chains: vec!["bitcoin".into()],
            networks: vec!["regtest".into()],
            uris: vec!["02aa@127.0.0.1:9735".into(), "02aa@10.0.0.1:9735".into()],
        },
        platform: Some(Platform::mostro(Some("Mostro Example"))),
        bond: BondAdvert::Disabled,
        fiat_limits: Vec::new(),
        extra: Vec::new(),
    }
}

#[test]
fn info_tags_in_spec_order() {
    let keys = node_keys();
    let ev = info(&keys);
    let tags = rows(&ev.to_tags());
    let names: Vec<&str> = tags.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        names,
        [
            "d",
            "mostro_version",
            "mostro_commit_hash",
            "max_order_amount",
            "min_order_amount",
            "expiration_hours",
            "expiration_seconds",
            "fiat_currencies_accepted",
            "max_orders_per_response",
            "fee",
            "pow",
            "pow_first_contact",
            "protocol_version",
            "hold_invoice_expiration_window",
            "hold_invoice_cltv_delta",
            "invoice_expiration_window",
            "lnd_version",
            "lnd_node_pubkey",
            "lnd_commit_hash",
            "lnd_node_alias",
            "lnd_chains",
            "lnd_networks",
            "lnd_uris",
            "y",
            "z",
            "bond_enabled"
        ]
    );
    let value = |name: &str| tags.iter().find(|r| r[0] == name).unwrap()[1..].to_vec();
    assert_eq!(value("d"), [keys.public_key().to_hex()]);
    assert_eq!(value("fee"), ["0"]);
    assert_eq!(value("fiat_currencies_accepted"), ["USD,EUR,ARS,CUP"]);
    assert_eq!(value("invoice_expiration_window"), ["3600"]);
    assert_eq!(
        value("lnd_uris"),
        ["02aa@127.0.0.1:9735,02aa@10.0.0.1:9735"]
    );
    assert_eq!(value("y"), ["mostro", "Mostro Example"]);
    assert_eq!(value("z"), ["info"]);
    assert_eq!(value("bond_enabled"), ["false"]);

    let signed = ev.build(&keys, Timestamp::from_secs(5)).unwrap();
    assert_eq!(signed.kind.as_u16(), 38385);
    assert!(signed.tags.iter().all(|t| t.kind() != "expiration"));
    assert_eq!(InfoEvent::parse(&signed).unwrap(), ev);
}

#[test]
fn info_with_bonds_fee_and_extensions_round_trips() {
    let keys = node_keys();
    let mut ev = info(&keys);
    ev.fee = 0.006;
    ev.bond = BondAdvert::Enabled(BondTerms {
        amount_pct: 0.01,
        base_amount_sats: 1000,
        apply_to: BondApplyTo::Take,
        slash_on_waiting_timeout: false,
        slash_node_share_pct: 0.5,
        payout_claim_window_days: 15,
    });
    ev.fiat_limits = vec![
        FiatLimit {
            code: "USD".into(),
            min: 10,
            max: 500,
        },
        FiatLimit {
            code: "VES".into(),
            min: 100,
            max: 90_000,
        },
    ];
    ev.extra = vec![Tag::custom("x_feature", ["on"])];
    let tags = rows(&ev.to_tags());
    let tail: Vec<Vec<String>> = tags[tags.len() - 10..].to_vec();
    let expected: Vec<Vec<String>> = serde_json::from_str(
        r#"[["bond_enabled","true"],["bond_amount_pct","0.01"],["bond_base_amount_sats","1000"],["bond_apply_to","take"],["bond_slash_on_waiting_timeout","false"],["bond_slash_node_share_pct","0.5"],["bond_payout_claim_window_days","15"],["fiat_limit","USD","10","500"],["fiat_limit","VES","100","90000"],["x_feature","on"]]"#,
    )
    .unwrap();
    assert_eq!(tail, expected);
    assert!(tags.contains(&vec!["fee".to_string(), "0.006".to_string()]));
    let signed = ev.build(&keys, Timestamp::from_secs(5)).unwrap();
    assert_eq!(InfoEvent::parse(&signed).unwrap(), ev);

    ev.extra = vec![Tag::custom("fee", ["1"])];
    assert!(matches!(
        ev.build(&keys, Timestamp::from_secs(5)),
        Err(EventError::NotPublishable(_))
    ));
    ev.extra.clear();
    ev.pow_first_contact = None;
    assert!(matches!(
        ev.build(&keys, Timestamp::from_secs(5)),
        Err(EventError::NotPublishable(_))
    ));
}

// ---- 38386 -----------------------------------------------------------------

#[test]
fn dispute_example_7_4() {
    let keys = node_keys();
    let id = Uuid::parse_str("efc75871-2568-40b9-a6ee-c382d4d6de01").unwrap();
    let now = Timestamp::from_secs(1_710_792_565 - 90 * DAY);
    let ev = DisputeEvent::new(
        id,
        DisputeStatus::Initiated,
        Initiator::Seller,
        Timestamp::from_secs(1_703_016_565),
        Some("Mostro Example"),
        now,
        90,
    );
    let expected: Vec<Vec<String>> = serde_json::from_str(
        r#"[["d","efc75871-2568-40b9-a6ee-c382d4d6de01"],["expiration","1710792565"],["s","initiated"],["initiator","seller"],["created_at","1703016565"],["y","mostro","Mostro Example"],["z","dispute"]]"#,
    )
    .unwrap();
    assert_eq!(rows(&ev.to_tags()), expected);
    let signed = ev.build(&keys, now).unwrap();
    assert_eq!(signed.kind.as_u16(), 38386);
    assert_eq!(DisputeEvent::parse(&signed).unwrap(), ev);

    for status in [
        DisputeStatus::InProgress,
        DisputeStatus::Settled,
        DisputeStatus::SellerRefunded,
    ] {
        let ev = DisputeEvent {
            status,
            initiator: Some(Initiator::Unknown),
            ..ev.clone()
        };
        let signed = ev.build(&keys, now + 1).unwrap();
        assert_eq!(DisputeEvent::parse(&signed).unwrap(), ev);
    }
}

// ---- 10002, 0, NIP-40, created_at -------------------------------------------

#[test]
fn relay_list_round_trip() {
    let keys = node_keys();
    let relays = vec![
        RelayUrl::parse("wss://relay.mostro.network").unwrap(),
        RelayUrl::parse("ws://127.0.0.1:7000").unwrap(),
    ];
    let signed = build_relay_list(&relays, &keys, Timestamp::from_secs(9)).unwrap();
    assert_eq!(signed.kind.as_u16(), 10002);
    assert_eq!(
        rows(&signed.tags),
        [
            vec!["r".to_string(), relays[0].as_str().to_string()],
            vec!["r".to_string(), relays[1].as_str().to_string()]
        ]
    );
    assert_eq!(parse_relay_list(&signed).unwrap(), relays);
    assert!(build_relay_list(&[], &keys, Timestamp::from_secs(9)).is_err());
}

#[test]
fn metadata_content_and_round_trip() {
    let keys = node_keys();
    let meta = InstanceMetadata {
        name: Some("Mostro Example".into()),
        about: None,
        picture: Some("   ".into()),
        website: Some("https://example.org".into()),
    };
    assert_eq!(
        meta.to_content().unwrap(),
        r#"{"name":"Mostro Example","website":"https://example.org"}"#
    );
    let signed = meta.build(&keys, Timestamp::from_secs(3)).unwrap();
    assert_eq!(signed.kind.as_u16(), 0);
    assert!(signed.tags.is_empty());
    assert_eq!(InstanceMetadata::parse(&signed).unwrap(), meta.normalized());
    let blank = InstanceMetadata {
        name: Some(" ".into()),
        ..InstanceMetadata::default()
    };
    assert!(blank.is_empty());
    assert!(matches!(
        blank.build(&keys, Timestamp::from_secs(3)),
        Err(EventError::NotPublishable(_))
    ));
}

#[test]
fn nip40_helpers() {
    use mostro_protocol::events::{expiration_of, is_expired, is_expired_at};
    let at = Timestamp::from_secs(100);
    assert!(!is_expired_at(Some(at), Timestamp::from_secs(99)));
    assert!(is_expired_at(Some(at), Timestamp::from_secs(100)));
    assert!(!is_expired_at(None, Timestamp::from_secs(u64::MAX)));

    let keys = node_keys();
    let ev = DisputeEvent::new(
        Uuid::new_v4(),
        DisputeStatus::Initiated,
        Initiator::Buyer,
        at,
        None,
        at,
        90,
    );
    let signed = ev.build(&keys, at).unwrap();
    assert_eq!(expiration_of(&signed.tags).unwrap(), Some(at + 90 * DAY));
    assert!(!is_expired(&signed, at + (90 * DAY - 1)));
    assert!(is_expired(&signed, at + 90 * DAY));
}

#[test]
fn created_at_strictly_increases_per_d_tag() {
    let now = Timestamp::from_secs(1_000);
    assert_eq!(next_created_at(None, now), now);
    assert_eq!(next_created_at(Some(Timestamp::from_secs(999)), now), now);
    assert_eq!(next_created_at(Some(now), now), Timestamp::from_secs(1_001));
    assert_eq!(
        next_created_at(Some(Timestamp::from_secs(1_005)), now),
        Timestamp::from_secs(1_006)
    );
    let mut last = None;
    for _ in 0..5 {
        let next = next_created_at(last, now);
        assert!(last.is_none_or(|l| next > l));
        last = Some(next);
    }
}
