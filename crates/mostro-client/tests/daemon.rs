//! The client against a real relay on 127.0.0.1 and a scripted fake daemon.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{client, FakeDaemon, Replies, Script};
use devrelay::DevRelay;
use mostro_client::{
    explain, next_step, ClientError, ErrorKind, MostroClient, NewOrder, NextStep, OrderAmount,
    Privacy, Transport, Update,
};
use mostro_protocol::envelope::Unwrapped;
use mostro_protocol::{
    Action, CantDoReason, Kind, Message, MessageKind, Payload, Peer, RestoreSessionInfo,
    RestoredDisputesInfo, RestoredOrdersInfo, SmallOrder, Status, UserInfo,
};
use nostr::key::PublicKey;
use uuid::Uuid;

const REPLY: Duration = Duration::from_secs(10);
const GUARD: Duration = Duration::from_secs(15);

/// The fake daemon's answers, keyed on action. Makers are remembered so
/// takes can notify them.
fn script(remote_index: Arc<AtomicI64>, canned: Canned) -> Script {
    let makers: Arc<Mutex<HashMap<Uuid, PublicKey>>> = Arc::default();
    Arc::new(move |u: &Unwrapped| -> Replies {
        let m = u.message.inner();
        let reply = |action: Action| {
            MessageKind::new(action)
                .with_id(m.id)
                .with_request_id(m.request_id)
        };
        let order_msg = |k: MessageKind| Message::new_order(k);
        match m.action {
            Action::NewOrder => {
                let Some(Payload::Order(order)) = &m.payload else {
                    return vec![];
                };
                let id = Uuid::new_v4();
                makers.lock().unwrap().insert(id, u.sender);
                let mut order = order.clone();
                order.id = Some(id);
                order.created_at = Some(1_700_000_000);
                order.expires_at = Some(1_700_086_400);
                let body = MessageKind::new(Action::NewOrder)
                    .with_id(id)
                    .with_request_id(m.request_id)
                    .with_trade_index(m.trade_index)
                    .with_payload(Payload::Order(order));
                vec![(order_msg(body), u.sender)]
            }
            Action::TakeSell => {
                let id = m.id.unwrap();
                let mut order = SmallOrder::new(990, "VES", 100, "face to face", 0);
                order.id = Some(id);
                order.kind = Some(Kind::Sell);
                order.status = Some(Status::WaitingBuyerInvoice);
                let mut out = vec![(
                    order_msg(reply(Action::AddInvoice).with_payload(Payload::Order(order))),
                    u.sender,
                )];
                if let Some(maker) = makers.lock().unwrap().get(&id).copied() {
                    let notice = Payload::Peer(Peer {
                        pubkey: String::new(),
                        reputation: Some(UserInfo {
                            rating: 4.5,
                            reviews: 3,
                            operating_days: 10,
                        }),
                    });
                    let to_maker = |k: MessageKind| order_msg(k.with_request_id(None));
                    out.push((
                        to_maker(reply(Action::PayInvoice).with_payload(notice)),
                        maker,
                    ));
                    out.push((to_maker(reply(Action::WaitingBuyerInvoice)), maker));
                }
                out
            }
            Action::Cancel => vec![(
                Message::cant_do(m.id, m.request_id, Some(CantDoReason::NotAllowedByStatus)),
                u.sender,
            )],
            Action::LastTradeIndex => vec![(
                Message::new_restore(
                    MessageKind::new(Action::LastTradeIndex)
                        .with_request_id(m.request_id)
                        .with_trade_index(remote_index.load(Ordering::SeqCst)),
                ),
                u.sender,
            )],
            Action::Release => vec![(
                order_msg(reply(Action::HoldInvoicePaymentSettled)),
                u.sender,
            )],
            // The restore reply never echoes `request_id` (§5.11).
            Action::RestoreSession => {
                let data = canned.restore.lock().unwrap().clone();
                vec![(
                    Message::new_restore(
                        MessageKind::new(Action::RestoreSession)
                            .with_payload(data.map(Payload::RestoreData)),
                    ),
                    u.sender,
                )]
            }
            Action::Orders => {
                let Some(Payload::Ids(ids)) = &m.payload else {
                    return vec![];
                };
                let known = canned.orders.lock().unwrap();
                let found: Vec<SmallOrder> =
                    ids.iter().filter_map(|id| known.get(id).cloned()).collect();
                vec![(
                    order_msg(reply(Action::Orders).with_payload(Payload::Orders(found))),
                    u.sender,
                )]
            }
            // Silence: like the real daemon on many failures.
            _ => vec![],
        }
    })
}

/// Canned answers for `restore-session` and `orders`.
#[derive(Clone, Default)]
struct Canned {
    restore: Arc<Mutex<Option<RestoreSessionInfo>>>,
    orders: Arc<Mutex<HashMap<Uuid, SmallOrder>>>,
}

struct Setup {
    relay: DevRelay,
    daemon: FakeDaemon,
    remote_index: Arc<AtomicI64>,
    canned: Canned,
    _dirs: Vec<tempfile::TempDir>,
}

impl Setup {
    async fn new(listen: Transport, advertise: Option<u8>) -> Self {
        let relay = DevRelay::start_local().await.unwrap();
        let remote_index = Arc::new(AtomicI64::new(0));
        let canned = Canned::default();
        let daemon = FakeDaemon::start(
            &relay,
            listen,
            advertise,
            script(Arc::clone(&remote_index), canned.clone()),
        )
        .await;
        Self {
            relay,
            daemon,
            remote_index,
            canned,
            _dirs: Vec::new(),
        }
    }

    fn client(&mut self, privacy: Privacy, reply: Duration) -> MostroClient {
        let dir = tempfile::tempdir().unwrap();
        let c = client(
            dir.path(),
            &self.relay,
            self.daemon.pubkey(),
            privacy,
            reply,
        );
        self._dirs.push(dir);
        c
    }
}

fn market_sell() -> NewOrder {
    NewOrder {
        kind: Kind::Sell,
        fiat_code: "VES".into(),
        amount: OrderAmount::Market {
            fiat: 100,
            premium: 1,
        },
        payment_methods: vec!["face to face".into()],
        buyer_invoice: None,
        expires_at: None,
    }
}

async fn guard<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(GUARD, f)
        .await
        .expect("operation finished in time")
}

#[tokio::test]
async fn create_take_and_watch_over_v2() {
    let mut s = Setup::new(Transport::V2, Some(2)).await;
    let maker = s.client(Privacy::Reputation, REPLY);
    let taker = s.client(Privacy::Reputation, REPLY);
    assert_eq!(maker.transport().await, Transport::V2);

    let created = guard(maker.create_order(&market_sell())).await.unwrap();
    assert!(matches!(created.update, Update::NewOrder { .. }));
    assert_eq!(created.order.trade_index, 1);
    assert_eq!(created.order.status, Some(Status::Pending));
    assert_eq!(
        next_step(&created.order, created.order.side()),
        NextStep::WaitForTaker
    );
    let request = &s.daemon.requests()[0];
    assert_eq!(request.transport, Transport::V2);
    assert_eq!(request.sender, maker.trade_keys(1).unwrap().public_key());
    assert_eq!(request.identity, maker.identity_pubkey());
    assert_eq!(request.message.trade_index(), Some(1));
    assert!(request.message.request_id().is_some());
    assert!(request.trade_signature.is_some());

    let taken = guard(taker.take_sell(created.order.id, None, None))
        .await
        .unwrap();
    assert_eq!(taken.order.trade_index, 1);
    assert!(!taken.order.is_maker);
    assert_eq!(
        next_step(&taken.order, taken.order.side()),
        NextStep::SendPayoutInvoice {
            amount_sats: Some(990)
        }
    );

    // The maker's watch sees the reputation notice (not a payment request)
    // and the status change, and updates the local order. The `new-order`
    // reply was already applied by `create_order` and is not replayed.
    let mut watch = guard(maker.watch(600)).await.unwrap();
    let mut updates = Vec::new();
    while updates.len() < 2 {
        let event = guard(watch.next()).await.unwrap().unwrap();
        updates.push(event.update);
    }
    assert!(updates.iter().any(|u| matches!(
        u,
        Update::ReputationNotice { action: Action::PayInvoice, reputation: Some(r) } if r.reviews == 3
    )));
    assert!(updates.contains(&Update::WaitingBuyerInvoice));
    assert!(!updates.iter().any(|u| matches!(u, Update::NewOrder { .. })));
    let local = maker.local_order(created.order.id).unwrap();
    assert_eq!(local.status, Some(Status::WaitingBuyerInvoice));
    assert_eq!(local.hold_invoice, None);

    // Each create/take consumes the next index.
    let second = guard(maker.create_order(&market_sell())).await.unwrap();
    assert_eq!(second.order.trade_index, 2);
}

#[tokio::test]
async fn create_over_gift_wrap_v1() {
    let mut s = Setup::new(Transport::V1, Some(1)).await;
    let maker = s.client(Privacy::Reputation, REPLY);
    assert_eq!(maker.transport().await, Transport::V1);
    let created = guard(maker.create_order(&market_sell())).await.unwrap();
    assert_eq!(created.order.status, Some(Status::Pending));
    let request = &s.daemon.requests()[0];
    assert_eq!(request.transport, Transport::V1);
    assert_eq!(request.identity, maker.identity_pubkey());
    assert_eq!(request.message.inner().version, 1);
}

#[tokio::test]
async fn transport_override_wins_over_the_info_event() {
    // The node advertises nothing (⇒ v1) but actually listens on v2.
    let mut s = Setup::new(Transport::V2, None).await;
    let dir = tempfile::tempdir().unwrap();
    let plain = s.client(Privacy::Reputation, REPLY);
    assert_eq!(plain.transport().await, Transport::V1);
    let forced = MostroClient::builder()
        .data_dir(dir.path())
        .relay(s.relay.url())
        .daemon(s.daemon.pubkey())
        .transport(Some(Transport::V2))
        .pool_options(common::pool_options())
        .build()
        .unwrap();
    let created = guard(forced.create_order(&market_sell())).await.unwrap();
    assert_eq!(created.order.trade_index, 1);
    assert_eq!(s.daemon.requests()[0].transport, Transport::V2);
}

#[tokio::test]
async fn full_privacy_never_sends_the_identity() {
    for transport in [Transport::V2, Transport::V1] {
        let mut s = Setup::new(transport, Some(transport.protocol_version())).await;
        let anon = s.client(Privacy::FullPrivacy, REPLY);
        guard(anon.create_order(&market_sell())).await.unwrap();
        let request = &s.daemon.requests()[0];
        assert_eq!(request.identity, request.sender, "{transport:?}");
        assert_ne!(request.identity, anon.identity_pubkey());
        assert_eq!(request.message.trade_index(), None);
        assert!(request.trade_signature.is_none());
        assert!(matches!(
            anon.sync_trade_index().await,
            Err(ClientError::InvalidInput(_))
        ));
    }
}

#[tokio::test]
async fn cant_do_becomes_a_typed_error_with_advice() {
    let mut s = Setup::new(Transport::V2, Some(2)).await;
    let maker = s.client(Privacy::Reputation, REPLY);
    let created = guard(maker.create_order(&market_sell())).await.unwrap();
    let err = guard(maker.cancel(created.order.id)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CantDo);
    assert_eq!(err.cant_do_reason(), Some(CantDoReason::NotAllowedByStatus));
    assert_eq!(
        err.explanation(),
        Some(explain(CantDoReason::NotAllowedByStatus))
    );
    assert!(err.to_string().contains("not_allowed_by_status"));
}

#[tokio::test]
async fn silence_is_a_timeout_naming_daemon_and_relays() {
    let mut s = Setup::new(Transport::V2, Some(2)).await;
    let maker = s.client(Privacy::Reputation, Duration::from_secs(2));
    let created = guard(maker.create_order(&market_sell())).await.unwrap();
    let err = guard(maker.fiat_sent(created.order.id)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    let text = err.to_string();
    assert!(text.contains(&s.daemon.pubkey().to_string()), "{text}");
    assert!(text.contains("127.0.0.1"), "{text}");
    match err {
        ClientError::Timeout {
            daemon,
            action,
            silent_relays,
            ..
        } => {
            assert_eq!(daemon, s.daemon.pubkey());
            assert_eq!(action, Action::FiatSent);
            assert_eq!(silent_relays.len(), 1);
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn trade_index_resync_only_moves_forward() {
    let mut s = Setup::new(Transport::V2, Some(2)).await;
    let user = s.client(Privacy::Reputation, REPLY);
    s.remote_index.store(7, Ordering::SeqCst);
    assert_eq!(guard(user.sync_trade_index()).await.unwrap(), 7);
    s.remote_index.store(3, Ordering::SeqCst);
    assert_eq!(guard(user.sync_trade_index()).await.unwrap(), 7);
    let created = guard(user.create_order(&market_sell())).await.unwrap();
    assert_eq!(created.order.trade_index, 8);
    let last = s.daemon.requests().last().unwrap().clone();
    assert_eq!(last.message.trade_index(), Some(8));
    assert_eq!(last.sender, user.trade_keys(8).unwrap().public_key());
}

#[tokio::test]
async fn range_release_announces_a_reserved_next_trade_key() {
    let mut s = Setup::new(Transport::V2, Some(2)).await;
    let maker = s.client(Privacy::Reputation, REPLY);
    let mut range = market_sell();
    range.amount = OrderAmount::Range {
        min: 10,
        max: 100,
        premium: 0,
    };
    let created = guard(maker.create_order(&range)).await.unwrap();
    let released = guard(maker.release(created.order.id)).await.unwrap();
    assert_eq!(released.update, Update::HoldInvoiceSettled);
    assert_eq!(released.order.next_trade_index, Some(2));
    let request = s.daemon.requests().last().unwrap().clone();
    assert_eq!(request.message.action(), Action::Release);
    assert_eq!(
        request.message.payload(),
        Some(&Payload::NextTrade(
            maker.trade_keys(2).unwrap().public_key().to_hex(),
            2
        ))
    );
    let next = guard(maker.create_order(&market_sell())).await.unwrap();
    assert_eq!(next.order.trade_index, 3);
}

#[tokio::test]
async fn restore_session_rebuilds_orders_keys_and_index() {
    let mut s = Setup::new(Transport::V2, Some(2)).await;
    let user = s.client(Privacy::Reputation, REPLY);
    let (active, disputed) = (Uuid::new_v4(), Uuid::new_v4());
    let buyer = nostr::key::Keys::generate().public_key();
    let mut order = SmallOrder::new(5000, "USD", 10, "cash", 0);
    order.id = Some(active);
    order.kind = Some(Kind::Sell);
    order.status = Some(Status::Active);
    order.seller_trade_pubkey = Some(user.trade_keys(4).unwrap().public_key().to_hex());
    order.buyer_trade_pubkey = Some(buyer.to_hex());
    s.canned.orders.lock().unwrap().insert(active, order);
    *s.canned.restore.lock().unwrap() = Some(RestoreSessionInfo {
        orders: vec![RestoredOrdersInfo {
            order_id: active,
            trade_index: 4,
            status: "active".into(),
        }],
        disputes: vec![RestoredDisputesInfo {
            dispute_id: Uuid::from_u128(77),
            order_id: disputed,
            trade_index: 5,
            status: "initiated".into(),
            initiator: Some("buyer".into()),
            solver_pubkey: None,
        }],
    });
    s.remote_index.store(5, Ordering::SeqCst);

    let report = guard(user.restore_session()).await.unwrap();
    assert_eq!(report.last_trade_index, 5);
    assert_eq!(report.orders.len(), 2);
    let restored = user.local_order(active).unwrap();
    assert_eq!(restored.trade_index, 4);
    assert!(restored.is_maker);
    assert_eq!(restored.status, Some(Status::Active));
    assert_eq!(restored.peer_pubkey, Some(buyer));
    assert_eq!(next_step(&restored, restored.side()), NextStep::WaitForFiat);
    let in_dispute = user.local_order(disputed).unwrap();
    assert_eq!(in_dispute.status, Some(Status::Dispute));
    assert_eq!(in_dispute.dispute_id, Some(Uuid::from_u128(77)));
    // Session requests never come from the identity key.
    assert!(s
        .daemon
        .requests()
        .iter()
        .all(|r| r.sender != user.identity_pubkey() && r.identity == user.identity_pubkey()));
    let next = guard(user.create_order(&market_sell())).await.unwrap();
    assert_eq!(next.order.trade_index, 6);
}
