//! Tests of the fake backend's rules and scripting.

use std::time::Duration;

use super::*;
use crate::lightning::test_support::TestInvoice;
use crate::lightning::types::PaymentFailure;

fn hold_request(preimage: &Preimage) -> HoldInvoiceRequest {
    HoldInvoiceRequest {
        hash: preimage.payment_hash(),
        amount_sat: 100_300,
        memo: "order".into(),
        cltv_delta: 144,
        expiry: Duration::from_secs(900),
    }
}

fn pay_request(bolt11: String) -> PayRequest {
    PayRequest {
        payment_request: bolt11,
        amount_sat: None,
        fee_limit_sat: 10,
        timeout: Duration::from_secs(60),
    }
}

#[tokio::test]
async fn hold_invoice_lifecycle_emits_events() {
    let ln = FakeLightning::new();
    ln.set_chain_height(500);
    let mut events = ln.invoice_events();
    let preimage = Preimage::random();
    let hash = preimage.payment_hash();

    ln.create_hold_invoice(hold_request(&preimage))
        .await
        .unwrap();
    assert_eq!(events.recv().await.unwrap().state, InvoiceState::Open);

    // Settling before the seller paid is refused, as LND does.
    assert!(ln.settle_hold_invoice(preimage.clone()).await.is_err());

    ln.accept_payment(hash).unwrap();
    let accepted = events.recv().await.unwrap();
    assert_eq!(accepted.hash, hash);
    assert_eq!(
        accepted.state,
        InvoiceState::Accepted {
            htlc_expiry_heights: vec![644]
        }
    );

    ln.settle_hold_invoice(preimage.clone()).await.unwrap();
    assert_eq!(events.recv().await.unwrap().state, InvoiceState::Settled);
    // Idempotent settle; a settled invoice cannot be cancelled.
    ln.settle_hold_invoice(preimage).await.unwrap();
    assert!(ln.cancel_hold_invoice(hash).await.is_err());

    let snap = ln.lookup_invoice(hash).await.unwrap();
    assert_eq!(snap.state, InvoiceState::Settled);
    assert_eq!(snap.amount_paid_msat, 100_300_000);
}

#[tokio::test]
async fn cancel_and_duplicates() {
    let ln = FakeLightning::new();
    let preimage = Preimage::random();
    let hash = preimage.payment_hash();
    ln.create_hold_invoice(hold_request(&preimage))
        .await
        .unwrap();
    assert!(matches!(
        ln.create_hold_invoice(hold_request(&preimage)).await,
        Err(LightningError::InvoiceExists { .. })
    ));
    ln.accept_payment(hash).unwrap();
    ln.cancel_hold_invoice(hash).await.unwrap();
    ln.cancel_hold_invoice(hash).await.unwrap();
    assert_eq!(ln.invoice_state(hash), Some(InvoiceState::Canceled));
    assert!(ln.settle_hold_invoice(preimage).await.is_err());
    assert!(matches!(
        ln.lookup_invoice(PaymentHash([0; 32])).await,
        Err(LightningError::InvoiceNotFound { .. })
    ));
}

#[tokio::test]
async fn watch_reports_the_current_state() {
    let ln = FakeLightning::new();
    let preimage = Preimage::random();
    ln.create_hold_invoice(hold_request(&preimage))
        .await
        .unwrap();
    let mut events = ln.invoice_events();
    ln.watch_invoice(preimage.payment_hash());
    assert_eq!(events.recv().await.unwrap().state, InvoiceState::Open);
}

#[tokio::test]
async fn scripted_payments_and_tracking() {
    let ln = FakeLightning::new();
    let invoice = TestInvoice::regtest(Some(1000));
    let hash = invoice.hash();
    assert_eq!(ln.track_payment(hash).await.unwrap(), None);

    ln.script_payment(PaymentOutcome::Failed {
        reason: PaymentFailure::NoRoute,
    });
    let first = ln.pay_invoice(pay_request(invoice.build())).await.unwrap();
    assert_eq!(
        first,
        PaymentOutcome::Failed {
            reason: PaymentFailure::NoRoute
        }
    );
    assert_eq!(ln.track_payment(hash).await.unwrap(), Some(first));

    // A failed payment may be retried; the default outcome is success.
    let second = ln.pay_invoice(pay_request(invoice.build())).await.unwrap();
    assert!(matches!(second, PaymentOutcome::Succeeded { .. }));

    // Once succeeded, paying again returns the same payment, never a new one.
    ln.script_payment(PaymentOutcome::Failed {
        reason: PaymentFailure::Error,
    });
    let third = ln.pay_invoice(pay_request(invoice.build())).await.unwrap();
    assert_eq!(third, second);
    assert_eq!(ln.pay_requests().len(), 3);
}

#[tokio::test]
async fn in_flight_payment_can_be_completed() {
    let ln = FakeLightning::new();
    let invoice = TestInvoice::regtest(Some(2000));
    ln.script_payment(PaymentOutcome::InFlight);
    assert_eq!(
        ln.pay_invoice(pay_request(invoice.build())).await.unwrap(),
        PaymentOutcome::InFlight
    );
    let done = PaymentOutcome::Succeeded {
        preimage: Preimage([3; 32]),
        fee_msat: 1000,
    };
    ln.complete_payment(invoice.hash(), done.clone());
    assert_eq!(ln.track_payment(invoice.hash()).await.unwrap(), Some(done));
}

#[tokio::test]
async fn injected_failures_fire_once() {
    let ln = FakeLightning::new();
    ln.fail_next(FakeOp::NodeInfo, FakeFailure::Unavailable);
    let err = ln.chain_height().await.unwrap_err();
    assert!(err.is_transient());
    assert_eq!(ln.chain_height().await.unwrap(), 100);

    ln.fail_next(FakeOp::Pay, FakeFailure::Rejected);
    let bolt11 = TestInvoice::regtest(Some(1000)).build();
    assert!(!ln
        .pay_invoice(pay_request(bolt11))
        .await
        .unwrap_err()
        .is_transient());
    assert!(ln.pay_requests().is_empty());
}

#[tokio::test]
async fn garbage_invoice_is_rejected() {
    let ln = FakeLightning::new();
    let err = ln
        .pay_invoice(pay_request("not an invoice".into()))
        .await
        .unwrap_err();
    assert!(matches!(err, LightningError::Rejected { .. }));
}

#[tokio::test]
async fn node_info_reports_regtest() {
    let ln = FakeLightning::new();
    let info = ln.node_info().await.unwrap();
    assert_eq!(
        info.network(),
        Some(crate::lightning::types::Network::Regtest)
    );
}
