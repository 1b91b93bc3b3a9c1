//! Per-side dispute tokens: a short code each party and the solver can compare, so a
//! party can tell that the key writing to it in the dispute chat really is the solver
//! the node assigned (an extension; see `docs/adr/0010-dispute-tokens.md`).
//!
//! `token = u32_be(HMAC-SHA256(key = x(ECDH), msg = "mostro-dispute-token" ‖ uuid)[0..4])
//! mod 1 000 000`, written as six zero-padded decimal digits. The node computes it with
//! `ECDH(node secret, party trade key)`, the party with `ECDH(party trade secret, node
//! key)`: both get the same x-coordinate, so nothing is stored or sent to the party.

use hmac::{Hmac, Mac};
use nostr::key::{PublicKey, SecretKey};
use sha2::Sha256;
use uuid::Uuid;

use crate::chat::{ChatError, SharedSecret};

/// Domain separation prefix of the HMAC message.
const DOMAIN: &[u8] = b"mostro-dispute-token";

/// A dispute token could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum DisputeTokenError {
    /// The peer key is not a valid curve point.
    #[error("invalid key for the dispute token")]
    Key(#[source] ChatError),
    /// The HMAC refused its key (never happens for HMAC-SHA256, kept typed).
    #[error("HMAC key refused")]
    Hmac(#[source] hmac::digest::InvalidLength),
}

/// The six-digit token of `dispute_id` for the pair (`own_secret`, `peer`): the node
/// passes its secret and the party's trade key, the party its trade secret and the
/// node's key. Fails only on a key that is not a valid curve point.
pub fn dispute_token(
    own_secret: &SecretKey,
    peer: &PublicKey,
    dispute_id: &Uuid,
) -> Result<String, DisputeTokenError> {
    let shared = SharedSecret::ecdh(own_secret, peer).map_err(DisputeTokenError::Key)?;
    token_from_shared(&shared, dispute_id)
}

/// The token from an already computed ECDH x-coordinate.
pub fn token_from_shared(
    shared: &SharedSecret,
    dispute_id: &Uuid,
) -> Result<String, DisputeTokenError> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(shared.as_bytes()).map_err(DisputeTokenError::Hmac)?;
    mac.update(DOMAIN);
    mac.update(dispute_id.as_bytes());
    let tag = mac.finalize().into_bytes();
    let head = u32::from_be_bytes([tag[0], tag[1], tag[2], tag[3]]);
    Ok(format!("{:06}", head % 1_000_000))
}

#[cfg(test)]
mod tests {
    use nostr::key::Keys;

    use super::*;

    fn keys(seed: u8) -> Keys {
        Keys::new(SecretKey::from_slice(&[seed; 32]).unwrap())
    }

    const DISPUTE: Uuid = Uuid::from_u128(0xefc7_5871_2568_40b9_a6ee_c382_d4d6_de01);

    #[test]
    fn node_and_party_compute_the_same_token() {
        let node = keys(1);
        let party = keys(2);
        let at_node = dispute_token(node.secret_key(), &party.public_key(), &DISPUTE).unwrap();
        let at_party = dispute_token(party.secret_key(), &node.public_key(), &DISPUTE).unwrap();
        assert_eq!(at_node, at_party);
        assert_eq!(at_node.len(), 6);
        assert!(at_node.bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn tokens_differ_per_side_and_per_dispute() {
        let node = keys(1);
        let buyer = keys(2);
        let seller = keys(3);
        let other = Uuid::from_u128(7);
        let b = dispute_token(node.secret_key(), &buyer.public_key(), &DISPUTE).unwrap();
        let s = dispute_token(node.secret_key(), &seller.public_key(), &DISPUTE).unwrap();
        let b2 = dispute_token(node.secret_key(), &buyer.public_key(), &other).unwrap();
        assert_ne!(b, s);
        assert_ne!(b, b2);
    }

    #[test]
    fn the_token_is_the_hmac_head_modulo_a_million() {
        let shared = SharedSecret::from_bytes([9; 32]);
        let mut mac = Hmac::<Sha256>::new_from_slice(&[9; 32]).unwrap();
        mac.update(b"mostro-dispute-token");
        mac.update(DISPUTE.as_bytes());
        let tag = mac.finalize().into_bytes();
        let expected = u32::from_be_bytes([tag[0], tag[1], tag[2], tag[3]]) % 1_000_000;
        assert_eq!(
            token_from_shared(&shared, &DISPUTE).unwrap(),
            format!("{expected:06}")
        );
    }
}
