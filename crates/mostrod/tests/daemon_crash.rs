//! No lost messages (DESIGN.md invariant 4): a daemon killed between accepting a
//! request and committing what it causes handles the request after a restart, and a
//! request whose effects were committed is never handled again.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use devrelay::DevRelay;
use mostro_protocol::envelope::Transport;
use mostro_protocol::order::Kind as OrderKind;
use mostro_protocol::{Action, Status};
use mostrod::lightning::fake::FakeLightning;
use mostrod::runtime::Timeouts;
use nostr::key::Keys;
use support::flows::{create_order, fixed_order, send_take_buy};
use support::gated::GatedLightning;
use support::{eventually, order_id, TestDaemon, TestUser};

const SATS: i64 = 8_000;

/// Starts a daemon on a runtime of its own, so that the test can kill it mid-request
/// by dropping the whole runtime (no task gets to finish, as in a crash).
fn start_on_own_runtime(
    relay_url: String,
    data_dir: PathBuf,
    ln: GatedLightning,
    keys: Keys,
) -> (tokio::runtime::Runtime, TestDaemon) {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let daemon = runtime.block_on(TestDaemon::start_with(
            &relay_url,
            &data_dir,
            Arc::new(ln),
            keys,
            Timeouts::default(),
        ));
        (runtime, daemon)
    })
    .join()
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_cut_off_before_commit_is_handled_after_restart_and_only_once() {
    let relay = DevRelay::start_local().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let keys = Keys::generate();

    // First life: the take reaches the Lightning node, which never answers.
    let stuck = GatedLightning::new(FakeLightning::new());
    stuck.hang_on(SATS as u64);
    let (runtime, daemon) = start_on_own_runtime(
        relay.url(),
        dir.path().to_owned(),
        stuck.clone(),
        keys.clone(),
    );
    let node = daemon.pubkey();
    let mut maker = TestUser::new(&relay.url(), node, Transport::V2).await;
    let mut taker = TestUser::new(&relay.url(), node, Transport::V1).await;
    let id = create_order(&mut maker, fixed_order(OrderKind::Buy, SATS)).await;
    let take = send_take_buy(&taker, id).await;
    eventually(|| stuck.entered().contains(&(SATS as u64)).then_some(())).await;

    // Crash: every task of the daemon is dropped where it stands.
    runtime.shutdown_background();
    drop(daemon);

    let store = mostrod::store::Store::open(dir.path().join("mostro.db")).unwrap();
    let processed = store.processed_events();
    assert!(
        !processed.contains(take.id).await.unwrap(),
        "an event must not count as processed before its effects are committed"
    );
    let order = store.orders().get(id).await.unwrap().unwrap();
    assert_eq!(order.status, Status::Pending);
    drop(store);

    // Second life: catch-up re-delivers the take, which is handled now.
    let healthy = GatedLightning::new(FakeLightning::new());
    let daemon = TestDaemon::start_with(
        &relay.url(),
        dir.path(),
        Arc::new(healthy.clone()),
        keys.clone(),
        Timeouts::default(),
    )
    .await;
    let pay = taker.expect(Action::PayInvoice).await;
    assert_eq!(order_id(&pay), id);
    let store = daemon.mostro.store();
    assert!(store.processed_events().contains(take.id).await.unwrap());
    let order = store.orders().get(id).await.unwrap().unwrap();
    assert_eq!(order.status, Status::WaitingPayment);
    assert_eq!(healthy.entered(), vec![SATS as u64]);
    daemon.stop().await;

    // Third life: the relay delivers the take again; it was committed, so nothing
    // happens: no second hold invoice, no second answer.
    let third = GatedLightning::new(FakeLightning::new());
    let daemon = TestDaemon::start_with(
        &relay.url(),
        dir.path(),
        Arc::new(third.clone()),
        keys,
        Timeouts::default(),
    )
    .await;
    let replies = taker.drain(Duration::from_secs(2)).await;
    assert!(
        replies.iter().all(|m| m.action() != Action::PayInvoice),
        "a committed request was handled twice: {replies:?}"
    );
    assert!(third.entered().is_empty(), "hold invoice created twice");
    let order = daemon
        .mostro
        .store()
        .orders()
        .get(id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(order.status, Status::WaitingPayment);
    daemon.stop().await;
}
