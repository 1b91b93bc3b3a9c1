//! Test helpers: BOLT 11 invoices signed with a throwaway key.

use std::time::Duration;

use bitcoin::hashes::{sha256, Hash};
use bitcoin::secp256k1::{Secp256k1, SecretKey};
use lightning_invoice::{Currency, InvoiceBuilder, PaymentSecret};

use super::types::PaymentHash;

/// A fixed "now" for tests, in Unix seconds.
pub(crate) const NOW: u64 = 1_700_000_000;

/// A recipe for a test invoice; `build` signs it.
pub(crate) struct TestInvoice {
    pub(crate) preimage: [u8; 32],
    pub(crate) currency: Currency,
    pub(crate) amount_msat: Option<u64>,
    pub(crate) created_at: u64,
    pub(crate) expiry_secs: u64,
    pub(crate) cltv_delta: u64,
}

impl TestInvoice {
    pub(crate) fn regtest(amount_sat: Option<u64>) -> Self {
        Self {
            preimage: *b"test preimage...test preimage...",
            currency: Currency::Regtest,
            amount_msat: amount_sat.map(|a| a * 1000),
            created_at: NOW,
            expiry_secs: 7200,
            cltv_delta: 144,
        }
    }

    /// The invoice's payment hash.
    pub(crate) fn hash(&self) -> PaymentHash {
        PaymentHash(sha256::Hash::hash(&self.preimage).to_byte_array())
    }

    pub(crate) fn build(&self) -> String {
        let secp = Secp256k1::new();
        let key = SecretKey::from_slice(&[0x42; 32]).unwrap();
        let hash = sha256::Hash::hash(&self.preimage);
        let mut builder = InvoiceBuilder::new(self.currency.clone())
            .description("payout".into())
            .payment_hash(hash)
            .payment_secret(PaymentSecret([7; 32]))
            .duration_since_epoch(Duration::from_secs(self.created_at))
            .min_final_cltv_expiry_delta(self.cltv_delta)
            .expiry_time(Duration::from_secs(self.expiry_secs));
        if let Some(msat) = self.amount_msat {
            builder = builder.amount_milli_satoshis(msat);
        }
        builder
            .build_signed(|msg| secp.sign_ecdsa_recoverable(msg, &key))
            .unwrap()
            .to_string()
    }
}
