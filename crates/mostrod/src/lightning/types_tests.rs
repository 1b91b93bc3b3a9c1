//! Unit tests of the domain types.

use super::*;

#[test]
fn preimage_hash_matches_sha256() {
    // SHA-256 of 32 zero bytes.
    let preimage = Preimage([0u8; 32]);
    assert_eq!(
        preimage.payment_hash().to_hex(),
        "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
    );
}

#[test]
fn random_preimages_differ_and_round_trip_hex() {
    let a = Preimage::random();
    let b = Preimage::random();
    assert_ne!(a, b);
    let parsed: Preimage = a.to_hex().parse().unwrap();
    assert_eq!(parsed, a);
}

#[test]
fn preimage_debug_is_redacted() {
    let p = Preimage([7u8; 32]);
    let shown = format!("{p:?}");
    assert!(!shown.contains(&p.to_hex()));
    assert!(!shown.contains("07070707"));
}

#[test]
fn hash_parsing_rejects_wrong_lengths() {
    assert!("abcd".parse::<PaymentHash>().is_err());
    assert!(PaymentHash::from_slice(&[1u8; 31]).is_err());
    let h = PaymentHash([0xab; 32]);
    assert_eq!(h.to_hex().parse::<PaymentHash>().unwrap(), h);
}

#[test]
fn accepted_state_reports_earliest_expiry() {
    let state = InvoiceState::Accepted {
        htlc_expiry_heights: vec![300, 250, 400],
    };
    assert_eq!(state.earliest_htlc_expiry(), Some(250));
    assert!(!state.is_final());
    assert!(InvoiceState::Settled.is_final());
    assert_eq!(InvoiceState::Open.earliest_htlc_expiry(), None);
}

#[test]
fn fee_rounds_up_to_whole_sats() {
    let outcome = PaymentOutcome::Succeeded {
        preimage: Preimage([1; 32]),
        fee_msat: 1001,
    };
    assert_eq!(outcome.fee_sat(), Some(2));
    assert_eq!(PaymentOutcome::InFlight.fee_sat(), None);
}

#[test]
fn lnd_network_names() {
    assert_eq!(Network::from_lnd_name("regtest"), Some(Network::Regtest));
    assert_eq!(Network::from_lnd_name("testnet4"), Some(Network::Testnet));
    assert_eq!(Network::from_lnd_name("mainnet"), Some(Network::Mainnet));
    assert_eq!(Network::from_lnd_name("litecoin"), None);
}
