//! Chat key derivation (§9.1): raw ECDH x-coordinate, then HKDF-SHA256.

use std::fmt;

use hkdf::Hkdf;
use nostr::key::{Keys, PublicKey, SecretKey};
use secp256k1::ecdh::shared_secret_point;
use secp256k1::Parity;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::disclosure::ChatDisclosure;
use super::{ChatError, CHAT_CONV_INFO, CHAT_SIGN_INFO};

/// The raw 32-byte x-coordinate of an ECDH point (not hashed), wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct SharedSecret(Zeroizing<[u8; 32]>);

impl fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedSecret(<redacted>)")
    }
}

impl SharedSecret {
    /// `x(own_secret · peer)`. Both sides of a conversation get the same value;
    /// the peer's x-only key may be lifted with either parity because the
    /// x-coordinate of `k·P` and `k·(−P)` is the same.
    pub fn ecdh(own_secret: &SecretKey, peer: &PublicKey) -> Result<Self, ChatError> {
        let point = peer
            .xonly()
            .map_err(ChatError::InvalidPublicKey)?
            .public_key(Parity::Even);
        let full = Zeroizing::new(shared_secret_point(&point, own_secret));
        let mut x = Zeroizing::new([0u8; 32]);
        x.copy_from_slice(&full[..32]);
        Ok(Self(x))
    }

    /// Wrap raw bytes (for instance a legacy shared key received out of band).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// The 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// The keys of one conversation (§9.1).
///
/// `Debug` shows only the two public keys.
#[derive(Clone)]
pub struct ChatKeys {
    shared: SharedSecret,
    conv: Keys,
    sign: Keys,
}

impl fmt::Debug for ChatKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChatKeys")
            .field("conv", &self.conv.public_key())
            .field("sign", &self.sign.public_key())
            .finish_non_exhaustive()
    }
}

/// Derive the conversation keys from one's own trade secret and the peer's
/// public key. Both parties obtain the same keys.
///
/// For dispute chat the pair is (party trade key, solver key) — §9.4.
pub fn derive_chat_keys(own_secret: &SecretKey, peer: &PublicKey) -> Result<ChatKeys, ChatError> {
    ChatKeys::from_shared(SharedSecret::ecdh(own_secret, peer)?)
}

impl ChatKeys {
    /// Derive `K_conv` and `K_sign` from an ECDH x-coordinate.
    pub fn from_shared(shared: SharedSecret) -> Result<Self, ChatError> {
        let conv = Keys::new(hkdf_secret_key(shared.as_bytes(), CHAT_CONV_INFO)?);
        let sign = Keys::new(hkdf_secret_key(shared.as_bytes(), CHAT_SIGN_INFO)?);
        Ok(Self { shared, conv, sign })
    }

    /// The raw ECDH x-coordinate the keys come from.
    pub fn shared(&self) -> &SharedSecret {
        &self.shared
    }

    /// `K_conv`: its public key is the conversation address (`p` tag) and its
    /// self-ECDH is the NIP-44 conversation key.
    pub fn conv(&self) -> &Keys {
        &self.conv
    }

    /// `K_sign`: signs every outer event. Never disclosed.
    pub fn sign(&self) -> &Keys {
        &self.sign
    }

    /// `pub(K_conv)`.
    pub fn conv_pubkey(&self) -> PublicKey {
        self.conv.public_key()
    }

    /// `pub(K_sign)`, the author to subscribe to and route by.
    pub fn sign_pubkey(&self) -> PublicKey {
        self.sign.public_key()
    }

    /// Read-only access to this conversation for a solver: `K_conv` plus
    /// `pub(K_sign)`, never the `K_sign` secret.
    pub fn disclose(&self) -> ChatDisclosure {
        ChatDisclosure::new(self.conv.secret_key().clone(), self.sign_pubkey())
    }
}

/// `HKDF-SHA256(salt = empty, ikm, info, L = 32)` as a secret key; when the
/// output is zero or not below the curve order, retry with `info || 0x01`,
/// `info || 0x02`, … (§9.1).
fn hkdf_secret_key(ikm: &[u8; 32], info: &str) -> Result<SecretKey, ChatError> {
    // An absent salt is, by RFC 5869, a string of HashLen zero bytes, which is
    // also what an empty salt becomes once HMAC pads its key.
    let hkdf = Hkdf::<Sha256>::new(None, ikm);
    let mut info_bytes = info.as_bytes().to_vec();
    let base_len = info_bytes.len();
    for counter in 0..=u8::MAX {
        info_bytes.truncate(base_len);
        if counter > 0 {
            info_bytes.push(counter);
        }
        let mut okm = Zeroizing::new([0u8; 32]);
        hkdf.expand(&info_bytes, &mut okm[..])
            .map_err(|_| ChatError::InvalidDerivedKey)?;
        if let Ok(key) = secp256k1::SecretKey::from_byte_array(&okm) {
            return Ok(SecretKey::from(key));
        }
    }
    Err(ChatError::InvalidDerivedKey)
}
