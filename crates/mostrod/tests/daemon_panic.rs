//! Panic containment: a handler that panics abandons its input, is logged, and the
//! daemon keeps serving every other order (and the panicking order's next input).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
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

const PANIC_SATS: i64 = 6_001;
const FINE_SATS: i64 = 6_002;

/// Everything the daemon logs in this test binary.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogBuffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Installs (once) a global subscriber writing into the returned buffer.
fn captured_logs() -> LogBuffer {
    static LOGS: OnceLock<LogBuffer> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = LogBuffer::default();
        let writer = buffer.clone();
        tracing_subscriber::fmt()
            .with_env_filter("mostrod=info")
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .init();
        buffer
    })
    .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_is_logged_and_the_daemon_keeps_serving() {
    let logs = captured_logs();
    let relay = DevRelay::start_local().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ln = GatedLightning::new(FakeLightning::new());
    ln.panic_on(PANIC_SATS as u64);
    let daemon = TestDaemon::start_with(
        &relay.url(),
        dir.path(),
        Arc::new(ln.clone()),
        Keys::generate(),
        Timeouts::default(),
    )
    .await;
    let node = daemon.pubkey();
    let mut maker = TestUser::new(&relay.url(), node, Transport::V2).await;
    let mut taker = TestUser::new(&relay.url(), node, Transport::V2).await;
    let doomed = create_order(&mut maker, fixed_order(OrderKind::Buy, PANIC_SATS)).await;
    let take = send_take_buy(&taker, doomed).await;

    let logged = eventually(|| {
        let text = logs.text();
        text.lines()
            .find(|l| l.contains("handler panicked"))
            .map(str::to_owned)
    })
    .await;
    assert!(logged.contains("ERROR"), "{logged}");
    assert!(
        logged.contains(&format!(
            "injected panic creating a hold invoice of {PANIC_SATS}"
        )),
        "the panic message is logged: {logged}"
    );

    // Other orders are served.
    let mut other_maker = TestUser::new(&relay.url(), node, Transport::V1).await;
    let mut other_taker = TestUser::new(&relay.url(), node, Transport::V2).await;
    let fine = create_order(&mut other_maker, fixed_order(OrderKind::Buy, FINE_SATS)).await;
    send_take_buy(&other_taker, fine).await;
    assert_eq!(
        order_id(&other_taker.expect(Action::PayInvoice).await),
        fine
    );

    // The panicking input changed nothing and was not marked processed; the order's
    // lock was released, so its next input is handled (here: the maker cancels it).
    assert!(taker.drain(Duration::from_millis(500)).await.is_empty());
    let store = daemon.mostro.store();
    assert!(!store.processed_events().contains(take.id).await.unwrap());
    assert_eq!(
        store.orders().get(doomed).await.unwrap().unwrap().status,
        Status::Pending
    );
    let cancel = support::body(maker.transport, Action::Cancel).with_id(doomed);
    maker
        .send(mostro_protocol::Message::new_order(cancel))
        .await;
    assert_eq!(order_id(&maker.expect(Action::Canceled).await), doomed);
    daemon.stop().await;
}
