//! Minimal BIP-32 private-key derivation (the only part the Mostro path needs).
//!
//! Cross-checked in tests against nostr's NIP-06 implementation and the
//! reference vectors.

use hmac::{Hmac, Mac};
use nostr::key::SecretKey;
use secp256k1::{Scalar, Secp256k1, Signing};
use sha2::Sha512;
use zeroize::Zeroizing;

use super::KeyError;

type HmacSha512 = Hmac<Sha512>;

/// Key for the master node HMAC, fixed by BIP-32.
const MASTER_HMAC_KEY: &[u8] = b"Bitcoin seed";
/// Bit set on hardened child numbers.
pub(super) const HARDENED: u32 = 1 << 31;

/// An extended private key: secret key plus chain code.
#[derive(Clone)]
pub(super) struct ExtendedSecret {
    secret: SecretKey,
    chain_code: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for ExtendedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ExtendedSecret(<redacted>)")
    }
}

impl ExtendedSecret {
    /// The master node of a BIP-32 tree from a BIP-39 seed.
    pub(super) fn master(seed: &[u8]) -> Result<Self, KeyError> {
        let out = hmac_sha512(MASTER_HMAC_KEY, &[seed]);
        Self::from_hmac_output(&out, None, 0)
    }

    /// The secret key of this node.
    pub(super) fn secret_key(&self) -> &SecretKey {
        &self.secret
    }

    /// Derive child `step` (set [`HARDENED`] for a hardened child).
    pub(super) fn child<C: Signing>(
        &self,
        secp: &Secp256k1<C>,
        step: u32,
    ) -> Result<Self, KeyError> {
        let step_bytes = step.to_be_bytes();
        let out = if step & HARDENED != 0 {
            // 0x00 || ser256(k_par) || ser32(i)
            let secret = Zeroizing::new(self.secret.secret_bytes());
            hmac_sha512(&self.chain_code[..], &[&[0u8], &secret[..], &step_bytes])
        } else {
            // serP(point(k_par)) || ser32(i)
            let public = secp256k1::PublicKey::from_secret_key(secp, &self.secret);
            hmac_sha512(&self.chain_code[..], &[&public.serialize(), &step_bytes])
        };
        Self::from_hmac_output(&out, Some(&self.secret), step)
    }

    /// Walk a list of steps from this node.
    pub(super) fn derive_path<C: Signing>(
        &self,
        secp: &Secp256k1<C>,
        steps: &[u32],
    ) -> Result<Self, KeyError> {
        let mut node = self.clone();
        for &step in steps {
            node = node.child(secp, step)?;
        }
        Ok(node)
    }

    /// Split `I = IL || IR`; the key is `IL` (master) or `IL + k_par mod n`
    /// (child); `IR` is the chain code. BIP-32 declares the node invalid when
    /// `IL ≥ n` or the resulting key is zero.
    fn from_hmac_output(
        out: &[u8; 64],
        parent: Option<&SecretKey>,
        step: u32,
    ) -> Result<Self, KeyError> {
        let invalid = || KeyError::InvalidDerivation { step };
        let mut il = Zeroizing::new([0u8; 32]);
        il.copy_from_slice(&out[..32]);
        let mut chain_code = Zeroizing::new([0u8; 32]);
        chain_code.copy_from_slice(&out[32..]);

        let key = match parent {
            None => secp256k1::SecretKey::from_byte_array(&il).map_err(|_| invalid())?,
            Some(parent) => {
                let tweak = Scalar::from_be_bytes(*il).map_err(|_| invalid())?;
                // `add_tweak` consumes a copy; the parent stays untouched.
                let base: secp256k1::SecretKey = **parent;
                base.add_tweak(&tweak).map_err(|_| invalid())?
            }
        };
        Ok(Self {
            secret: SecretKey::from(key),
            chain_code,
        })
    }
}

/// HMAC-SHA512 over the concatenation of `parts`, in a buffer wiped on drop.
fn hmac_sha512(key: &[u8], parts: &[&[u8]]) -> Zeroizing<[u8; 64]> {
    // HMAC takes keys of any length; `InvalidLength` exists only for MACs with
    // a fixed key size, so this branch is impossible.
    let mut mac = HmacSha512::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    for part in parts {
        mac.update(part);
    }
    let mut out = Zeroizing::new([0u8; 64]);
    out.copy_from_slice(&mac.finalize().into_bytes());
    out
}
