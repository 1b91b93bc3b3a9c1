//! The outbox publisher over a real relay: replies in both transports reach the
//! client, and a row survives a relay outage until a relay acknowledges it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod nostr_support;

use std::time::Duration;

use devrelay::DevRelay;
use mostro_protocol::envelope::unwrap_incoming;
use mostro_protocol::{Action, Message, MessageKind};
use mostro_relay::RelayPool;
use mostrod::model::Transport;
use mostrod::nostr::{Publisher, PublisherConfig, ReplyWrapper};
use mostrod::store::{OutboxItem, Store};
use nostr::event::{Event, Kind};
use nostr::filter::Filter;
use nostr::key::Keys;
use nostr::types::Timestamp;
use nostr_support::{eventually, pool, relay_and_pool, store};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(8);

fn fast_config() -> PublisherConfig {
    PublisherConfig {
        batch: 10,
        retry_min: Duration::from_secs(1),
        retry_max: Duration::from_secs(2),
        tick: Duration::from_millis(200),
    }
}

fn reply(order_id: Uuid) -> Message {
    Message::new_order(
        MessageKind::new(Action::BuyerTookOrder)
            .with_id(order_id)
            .with_request_id(3),
    )
}

async fn queue(store: &Store, event: &Event) {
    store
        .outbox()
        .push(vec![OutboxItem::new(event, None, Timestamp::now()).unwrap()])
        .await
        .unwrap();
}

/// Fetches what the relay holds for `filter`.
async fn fetch(pool: &RelayPool, filter: Filter) -> Vec<Event> {
    pool.fetch(vec![filter], Duration::from_secs(3))
        .await
        .unwrap()
}

#[tokio::test]
async fn replies_in_both_transports_reach_the_client() {
    let (_relay, pool) = relay_and_pool().await;
    let (_dir, store) = store();
    let node = Keys::generate();
    let client = Keys::generate();
    let wrapper = ReplyWrapper::new(node.clone(), 30);
    let publisher = Publisher::new(store.outbox(), pool.clone(), fast_config());

    for (transport, kind, version) in [
        (Transport::Nip44, Kind::PrivateDirectMessage, 2),
        (Transport::GiftWrap, Kind::GiftWrap, 1),
    ] {
        let order_id = Uuid::new_v4();
        let event = wrapper
            .wrap(
                &client.public_key(),
                transport,
                &reply(order_id),
                Timestamp::now(),
            )
            .unwrap();
        queue(&store, &event).await;
        let report = publisher.publish_due(Timestamp::now()).await.unwrap();
        assert_eq!((report.sent, report.failed), (1, 0));
        assert!(store.outbox().is_empty().await.unwrap());

        // The client's view: its subscription by `#p` (and author on v2).
        let mut filter = Filter::new().kind(kind).pubkey(client.public_key());
        if transport == Transport::Nip44 {
            filter = filter.author(node.public_key());
        }
        let events = fetch(&pool, filter).await;
        let found = events
            .iter()
            .find(|e| e.id == event.id)
            .expect("event on relay");
        let opened = unwrap_incoming(found, &client).unwrap().unwrap();
        assert_eq!(opened.sender, node.public_key());
        assert_eq!(opened.message.action(), Action::BuyerTookOrder);
        assert_eq!(opened.message.id(), Some(order_id));
        assert_eq!(opened.message.request_id(), Some(3));
        assert_eq!(opened.message.inner().version, version);
    }
}

#[tokio::test]
async fn outbox_row_survives_relay_outage_and_is_delivered_on_return() {
    let relay = DevRelay::start_local().await.unwrap();
    let addr = relay.local_addr();
    let relay_store = relay.store().clone();
    let pool = pool(&relay.url());
    pool.wait_for_connection(Duration::from_secs(5))
        .await
        .unwrap();
    let (_dir, store) = store();
    let node = Keys::generate();
    let client = Keys::generate();
    let event = ReplyWrapper::new(node, 30)
        .wrap(
            &client.public_key(),
            Transport::Nip44,
            &reply(Uuid::new_v4()),
            Timestamp::now(),
        )
        .unwrap();

    relay.shutdown().await;
    queue(&store, &event).await;
    let publisher = Publisher::new(store.outbox(), pool.clone(), fast_config());
    let now = Timestamp::now();
    let report = publisher.publish_due(now).await.unwrap();
    assert_eq!((report.sent, report.failed), (0, 1));
    assert_eq!(store.outbox().len().await.unwrap(), 1);
    // Rescheduled: not due again right away.
    assert!(store.outbox().due(now, 10).await.unwrap().is_empty());
    let row = store.outbox().due(now + 60, 10).await.unwrap();
    assert_eq!(row.len(), 1);
    assert_eq!(row[0].attempts, 1);

    // The relay comes back on the same address; the running publisher delivers.
    let relay = DevRelay::start_with_store(addr, relay_store).await.unwrap();
    let cancel = CancellationToken::new();
    let task = tokio::spawn(publisher.clone().run(cancel.clone()));
    let delivered = eventually(WAIT, || {
        let store = store.clone();
        async move { store.outbox().is_empty().await.unwrap().then_some(()) }
    })
    .await;
    assert!(
        delivered.is_some(),
        "outbox row was not delivered after the outage"
    );
    let on_relay = relay
        .store()
        .query(&Filter::new().id(event.id), Timestamp::now());
    assert_eq!(on_relay.len(), 1);
    cancel.cancel();
    task.await.unwrap();
}

#[tokio::test]
async fn running_publisher_wakes_on_signal() {
    let (relay, pool) = relay_and_pool().await;
    let (_dir, store) = store();
    let config = PublisherConfig {
        tick: Duration::from_secs(3_600),
        ..fast_config()
    };
    let publisher = Publisher::new(store.outbox(), pool, config);
    let waker = publisher.waker();
    let cancel = CancellationToken::new();
    let task = tokio::spawn(publisher.run(cancel.clone()));
    // Let the first (immediate) tick pass with an empty outbox.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let event = ReplyWrapper::new(Keys::generate(), 30)
        .wrap(
            &Keys::generate().public_key(),
            Transport::Nip44,
            &reply(Uuid::new_v4()),
            Timestamp::now(),
        )
        .unwrap();
    queue(&store, &event).await;
    waker.notify_one();
    let delivered = eventually(WAIT, || {
        let store = store.clone();
        async move { store.outbox().is_empty().await.unwrap().then_some(()) }
    })
    .await;
    assert!(delivered.is_some());
    assert_eq!(
        relay
            .store()
            .query(&Filter::new().id(event.id), Timestamp::now())
            .len(),
        1
    );
    cancel.cancel();
    task.await.unwrap();
}

#[tokio::test]
async fn expired_row_is_discarded_unsent() {
    let (relay, pool) = relay_and_pool().await;
    let (_dir, store) = store();
    let sent_at = Timestamp::now() - 40 * 86_400;
    // A v2 reply expires dm_days (1) after it was signed: long gone.
    let event = ReplyWrapper::new(Keys::generate(), 1)
        .wrap(
            &Keys::generate().public_key(),
            Transport::Nip44,
            &reply(Uuid::new_v4()),
            sent_at,
        )
        .unwrap();
    queue(&store, &event).await;
    let report = Publisher::new(store.outbox(), pool, fast_config())
        .publish_due(Timestamp::now())
        .await
        .unwrap();
    assert_eq!((report.sent, report.failed, report.discarded), (0, 0, 1));
    assert!(store.outbox().is_empty().await.unwrap());
    assert!(relay.store().is_empty());
}
