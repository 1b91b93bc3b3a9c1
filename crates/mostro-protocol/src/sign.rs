//! The Mostro signature rule (PROTOCOL.md §1.2) and the v2 identity proof (§1.4).
//!
//! Every signature in the content tuple is a BIP-340 Schnorr signature over the
//! 32-byte digest `SHA-256(utf8(s))`, where `s` is:
//!
//! * for the **trade signature**: the canonical message JSON (`Message::as_json`);
//! * for the **identity proof**: `"mostro-transport-v2-identity:" + <trade pubkey,
//!   64 lowercase hex> + ":" + <canonical message JSON>`.
//!
//! Signatures travel as 128 lowercase hex characters (the `Display`/`to_hex` form of
//! [`Signature`]). BIP-340 signing draws 32 bytes of auxiliary randomness, so signing
//! the same string twice gives two different, equally valid signatures; the
//! `*_with_aux_rand` variants exist for byte-exact reference checks.

use nostr::event::Signature;
use nostr::key::{Keys, PublicKey};
use secp256k1::{schnorr, Secp256k1};
use sha2::{Digest, Sha256};

/// Domain prefix of the v2 identity-proof payload (§1.4).
pub const IDENTITY_PROOF_PREFIX: &str = "mostro-transport-v2-identity:";

/// `SHA-256(utf8(text))`: the 32-byte digest that Mostro signatures commit to.
pub fn message_digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// Signs `message_json` with `keys` (the trade key) using fresh BIP-340 aux randomness.
///
/// `message_json` MUST be the canonical rendering (`Message::as_json`): receivers
/// re-serialise the message and verify against that string, not the bytes sent.
pub fn sign_message(keys: &Keys, message_json: &str) -> Signature {
    keys.sign_schnorr(message_digest(message_json))
}

/// Signs `message_json` with explicit BIP-340 auxiliary data.
///
/// With `aux = [0; 32]` this is deterministic and reproduces the `*_reference`
/// signatures of the test vectors. Production code should use [`sign_message`].
pub fn sign_message_with_aux_rand(keys: &Keys, message_json: &str, aux: &[u8; 32]) -> Signature {
    sign_digest_with_aux_rand(keys, &message_digest(message_json), aux)
}

/// Verifies a trade signature: BIP-340 over `SHA-256(utf8(message_json))` by `pubkey`.
///
/// Returns `false` for any failure (wrong key, wrong bytes, malformed signature).
pub fn verify_message_signature(pubkey: &PublicKey, message_json: &str, sig: &Signature) -> bool {
    verify_digest(pubkey, &message_digest(message_json), sig)
}

/// Builds the v2 identity-proof payload for a message sent from `trade_pubkey`.
///
/// `"mostro-transport-v2-identity:" + <trade pubkey lowercase hex> + ":" + message_json`.
pub fn identity_proof_payload(trade_pubkey: &PublicKey, message_json: &str) -> String {
    let trade_hex = trade_pubkey.to_hex();
    let mut payload = String::with_capacity(
        IDENTITY_PROOF_PREFIX.len() + trade_hex.len() + 1 + message_json.len(),
    );
    payload.push_str(IDENTITY_PROOF_PREFIX);
    payload.push_str(&trade_hex);
    payload.push(':');
    payload.push_str(message_json);
    payload
}

/// Signs the v2 identity proof with the identity key (fresh aux randomness).
///
/// The proof binds the identity key to `trade_pubkey` (the v2 event author) and to the
/// canonical `message_json`, so it cannot be replayed on another trade key's event.
pub fn sign_identity_proof(
    identity_keys: &Keys,
    trade_pubkey: &PublicKey,
    message_json: &str,
) -> Signature {
    identity_keys.sign_schnorr(message_digest(&identity_proof_payload(
        trade_pubkey,
        message_json,
    )))
}

/// Signs the v2 identity proof with explicit BIP-340 auxiliary data (reference checks).
pub fn sign_identity_proof_with_aux_rand(
    identity_keys: &Keys,
    trade_pubkey: &PublicKey,
    message_json: &str,
    aux: &[u8; 32],
) -> Signature {
    let digest = message_digest(&identity_proof_payload(trade_pubkey, message_json));
    sign_digest_with_aux_rand(identity_keys, &digest, aux)
}

/// Verifies a v2 identity proof made by `identity_pubkey` for a message sent from
/// `trade_pubkey`. The payload is rebuilt here, never taken from the sender.
pub fn verify_identity_proof(
    identity_pubkey: &PublicKey,
    trade_pubkey: &PublicKey,
    message_json: &str,
    sig: &Signature,
) -> bool {
    let payload = identity_proof_payload(trade_pubkey, message_json);
    verify_digest(identity_pubkey, &message_digest(&payload), sig)
}

fn sign_digest_with_aux_rand(keys: &Keys, digest: &[u8; 32], aux: &[u8; 32]) -> Signature {
    let secp = Secp256k1::signing_only();
    keys.sign_schnorr_with_aux_rand(&secp, digest, aux)
}

fn verify_digest(pubkey: &PublicKey, digest: &[u8; 32], sig: &Signature) -> bool {
    let Ok(xonly) = pubkey.xonly() else {
        return false;
    };
    let sig = schnorr::Signature::from_byte_array(*sig.as_bytes());
    // Contexts are cheap to create (no precomputed tables in libsecp256k1 >= 0.3).
    Secp256k1::verification_only()
        .verify_schnorr(&sig, digest, &xonly)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(label: &str) -> Keys {
        let secret = nostr::key::SecretKey::from_slice(&message_digest(label)).unwrap();
        Keys::new(secret)
    }

    #[test]
    fn sign_then_verify_roundtrip() {
        let k = keys("trade-1");
        let sig = sign_message(&k, "{}");
        assert!(verify_message_signature(&k.public_key(), "{}", &sig));
        assert!(!verify_message_signature(&k.public_key(), "{ }", &sig));
        assert!(!verify_message_signature(
            &keys("trade-2").public_key(),
            "{}",
            &sig
        ));
    }

    #[test]
    fn payload_uses_lowercase_hex_and_prefix() {
        let k = keys("trade-1");
        let p = identity_proof_payload(&k.public_key(), "{\"a\":1}");
        assert_eq!(
            p,
            format!(
                "mostro-transport-v2-identity:{}:{{\"a\":1}}",
                k.public_key().to_hex()
            )
        );
        assert_eq!(p, p.to_lowercase());
    }

    #[test]
    fn identity_proof_is_bound_to_trade_key() {
        let id = keys("identity-1");
        let t1 = keys("trade-1").public_key();
        let t2 = keys("trade-2").public_key();
        let sig = sign_identity_proof(&id, &t1, "{}");
        assert!(verify_identity_proof(&id.public_key(), &t1, "{}", &sig));
        assert!(!verify_identity_proof(&id.public_key(), &t2, "{}", &sig));
    }

    #[test]
    fn aux_zero_is_deterministic() {
        let k = keys("trade-1");
        let a = sign_message_with_aux_rand(&k, "x", &[0; 32]);
        let b = sign_message_with_aux_rand(&k, "x", &[0; 32]);
        assert_eq!(a, b);
        assert_eq!(a.to_hex().len(), 128);
    }
}
