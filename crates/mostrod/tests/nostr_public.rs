//! Public events built from records: order revisions, info, relay list, metadata.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod nostr_support;

use mostro_protocol::events::{InfoEvent, InstanceMetadata, LndInfo, OrderBucket, OrderEvent};
use mostro_protocol::{Kind as OrderKind, Message, MessageKind, Status};
use mostrod::engine::{Bucket, EngineSettings, Outgoing, Transition};
use mostrod::model::{Order, Party, Payout, Pricing, Transport, User};
use mostrod::nostr::{InfoSettings, PublicEvents, PublicSettings, Renderer, ReplyWrapper};
use nostr::filter::Filter;
use nostr::key::Keys;
use nostr::types::{RelayUrl, Timestamp};
use nostr_support::relay_and_pool;
use uuid::Uuid;

const NOW: u64 = 1_700_000_000;

fn settings() -> PublicSettings {
    PublicSettings {
        relays: vec!["wss://relay.one".to_owned(), "wss://relay.two".to_owned()],
        instance_name: Some("Test Node".to_owned()),
        networks: vec!["regtest".to_owned()],
        order_days: 30,
        rating_days: 90,
        dispute_days: 90,
    }
}

fn party(trade: &Keys, identity: &Keys) -> Party {
    Party {
        trade_pubkey: trade.public_key(),
        identity_pubkey: identity.public_key(),
        trade_index: 1,
        transport: Transport::Nip44,
    }
}

fn order(maker: Party) -> Order {
    Order {
        id: Uuid::new_v4(),
        kind: OrderKind::Sell,
        status: Status::Pending,
        pricing: Pricing::Market,
        amount: 0,
        fee: 0,
        dev_fee: 0,
        premium: 1,
        fiat_code: "VES".to_owned(),
        fiat_amount: 100,
        min_amount: None,
        max_amount: None,
        payment_method: "face to face,bank transfer".to_owned(),
        maker,
        taker: None,
        buyer_invoice: None,
        buyer_invoice_from_maker: false,
        hold_invoice: None,
        payout: Payout::NotStarted,
        hold_request_id: None,
        cancel_initiator: None,
        buyer_rated: false,
        seller_rated: false,
        next_trade: None,
        range_parent_id: None,
        created_at: Timestamp::from_secs(NOW),
        expires_at: Timestamp::from_secs(NOW + 86_400),
        taken_at: None,
        last_event_at: None,
    }
}

fn user(identity: &Keys) -> User {
    User {
        identity_pubkey: identity.public_key(),
        last_trade_index: 1,
        total_reviews: 7,
        total_rating: 4.5,
        last_rating: 5,
        max_rating: 5,
        min_rating: 3,
        solver: None,
        created_at: Timestamp::from_secs(NOW - 10 * 86_400),
    }
}

fn tag<'a>(event: &'a nostr::event::Event, name: &str) -> Option<Vec<&'a str>> {
    event
        .tags
        .iter()
        .find(|t| t.kind() == name)
        .map(|t| t.as_slice().iter().skip(1).map(String::as_str).collect())
}

#[tokio::test]
async fn order_revisions_get_strictly_increasing_created_at_and_the_relay_keeps_the_last() {
    let (_relay, pool) = relay_and_pool().await;
    let node = Keys::generate();
    let identity = Keys::generate();
    let trade = Keys::generate();
    let renderer = Renderer::new(
        ReplyWrapper::new(node.clone(), 30),
        PublicEvents::new(node.clone(), settings()),
    );
    let maker_row = user(&identity);
    let now = Timestamp::now();

    let mut transition = Transition {
        previous_status: None,
        order: order(party(&trade, &identity)),
        outbox: vec![],
        effects: vec![],
        user_updates: vec![],
        new_orders: vec![],
        dispute_resolution: None,
    };
    // Real time: the relay refuses a pending revision whose NIP-40 expiration passed.
    transition.order.created_at = now;
    transition.order.expires_at = now + 86_400;
    let id = transition.order.id;
    let mut created = Vec::new();
    for (status, bucket) in [
        (Status::Pending, Bucket::Pending),
        (Status::WaitingBuyerInvoice, Bucket::InProgress),
        (Status::Success, Bucket::Success),
    ] {
        transition.order.status = status;
        transition.outbox = vec![Outgoing::OrderEvent {
            order_id: id,
            bucket,
        }];
        // Every revision rendered at the same wall-clock second.
        let rendered = renderer
            .render_transition(&mut transition, std::slice::from_ref(&maker_row), now)
            .unwrap();
        assert_eq!(rendered.len(), 1);
        let event = &rendered[0].event;
        assert_eq!(rendered[0].order_id, Some(id));
        assert_eq!(transition.order.last_event_at, Some(event.created_at));
        created.push(event.created_at);
        assert!(pool.publish(event).await.any_accepted());
        let parsed = OrderEvent::parse(event).unwrap();
        assert_eq!(
            parsed.status,
            match bucket {
                Bucket::Pending => OrderBucket::Pending,
                Bucket::InProgress => OrderBucket::InProgress,
                Bucket::Success => OrderBucket::Success,
                Bucket::Canceled => OrderBucket::Canceled,
            }
        );
        if bucket == Bucket::Pending {
            assert_eq!(
                tag(event, "source").unwrap(),
                vec![format!(
                    "mostro:{id}?relays=wss://relay.one,wss://relay.two&mostro={}",
                    node.public_key().to_hex()
                )
                .as_str()]
            );
            let rating = parsed.rating.unwrap();
            assert_eq!(rating.total_reviews, 7);
            assert_eq!(parsed.expiration, Some(now + 86_400));
            assert_eq!(
                tag(event, "pm").unwrap(),
                vec!["face to face", "bank transfer"]
            );
        } else {
            assert!(tag(event, "source").is_none());
        }
        assert_eq!(tag(event, "network").unwrap(), vec!["regtest"]);
        assert_eq!(tag(event, "y").unwrap(), vec!["mostro", "Test Node"]);
    }
    assert!(
        created[0] < created[1] && created[1] < created[2],
        "{created:?}"
    );

    let book = pool
        .fetch(
            vec![Filter::new()
                .author(node.public_key())
                .kind(nostr::event::Kind::Custom(38383))],
            std::time::Duration::from_secs(3),
        )
        .await
        .unwrap();
    assert_eq!(book.len(), 1);
    assert_eq!(tag(&book[0], "s").unwrap(), vec!["success"]);
}

#[test]
fn maker_rating_is_zero_in_full_privacy_and_real_in_reputation_mode() {
    let node = Keys::generate();
    let trade = Keys::generate();
    let public = PublicEvents::new(node, settings());
    let private = order(party(&trade, &trade));
    let row = user(&trade);
    let event = public
        .order_event(
            &private,
            Bucket::Pending,
            Some(&row),
            Timestamp::from_secs(NOW),
        )
        .unwrap();
    let rating = OrderEvent::parse(&event).unwrap().rating.unwrap();
    assert_eq!((rating.days, rating.total_reviews), (0, 0));
    assert_eq!(rating.total_rating, 0.0);

    // The same row for a reputation-mode maker is published.
    let identity = Keys::generate();
    let public_maker = order(party(&trade, &identity));
    let row = user(&identity);
    let event = public
        .order_event(
            &public_maker,
            Bucket::Pending,
            Some(&row),
            Timestamp::from_secs(NOW),
        )
        .unwrap();
    let rating = OrderEvent::parse(&event).unwrap().rating.unwrap();
    assert_eq!((rating.days, rating.total_reviews), (10, 7));
    assert_eq!(rating.total_rating, 4.5);
}

#[test]
fn info_event_advertises_enforced_settings() {
    let node = Keys::generate();
    let public = PublicEvents::new(node.clone(), settings());
    let engine = EngineSettings {
        fee: 0.006,
        ..EngineSettings::default()
    };
    let info = InfoSettings {
        mostro_version: "0.1.0".to_owned(),
        mostro_commit_hash: "abc".to_owned(),
        engine: engine.clone(),
        pow: 3,
        pow_first_contact: 1,
        preferred_transport: Transport::Nip44,
        hold_invoice_expiration_window: 300,
        invoice_expiration_window: 3_600,
    };
    let lnd = LndInfo {
        version: "0.18".to_owned(),
        networks: vec!["regtest".to_owned()],
        ..LndInfo::default()
    };
    let event = public
        .info_event(&info, &lnd, Timestamp::from_secs(NOW))
        .unwrap();
    let parsed = InfoEvent::parse(&event).unwrap();
    assert_eq!(parsed.mostro_pubkey, node.public_key());
    assert_eq!(parsed.protocol_version, 2);
    assert_eq!(parsed.pow, 3);
    assert_eq!(
        parsed.pow_first_contact,
        Some(3),
        "enforced max(pow, first contact)"
    );
    assert_eq!(parsed.invoice_expiration_window, Some(3_600));
    assert_eq!(parsed.hold_invoice_expiration_window, Some(300));
    assert_eq!(parsed.max_order_amount, engine.max_order_amount);
    assert_eq!(parsed.min_order_amount, engine.min_payment_amount);
    assert_eq!(parsed.expiration_seconds, Some(engine.expiration_seconds));
    assert_eq!(
        parsed.fiat_currencies_accepted,
        engine.fiat_currencies_accepted
    );
    assert_eq!(tag(&event, "fee").unwrap(), vec!["0.006"]);
    assert_eq!(tag(&event, "lnd_networks").unwrap(), vec!["regtest"]);
    assert!(tag(&event, "expiration").is_none());

    let v1 = InfoSettings {
        preferred_transport: Transport::GiftWrap,
        ..info
    };
    let event = public
        .info_event(&v1, &lnd, Timestamp::from_secs(NOW))
        .unwrap();
    assert_eq!(InfoEvent::parse(&event).unwrap().protocol_version, 1);
}

#[test]
fn relay_list_and_metadata() {
    let node = Keys::generate();
    let public = PublicEvents::new(node, settings());
    let relays = vec![RelayUrl::parse("ws://127.0.0.1:7777").unwrap()];
    let list = public
        .relay_list(&relays, Timestamp::from_secs(NOW))
        .unwrap();
    assert_eq!(list.kind.as_u16(), 10002);
    assert_eq!(tag(&list, "r").unwrap(), vec!["ws://127.0.0.1:7777"]);

    let none = public
        .metadata(&InstanceMetadata::default(), Timestamp::from_secs(NOW))
        .unwrap();
    assert!(none.is_none());
    let meta = InstanceMetadata {
        name: Some("Test Node".to_owned()),
        ..InstanceMetadata::default()
    };
    let event = public
        .metadata(&meta, Timestamp::from_secs(NOW))
        .unwrap()
        .unwrap();
    assert_eq!(event.kind.as_u16(), 0);
    assert_eq!(event.content, "{\"name\":\"Test Node\"}");
}

#[test]
fn direct_outgoing_renders_in_its_transport() {
    let node = Keys::generate();
    let client = Keys::generate();
    let renderer = Renderer::new(
        ReplyWrapper::new(node.clone(), 30),
        PublicEvents::new(node, settings()),
    );
    let id = Uuid::new_v4();
    let outgoing = Outgoing::Direct {
        to: client.public_key(),
        transport: Transport::GiftWrap,
        message: Message::new_order(
            MessageKind::new(mostro_protocol::Action::Canceled).with_id(id),
        ),
    };
    let rendered = renderer
        .render(&outgoing, &mut [], &[], Timestamp::from_secs(NOW))
        .unwrap();
    assert_eq!(rendered.order_id, Some(id));
    assert_eq!(rendered.event.kind.as_u16(), 1059);
    let unknown = Outgoing::OrderEvent {
        order_id: id,
        bucket: Bucket::Canceled,
    };
    assert!(renderer
        .render(&unknown, &mut [], &[], Timestamp::from_secs(NOW))
        .is_err());
}
