//! Order book fetches and peer/dispute chat over a real relay on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use devrelay::DevRelay;
use mostro_client::{BookFilter, LocalOrder, MostroClient, PeerChatDisclosure, Privacy};
use mostro_protocol::chat::{chat_filter, derive_chat_keys};
use mostro_protocol::events::{FiatAmount, OrderBucket, OrderEvent, Platform};
use mostro_protocol::Kind as OrderKind;
use mostro_relay::RelayPool;
use nostr::nips::nip44;
use nostr::prelude::*;
use uuid::Uuid;

const REPLY: Duration = Duration::from_secs(5);

fn order_event(kind: OrderKind, fiat: &str, status: OrderBucket, pms: &[&str]) -> OrderEvent {
    let later = Timestamp::now() + 3600;
    OrderEvent {
        id: Uuid::new_v4().to_string(),
        kind,
        fiat_code: fiat.into(),
        status,
        amount: Some(0),
        fiat_amount: Some(FiatAmount::Single(100.0)),
        payment_methods: pms.iter().map(|p| p.to_string()).collect(),
        premium: Some(1.0),
        rating: None,
        source: None,
        networks: vec!["regtest".into()],
        layer: Some("lightning".into()),
        expires_at: Some(later),
        expiration: Some(later),
        platform: Some(Platform::mostro(None)),
        document: Some("order".into()),
    }
}

#[tokio::test]
async fn order_book_is_filtered_by_kind_currency_status_and_method() {
    let relay = DevRelay::start_local().await.unwrap();
    let mostro = Keys::generate();
    let stranger = Keys::generate();
    let pool = RelayPool::new([relay.url()], common::pool_options()).unwrap();
    let now = Timestamp::now();
    let orders = [
        order_event(
            OrderKind::Sell,
            "USD",
            OrderBucket::Pending,
            &["bank transfer", "cash"],
        ),
        order_event(OrderKind::Buy, "USD", OrderBucket::Pending, &["Zelle"]),
        order_event(OrderKind::Sell, "EUR", OrderBucket::Pending, &["SEPA"]),
        order_event(OrderKind::Sell, "USD", OrderBucket::Success, &["cash"]),
    ];
    for order in &orders {
        assert!(pool
            .publish(&order.build(&mostro, now).unwrap())
            .await
            .any_accepted());
    }
    // Same shape from another key: not this daemon's book.
    let fake = order_event(OrderKind::Sell, "USD", OrderBucket::Pending, &["cash"]);
    assert!(pool
        .publish(&fake.build(&stranger, now).unwrap())
        .await
        .any_accepted());

    let dir = tempfile::tempdir().unwrap();
    let client = common::client(
        dir.path(),
        &relay,
        mostro.public_key(),
        Privacy::Reputation,
        REPLY,
    );
    let ids = |v: Vec<OrderEvent>| {
        let mut ids: Vec<String> = v.into_iter().map(|o| o.id).collect();
        ids.sort();
        ids
    };
    let sorted = |idx: &[usize]| {
        let mut ids: Vec<String> = idx.iter().map(|i| orders[*i].id.clone()).collect();
        ids.sort();
        ids
    };
    let all = client.order_book(&BookFilter::default()).await.unwrap();
    assert_eq!(ids(all), sorted(&[0, 1, 2, 3]));
    let pending_usd_sells = BookFilter {
        kind: Some(OrderKind::Sell),
        currency: Some("USD".into()),
        ..BookFilter::pending()
    };
    assert_eq!(
        ids(client.order_book(&pending_usd_sells).await.unwrap()),
        sorted(&[0])
    );
    let by_method = BookFilter {
        payment_method: Some("CASH".into()),
        ..BookFilter::default()
    };
    assert_eq!(
        ids(client.order_book(&by_method).await.unwrap()),
        sorted(&[0, 3])
    );
    let success = BookFilter {
        status: Some(OrderBucket::Success),
        ..BookFilter::default()
    };
    assert_eq!(
        ids(client.order_book(&success).await.unwrap()),
        sorted(&[3])
    );
}

/// Two clients whose local orders point at each other's trade key 1.
async fn two_parties(
    relay: &DevRelay,
    dirs: &[tempfile::TempDir; 3],
) -> (MostroClient, MostroClient, Uuid) {
    let daemon = Keys::generate().public_key();
    let a = common::client(dirs[0].path(), relay, daemon, Privacy::Reputation, REPLY);
    let b = common::client(dirs[1].path(), relay, daemon, Privacy::Reputation, REPLY);
    let id = Uuid::new_v4();
    let mut mine = LocalOrder::new(id, 1, OrderKind::Sell, true, 0);
    mine.peer_pubkey = Some(b.trade_keys(1).unwrap().public_key());
    a.store().save_order(&mine).unwrap();
    let mut theirs = LocalOrder::new(id, 1, OrderKind::Sell, false, 0);
    theirs.peer_pubkey = Some(a.trade_keys(1).unwrap().public_key());
    b.store().save_order(&theirs).unwrap();
    (a, b, id)
}

/// A chat envelope around an already signed inner event (what a replayer does).
fn rewrap(conv: &mostro_protocol::chat::ChatKeys, inner: &Event, at: Timestamp) -> Event {
    let c = conv.conv();
    let content = nip44::encrypt(
        c.secret_key(),
        &c.public_key(),
        inner.as_json(),
        nip44::Version::V2,
    )
    .unwrap();
    EventBuilder::new(Kind::Custom(14), content)
        .tag(Tag::public_key(c.public_key()))
        .custom_created_at(at)
        .finalize(conv.sign())
        .unwrap()
}

#[tokio::test]
async fn peer_chat_replay_and_solver_disclosure() {
    let relay = DevRelay::start_local().await.unwrap();
    let dirs = [
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    ];
    let (a, b, id) = two_parties(&relay, &dirs).await;
    let a_trade = a.trade_keys(1).unwrap();
    let b_trade = b.trade_keys(1).unwrap();

    a.send_chat(id, "hello from the seller").await.unwrap();
    b.send_chat(id, "hi, paying now").await.unwrap();
    let history = b.read_chat(id).await.unwrap();
    let texts: Vec<&str> = history.iter().map(|m| m.content.as_str()).collect();
    assert!(texts.contains(&"hello from the seller") && texts.contains(&"hi, paying now"));
    assert_eq!(history.len(), 2);
    let from_a = history
        .iter()
        .find(|m| m.content == "hello from the seller")
        .unwrap();
    assert_eq!(from_a.sender, a_trade.public_key().to_hex());

    // An old inner message re-wrapped in fresh outer events is shown once.
    let conv = derive_chat_keys(a_trade.secret_key(), &b_trade.public_key()).unwrap();
    let now = Timestamp::now();
    let inner = EventBuilder::new(Kind::TextNote, "only once")
        .custom_created_at(now)
        .finalize(&a_trade)
        .unwrap();
    let pool = RelayPool::new([relay.url()], common::pool_options()).unwrap();
    for outer in [rewrap(&conv, &inner, now), rewrap(&conv, &inner, now + 1)] {
        assert!(pool.publish(&outer).await.any_accepted());
    }
    let history = b.read_chat(id).await.unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(
        history.iter().filter(|m| m.content == "only once").count(),
        1
    );
    assert_eq!(b.read_chat(id).await.unwrap(), history);

    // A message signed by someone else inside a valid envelope is refused.
    let intruder = Keys::generate();
    let forged = EventBuilder::new(Kind::TextNote, "forged")
        .custom_created_at(now)
        .finalize(&intruder)
        .unwrap();
    assert!(pool
        .publish(&rewrap(&conv, &forged, now))
        .await
        .any_accepted());
    assert_eq!(b.read_chat(id).await.unwrap().len(), 3);

    // The solver reads the disclosed conversation but never gets K_sign.
    let shared = a.chat_disclosure(id).unwrap();
    let text = shared.to_text();
    assert!(!text.contains(&conv.sign().secret_key().to_secret_hex()));
    let received = PeerChatDisclosure::from_text(&text).unwrap();
    let solver = common::client(
        dirs[2].path(),
        &relay,
        Keys::generate().public_key(),
        Privacy::Reputation,
        REPLY,
    );
    let transcript = solver.read_disclosed_chat(&received).await.unwrap();
    let texts: Vec<&str> = transcript.iter().map(|m| m.content()).collect();
    assert_eq!(transcript.len(), 3, "{texts:?}");
    assert!(texts.contains(&"hello from the seller"));
    assert!(texts.contains(&"hi, paying now"));
    assert!(transcript
        .iter()
        .all(|m| m.sender() == a_trade.public_key() || m.sender() == b_trade.public_key()));
}

#[tokio::test]
async fn dispute_chat_reaches_the_announced_solver() {
    let relay = DevRelay::start_local().await.unwrap();
    let dirs = [
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    ];
    let (a, _b, id) = two_parties(&relay, &dirs).await;
    assert!(matches!(
        a.send_dispute_chat(id, "x").await,
        Err(mostro_client::ClientError::NoPeer(..))
    ));
    let solver = Keys::generate();
    let mut order = a.local_order(id).unwrap();
    order.solver_pubkey = Some(solver.public_key());
    a.store().save_order(&order).unwrap();
    a.send_dispute_chat(id, "here is my evidence")
        .await
        .unwrap();

    // Solver side, straight from the protocol crate.
    let a_trade = a.trade_keys(1).unwrap().public_key();
    let conv = derive_chat_keys(solver.secret_key(), &a_trade).unwrap();
    let pool = RelayPool::new([relay.url()], common::pool_options()).unwrap();
    let now = Timestamp::now();
    let events = pool
        .fetch(
            vec![chat_filter(conv.sign_pubkey(), now - 600, now, 10)],
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    let opened: Vec<_> = events
        .iter()
        .filter_map(|e| conv.open(&[a_trade, solver.public_key()], e, now).ok())
        .collect();
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].content(), "here is my evidence");
    let reply = conv.wrap(&solver, "received", Timestamp::now()).unwrap();
    assert!(pool.publish(&reply).await.any_accepted());
    let history = a.read_dispute_chat(id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert!(history
        .iter()
        .any(|m| m.content == "received" && m.sender == solver.public_key().to_hex()));
}

#[tokio::test]
async fn follow_chat_yields_each_new_message_once() {
    let relay = DevRelay::start_local().await.unwrap();
    let dirs = [
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    ];
    let (a, b, id) = two_parties(&relay, &dirs).await;
    b.pool()
        .wait_for_connection(Duration::from_secs(5))
        .await
        .unwrap();
    let mut follow = b.follow_chat(id).unwrap();
    a.send_chat(id, "first").await.unwrap();
    a.send_chat(id, "second").await.unwrap();
    let mut got = Vec::new();
    while got.len() < 2 {
        let message = tokio::time::timeout(Duration::from_secs(10), follow.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        got.push(message.content);
    }
    got.sort();
    assert_eq!(got, ["first", "second"]);
    // Both are now in the durable history; a read adds nothing new.
    assert_eq!(b.read_chat(id).await.unwrap().len(), 2);
}
