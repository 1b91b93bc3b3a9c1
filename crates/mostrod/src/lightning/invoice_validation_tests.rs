//! Unit tests of payout-invoice validation, on invoices signed with a
//! throwaway key.

use std::time::Duration;

use bitcoin::hashes::{sha256, Hash};
use lightning_invoice::Currency;

use super::*;

use crate::lightning::test_support::{TestInvoice, NOW};

fn rules() -> InvoiceRules {
    InvoiceRules::with_defaults(Network::Regtest)
}

#[test]
fn accepts_exact_amount() {
    let bolt11 = TestInvoice::regtest(Some(99_700)).build();
    let ok = validate_payout_invoice(&bolt11, 99_700, &rules(), NOW).unwrap();
    assert_eq!(ok.amount_sat, Some(99_700));
    assert_eq!(ok.amount_to_send(99_700), None);
    assert_eq!(ok.expires_at, NOW + 7200);
    assert_eq!(
        ok.payment_hash.0,
        sha256::Hash::hash(b"test preimage...test preimage...").to_byte_array()
    );
}

#[test]
fn accepts_amountless_and_sends_the_owed_amount() {
    let bolt11 = TestInvoice::regtest(None).build();
    let ok = validate_payout_invoice(&bolt11, 5_000, &rules(), NOW).unwrap();
    assert_eq!(ok.amount_sat, None);
    assert_eq!(ok.amount_to_send(5_000), Some(5_000));
}

#[test]
fn rejects_garbage() {
    let err = validate_payout_invoice("lnbcrt1garbage", 1000, &rules(), NOW).unwrap_err();
    assert!(matches!(err, InvoiceRejection::Unparseable(_)), "{err:?}");
    assert_eq!(err.cant_do_reason(), "invalid_invoice");
}

#[test]
fn rejects_other_networks() {
    for (currency, network) in [
        (Currency::Bitcoin, Network::Mainnet),
        (Currency::BitcoinTestnet, Network::Testnet),
        (Currency::Signet, Network::Signet),
    ] {
        let bolt11 = TestInvoice {
            currency,
            ..TestInvoice::regtest(Some(1000))
        }
        .build();
        let err = validate_payout_invoice(&bolt11, 1000, &rules(), NOW).unwrap_err();
        match err {
            InvoiceRejection::WrongNetwork { expected, found } => {
                assert_eq!(expected, Network::Regtest);
                assert_eq!(found, network);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn accepts_matching_network_other_than_regtest() {
    let bolt11 = TestInvoice {
        currency: Currency::Bitcoin,
        ..TestInvoice::regtest(Some(1000))
    }
    .build();
    let rules = InvoiceRules::with_defaults(Network::Mainnet);
    assert!(validate_payout_invoice(&bolt11, 1000, &rules, NOW).is_ok());
}

#[test]
fn cltv_delta_limit_is_inclusive() {
    let at_limit = TestInvoice {
        cltv_delta: 432,
        ..TestInvoice::regtest(Some(1000))
    }
    .build();
    assert!(validate_payout_invoice(&at_limit, 1000, &rules(), NOW).is_ok());

    let above = TestInvoice {
        cltv_delta: 433,
        ..TestInvoice::regtest(Some(1000))
    }
    .build();
    let err = validate_payout_invoice(&above, 1000, &rules(), NOW).unwrap_err();
    assert!(
        matches!(
            err,
            InvoiceRejection::CltvDeltaTooLarge {
                delta: 433,
                max: 432
            }
        ),
        "{err:?}"
    );
}

#[test]
fn rejects_expired() {
    let bolt11 = TestInvoice {
        created_at: NOW - 7200,
        expiry_secs: 3600,
        ..TestInvoice::regtest(Some(1000))
    }
    .build();
    let err = validate_payout_invoice(&bolt11, 1000, &rules(), NOW).unwrap_err();
    assert!(
        matches!(err, InvoiceRejection::Expired { expires_at } if expires_at == NOW - 3600),
        "{err:?}"
    );
}

#[test]
fn expiry_window_is_enforced_at_its_edge() {
    // Expires exactly at now + window: accepted.
    let edge = TestInvoice {
        expiry_secs: 3600,
        ..TestInvoice::regtest(Some(1000))
    }
    .build();
    assert!(validate_payout_invoice(&edge, 1000, &rules(), NOW).is_ok());

    // One second short: refused.
    let short = TestInvoice {
        expiry_secs: 3599,
        ..TestInvoice::regtest(Some(1000))
    }
    .build();
    let err = validate_payout_invoice(&short, 1000, &rules(), NOW).unwrap_err();
    assert!(
        matches!(
            err,
            InvoiceRejection::ExpiresTooSoon { expires_at, required }
                if expires_at == NOW + 3599 && required == NOW + 3600
        ),
        "{err:?}"
    );
}

#[test]
fn custom_expiry_window() {
    let bolt11 = TestInvoice {
        expiry_secs: 600,
        ..TestInvoice::regtest(Some(1000))
    }
    .build();
    let mut rules = rules();
    rules.invoice_expiration_window = Duration::from_secs(300);
    assert!(validate_payout_invoice(&bolt11, 1000, &rules, NOW).is_ok());
}

#[test]
fn rejects_wrong_amount() {
    let bolt11 = TestInvoice::regtest(Some(99_701)).build();
    let err = validate_payout_invoice(&bolt11, 99_700, &rules(), NOW).unwrap_err();
    assert!(
        matches!(
            err,
            InvoiceRejection::AmountMismatch {
                expected_sat: 99_700,
                found_msat: 99_701_000
            }
        ),
        "{err:?}"
    );
}

#[test]
fn rejects_sub_satoshi_amount() {
    let bolt11 = TestInvoice {
        amount_msat: Some(1_000_500),
        ..TestInvoice::regtest(None)
    }
    .build();
    let err = validate_payout_invoice(&bolt11, 1000, &rules(), NOW).unwrap_err();
    assert!(
        matches!(err, InvoiceRejection::AmountMismatch { .. }),
        "{err:?}"
    );
}

#[test]
fn rejects_amount_below_minimum() {
    let bolt11 = TestInvoice::regtest(Some(99)).build();
    let err = validate_payout_invoice(&bolt11, 99, &rules(), NOW).unwrap_err();
    assert!(
        matches!(
            err,
            InvoiceRejection::BelowMinimum {
                amount_sat: 99,
                min_sat: 100
            }
        ),
        "{err:?}"
    );
    let at_min = TestInvoice::regtest(Some(100)).build();
    assert!(validate_payout_invoice(&at_min, 100, &rules(), NOW).is_ok());
}

#[test]
fn every_rejection_maps_to_invalid_invoice() {
    let rejections = [
        InvoiceRejection::Expired { expires_at: 1 },
        InvoiceRejection::BelowMinimum {
            amount_sat: 1,
            min_sat: 2,
        },
        InvoiceRejection::CltvDeltaTooLarge { delta: 1, max: 0 },
    ];
    for r in rejections {
        assert_eq!(r.cant_do_reason(), "invalid_invoice");
    }
}
