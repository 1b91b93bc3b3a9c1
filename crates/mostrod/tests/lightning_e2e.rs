//! End-to-end tests of the LND backend against real LND nodes on regtest.
//!
//! The network (btcd + LND nodes `mostro`, `seller`, `buyer`, channels
//! seller → mostro → buyer) is started once for this test binary by
//! `testnet::shared_network()` and torn down at exit.
//!
//! Isolation: every test holds the network's *exclusive* guard for its whole
//! run. The tests assert exact channel-balance deltas, which concurrent
//! payments by another test would disturb, and one test restarts mostro's
//! LND. Serialising costs little: the machine has two cores and LND is the
//! bottleneck anyway.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::future::Future;
use std::time::{Duration, Instant};

use mostrod::lightning::lnd::{Backoff, LndConfig, LndLightning};
use mostrod::lightning::{
    max_routing_fee_sat, HoldInvoice, HoldInvoiceRequest, InvoiceEvent, InvoiceState, Lightning,
    LightningError, PayRequest, PaymentFailure, PaymentHash, PaymentOutcome, Preimage,
};
use testnet::{Network, Node};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

const WAIT: Duration = Duration::from_secs(90);

/// A connected backend whose watcher stops when dropped.
struct Backend {
    ln: LndLightning,
    shutdown: CancellationToken,
    tasks: TaskTracker,
}

impl Backend {
    async fn connect(net: &Network) -> Backend {
        let node = net.mostro();
        let mut config = LndConfig::new(
            format!("https://{}", node.rpc_addr()),
            node.tls_cert_path(),
            node.macaroon_path(),
        );
        config.backoff = Backoff {
            initial: Duration::from_millis(200),
            max: Duration::from_secs(2),
        };
        let shutdown = CancellationToken::new();
        let tasks = TaskTracker::new();
        let ln = LndLightning::connect(config, shutdown.clone(), &tasks)
            .await
            .expect("connect to mostro's LND");
        Backend {
            ln,
            shutdown,
            tasks,
        }
    }

    async fn stop(self) {
        self.shutdown.cancel();
        self.tasks.close();
        tokio::time::timeout(Duration::from_secs(10), self.tasks.wait())
            .await
            .expect("watcher stops on shutdown");
    }
}

async fn network() -> &'static Network {
    testnet::shared_network()
        .await
        .expect("regtest network (see docs/testnet.md)")
}

fn hold_request(preimage: &Preimage, amount_sat: u64) -> HoldInvoiceRequest {
    HoldInvoiceRequest {
        hash: preimage.payment_hash(),
        amount_sat,
        memo: "mostro e2e escrow".into(),
        cltv_delta: 144,
        expiry: Duration::from_secs(900),
    }
}

/// Waits for the next event of `hash` whose state satisfies `want`.
async fn wait_state(
    events: &mut broadcast::Receiver<InvoiceEvent>,
    hash: PaymentHash,
    want: impl Fn(&InvoiceState) -> bool,
) -> InvoiceState {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Err(_) => panic!("no matching event for {hash} within {WAIT:?}"),
            Ok(Err(broadcast::error::RecvError::Lagged(_))) => continue,
            Ok(Err(e)) => panic!("event stream closed: {e}"),
            Ok(Ok(event)) if event.hash == hash && want(&event.state) => return event.state,
            Ok(Ok(_)) => continue,
        }
    }
}

fn is_accepted(state: &InvoiceState) -> bool {
    matches!(state, InvoiceState::Accepted { .. })
}

/// Polls `read` until it returns `expected` (or times out), returning the
/// last value so the caller's assertion shows it.
async fn settle_to<F, Fut>(expected: u64, mut read: F) -> u64
where
    F: FnMut() -> Fut,
    Fut: Future<Output = u64>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        let value = read().await;
        if value == expected || Instant::now() >= deadline {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn local_sat(node: &Node) -> u64 {
    node.channel_balance()
        .await
        .expect("channelbalance")
        .local_sat
}

/// Creates a hold invoice and has the seller pay it until it is accepted.
async fn held_invoice(
    backend: &Backend,
    net: &Network,
    amount_sat: u64,
) -> (Preimage, HoldInvoice, testnet::PaymentHandle, Vec<u32>) {
    let mut events = backend.ln.invoice_events();
    let preimage = Preimage::random();
    let invoice = backend
        .ln
        .create_hold_invoice(hold_request(&preimage, amount_sat))
        .await
        .expect("create hold invoice");
    assert_eq!(invoice.hash, preimage.payment_hash());
    wait_state(&mut events, invoice.hash, |s| *s == InvoiceState::Open).await;

    let payment = net
        .seller()
        .pay_invoice_background(&invoice.payment_request)
        .expect("seller starts paying");
    let accepted = wait_state(&mut events, invoice.hash, is_accepted).await;
    let heights = match accepted {
        InvoiceState::Accepted {
            htlc_expiry_heights,
        } => htlc_expiry_heights,
        other => panic!("unexpected {other:?}"),
    };
    (preimage, invoice, payment, heights)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hold_invoice_accepted_then_settled() {
    let net = network().await;
    let _guard = net.exclusive().await;
    let backend = Backend::connect(net).await;
    let amount = 10_000;
    let mostro_before = local_sat(net.mostro()).await;
    let seller_before = local_sat(net.seller()).await;
    let height = backend.ln.chain_height().await.expect("chain height");

    let (preimage, invoice, payment, heights) = held_invoice(&backend, net, amount).await;
    // The escrow HTLC expires about cltv_delta blocks from now.
    assert_eq!(heights.len(), 1, "one HTLC held");
    assert!(heights[0] >= height + 144, "{heights:?} at height {height}");
    let hash_hex = invoice.hash.to_hex();
    assert_eq!(
        net.seller()
            .payment_status(&hash_hex)
            .await
            .expect("status")
            .as_deref(),
        Some("IN_FLIGHT"),
        "the seller's payment stays in flight while the invoice is held"
    );

    let mut events = backend.ln.invoice_events();
    backend
        .ln
        .settle_hold_invoice(preimage.clone())
        .await
        .expect("settle");
    wait_state(&mut events, invoice.hash, |s| *s == InvoiceState::Settled).await;

    match payment.wait().await.expect("seller payment outcome") {
        testnet::PaymentOutcome::Succeeded { preimage: p, .. } => {
            assert_eq!(p, preimage.to_hex(), "seller learns the preimage")
        }
        other => panic!("seller payment should succeed: {other:?}"),
    }
    let mostro_after = settle_to(mostro_before + amount, || local_sat(net.mostro())).await;
    assert_eq!(
        mostro_after,
        mostro_before + amount,
        "mostro's balance grows"
    );
    let seller_after = settle_to(seller_before - amount, || local_sat(net.seller())).await;
    assert_eq!(seller_after, seller_before - amount);
    backend.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hold_invoice_accepted_then_cancelled() {
    let net = network().await;
    let _guard = net.exclusive().await;
    let backend = Backend::connect(net).await;
    let mostro_before = local_sat(net.mostro()).await;
    let seller_before = local_sat(net.seller()).await;

    let (_preimage, invoice, payment, _) = held_invoice(&backend, net, 7_000).await;
    let held = local_sat(net.seller()).await;
    assert!(held <= seller_before - 7_000, "funds locked while held");

    let mut events = backend.ln.invoice_events();
    backend
        .ln
        .cancel_hold_invoice(invoice.hash)
        .await
        .expect("cancel");
    wait_state(&mut events, invoice.hash, |s| *s == InvoiceState::Canceled).await;
    // Cancelling twice is harmless.
    backend
        .ln
        .cancel_hold_invoice(invoice.hash)
        .await
        .expect("idempotent cancel");

    match payment.wait().await.expect("seller payment outcome") {
        testnet::PaymentOutcome::Failed { reason } => {
            assert_eq!(reason, "FAILURE_REASON_INCORRECT_PAYMENT_DETAILS")
        }
        other => panic!("seller payment should fail: {other:?}"),
    }
    let seller_after = settle_to(seller_before, || local_sat(net.seller())).await;
    assert_eq!(
        seller_after, seller_before,
        "seller's funds spendable again"
    );
    assert_eq!(local_sat(net.mostro()).await, mostro_before);
    backend.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pays_buyer_invoices_within_fee_limit() {
    let net = network().await;
    let _guard = net.exclusive().await;
    let backend = Backend::connect(net).await;

    // Fixed-amount invoice.
    let amount = 5_000;
    let buyer_before = local_sat(net.buyer()).await;
    let invoice = net
        .buyer()
        .create_invoice(amount, "payout")
        .await
        .expect("invoice");
    let hash: PaymentHash = invoice.payment_hash.parse().expect("hash");
    let fee_limit = max_routing_fee_sat(amount, 0.002);
    let outcome = backend
        .ln
        .pay_invoice(PayRequest {
            payment_request: invoice.payment_request.clone(),
            amount_sat: None,
            fee_limit_sat: fee_limit,
            timeout: Duration::from_secs(60),
        })
        .await
        .expect("pay");
    let PaymentOutcome::Succeeded { preimage, fee_msat } = &outcome else {
        panic!("payout should succeed: {outcome:?}");
    };
    assert_eq!(preimage.payment_hash(), hash, "preimage proves payment");
    assert!(fee_msat.div_ceil(1000) <= fee_limit);
    assert_eq!(
        net.buyer()
            .invoice_state(&invoice.payment_hash)
            .await
            .expect("state"),
        "SETTLED"
    );
    // Tracking the same hash reports the same success (crash recovery).
    assert_eq!(
        backend.ln.track_payment(hash).await.expect("track"),
        Some(outcome.clone())
    );
    // Paying again never pays twice: LND reports the existing payment.
    let again = backend
        .ln
        .pay_invoice(PayRequest {
            payment_request: invoice.payment_request,
            amount_sat: None,
            fee_limit_sat: fee_limit,
            timeout: Duration::from_secs(60),
        })
        .await
        .expect("second pay call");
    assert_eq!(again, outcome);
    let buyer_mid = settle_to(buyer_before + amount, || local_sat(net.buyer())).await;
    assert_eq!(buyer_mid, buyer_before + amount, "buyer paid exactly once");

    // Amountless invoice: the node sends the amount we give.
    let open = net
        .buyer()
        .create_invoice(0, "amountless payout")
        .await
        .expect("invoice");
    let outcome = backend
        .ln
        .pay_invoice(PayRequest {
            payment_request: open.payment_request,
            amount_sat: Some(3_000),
            fee_limit_sat: max_routing_fee_sat(3_000, 0.002),
            timeout: Duration::from_secs(60),
        })
        .await
        .expect("pay amountless");
    assert!(
        matches!(outcome, PaymentOutcome::Succeeded { .. }),
        "{outcome:?}"
    );
    let buyer_after = settle_to(buyer_mid + 3_000, || local_sat(net.buyer())).await;
    assert_eq!(buyer_after, buyer_mid + 3_000);
    backend.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unroutable_payment_fails_cleanly() {
    let net = network().await;
    let _guard = net.exclusive().await;
    let backend = Backend::connect(net).await;
    let mostro_before = local_sat(net.mostro()).await;

    // More than the whole mostro → buyer channel can carry.
    let too_much = testnet::CHANNEL_CAPACITY_SAT + 1_000_000;
    let invoice = net
        .buyer()
        .create_invoice(too_much, "too big")
        .await
        .expect("invoice");
    let hash: PaymentHash = invoice.payment_hash.parse().expect("hash");
    let outcome = backend
        .ln
        .pay_invoice(PayRequest {
            payment_request: invoice.payment_request,
            amount_sat: None,
            fee_limit_sat: max_routing_fee_sat(too_much, 0.002),
            timeout: Duration::from_secs(30),
        })
        .await
        .expect("pay call completes");
    match outcome {
        PaymentOutcome::Failed { reason } => assert!(
            matches!(
                reason,
                PaymentFailure::NoRoute | PaymentFailure::InsufficientBalance
            ),
            "classified failure, got {reason:?}"
        ),
        other => panic!("payment must fail: {other:?}"),
    }
    // The failure is final and recorded; no funds moved.
    assert!(matches!(
        backend.ln.track_payment(hash).await.expect("track"),
        Some(PaymentOutcome::Failed { .. })
    ));
    assert_eq!(
        net.buyer()
            .invoice_state(&invoice.payment_hash)
            .await
            .expect("state"),
        "OPEN"
    );
    assert_eq!(
        local_sat(net.mostro()).await,
        mostro_before,
        "no funds lost"
    );

    // A hash LND never paid is reported as unknown, so paying it is safe.
    assert_eq!(
        backend
            .ln
            .track_payment(Preimage::random().payment_hash())
            .await
            .expect("track unknown"),
        None
    );
    backend.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoice_stream_survives_lnd_restart() {
    let net = network().await;
    let _guard = net.exclusive().await;
    let backend = Backend::connect(net).await;
    let mostro_before = local_sat(net.mostro()).await;
    let amount = 4_000;
    let (preimage, invoice, payment, _) = held_invoice(&backend, net, amount).await;
    let mut events = backend.ln.invoice_events();

    net.mostro().restart().await.expect("restart mostro's LND");

    // The same backend (same connection object) keeps working once LND is back.
    let deadline = Instant::now() + WAIT;
    let snapshot = loop {
        match backend.ln.lookup_invoice(invoice.hash).await {
            Ok(snapshot) => break snapshot,
            Err(e) if e.is_transient() && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(250)).await
            }
            Err(e) => panic!("lookup after restart: {e}"),
        }
    };
    assert!(
        is_accepted(&snapshot.state),
        "still held: {:?}",
        snapshot.state
    );

    // A new hold invoice paid after the restart is reported by the stream
    // (once the seller's channel to mostro is back up).
    net.mostro()
        .wait_channels_active(2, 2, WAIT)
        .await
        .expect("mostro's channels active after restart");
    net.seller()
        .wait_channels_active(1, 2, WAIT)
        .await
        .expect("seller's channel active after restart");
    let (_p2, second, second_payment, _) = held_invoice(&backend, net, 1_500).await;

    loop {
        match backend.ln.settle_hold_invoice(preimage.clone()).await {
            Ok(()) => break,
            Err(e) if e.is_transient() && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(250)).await
            }
            Err(e) => panic!("settle after restart: {e}"),
        }
    }
    wait_state(&mut events, invoice.hash, |s| *s == InvoiceState::Settled).await;
    assert!(payment.wait().await.expect("outcome").is_success());
    backend
        .ln
        .cancel_hold_invoice(second.hash)
        .await
        .expect("cancel second");
    assert!(!second_payment.wait().await.expect("outcome").is_success());

    let after = settle_to(mostro_before + amount, || local_sat(net.mostro())).await;
    assert_eq!(after, mostro_before + amount);
    backend.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookup_reports_true_states_after_the_fact() {
    let net = network().await;
    let _guard = net.exclusive().await;
    let backend = Backend::connect(net).await;

    let (settled_pre, settled, settled_pay, _) = held_invoice(&backend, net, 2_000).await;
    backend
        .ln
        .settle_hold_invoice(settled_pre)
        .await
        .expect("settle");
    assert!(settled_pay.wait().await.expect("outcome").is_success());

    let (_c, cancelled, cancelled_pay, _) = held_invoice(&backend, net, 2_100).await;
    backend
        .ln
        .cancel_hold_invoice(cancelled.hash)
        .await
        .expect("cancel");
    assert!(!cancelled_pay.wait().await.expect("outcome").is_success());

    let (_a, accepted, accepted_pay, heights) = held_invoice(&backend, net, 2_200).await;
    let open_pre = Preimage::random();
    let open = backend
        .ln
        .create_hold_invoice(hold_request(&open_pre, 2_300))
        .await
        .expect("open invoice");
    backend.stop().await;

    // A fresh connection, as after a daemon restart.
    let fresh = Backend::connect(net).await;
    let s = fresh.ln.lookup_invoice(settled.hash).await.expect("lookup");
    assert_eq!(s.state, InvoiceState::Settled);
    assert_eq!(s.amount_sat, 2_000);
    assert_eq!(s.amount_paid_msat, 2_000_000);
    let c = fresh
        .ln
        .lookup_invoice(cancelled.hash)
        .await
        .expect("lookup");
    assert_eq!(c.state, InvoiceState::Canceled);
    let a = fresh
        .ln
        .lookup_invoice(accepted.hash)
        .await
        .expect("lookup");
    assert_eq!(
        a.state,
        InvoiceState::Accepted {
            htlc_expiry_heights: heights
        }
    );
    assert_eq!(a.cltv_expiry, 144);
    let o = fresh.ln.lookup_invoice(open.hash).await.expect("lookup");
    assert_eq!(o.state, InvoiceState::Open);
    assert!(matches!(
        fresh
            .ln
            .lookup_invoice(Preimage::random().payment_hash())
            .await,
        Err(LightningError::InvoiceNotFound { .. })
    ));

    // Watching after the fact reports the current state.
    let mut events = fresh.ln.invoice_events();
    fresh.ln.watch_invoice(accepted.hash);
    wait_state(&mut events, accepted.hash, is_accepted).await;

    // Clean up: release the seller's locked funds.
    fresh
        .ln
        .cancel_hold_invoice(accepted.hash)
        .await
        .expect("cancel");
    fresh
        .ln
        .cancel_hold_invoice(open.hash)
        .await
        .expect("cancel open");
    assert!(!accepted_pay.wait().await.expect("outcome").is_success());
    fresh.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_info_describes_mostros_node() {
    let net = network().await;
    let _guard = net.exclusive().await;
    let backend = Backend::connect(net).await;
    let info = backend.ln.node_info().await.expect("node info");
    assert_eq!(info.pubkey, net.mostro().pubkey());
    assert_eq!(info.alias, "mostro");
    assert_eq!(info.network(), Some(mostrod::lightning::Network::Regtest));
    assert!(info.version.contains("0.21"), "{}", info.version);
    let height = net.chain_height().await.expect("height");
    let ours = backend.ln.chain_height().await.expect("chain height");
    assert!(u64::from(ours) <= height && u64::from(ours) + 1 >= height);
    backend.stop().await;
}
