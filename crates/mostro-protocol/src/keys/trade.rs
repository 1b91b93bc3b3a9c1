//! The identity key and per-order trade keys derived from one seed.

use std::fmt;

use nostr::key::Keys;
use secp256k1::{Secp256k1, SignOnly};

use super::bip32::{ExtendedSecret, HARDENED};
use super::{
    KeyError, Mnemonic, Seed, IDENTITY_INDEX, MAX_KEY_INDEX, MOSTRO_ACCOUNT, MOSTRO_CHAIN,
    NOSTR_COIN_TYPE, PURPOSE,
};

/// All keys of one Mostro user: the chain node `m/44'/1237'/38383'/0` is derived
/// once, then each key index is a single non-hardened step below it.
///
/// `Debug` shows only the identity public key.
#[derive(Clone)]
pub struct TradeKeys {
    secp: Secp256k1<SignOnly>,
    chain: ExtendedSecret,
    identity: Keys,
}

impl fmt::Debug for TradeKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TradeKeys")
            .field("identity", &self.identity.public_key())
            .finish_non_exhaustive()
    }
}

impl TradeKeys {
    /// Derive from a BIP-39 seed.
    pub fn from_seed(seed: &Seed) -> Result<Self, KeyError> {
        let secp = Secp256k1::signing_only();
        let chain = ExtendedSecret::master(seed.as_bytes())?.derive_path(
            &secp,
            &[
                PURPOSE | HARDENED,
                NOSTR_COIN_TYPE | HARDENED,
                MOSTRO_ACCOUNT | HARDENED,
                MOSTRO_CHAIN,
            ],
        )?;
        let identity = derive_at(&secp, &chain, IDENTITY_INDEX)?;
        Ok(Self {
            secp,
            chain,
            identity,
        })
    }

    /// Derive from a mnemonic and an optional BIP-39 passphrase (`""` for none).
    pub fn from_mnemonic(mnemonic: &Mnemonic, passphrase: &str) -> Result<Self, KeyError> {
        Self::from_seed(&mnemonic.to_seed(passphrase))
    }

    /// The identity key (index 0). It proves who the user is inside ciphertext
    /// and is never the visible author of a v2 event.
    pub fn identity(&self) -> &Keys {
        &self.identity
    }

    /// The trade key at `index` (≥ 1): one per order created or taken, used in
    /// strictly increasing order. Index 0 is refused because it is the identity.
    pub fn trade_key(&self, index: u32) -> Result<Keys, KeyError> {
        if index == IDENTITY_INDEX {
            return Err(KeyError::IdentityIndexAsTradeKey);
        }
        self.key_at(index)
    }

    /// The key at `m/44'/1237'/38383'/0/index`, including index 0.
    pub fn key_at(&self, index: u32) -> Result<Keys, KeyError> {
        derive_at(&self.secp, &self.chain, index)
    }
}

fn derive_at(
    secp: &Secp256k1<SignOnly>,
    chain: &ExtendedSecret,
    index: u32,
) -> Result<Keys, KeyError> {
    if index > MAX_KEY_INDEX {
        return Err(KeyError::IndexOutOfRange(index));
    }
    let node = chain.child(secp, index)?;
    Ok(Keys::new(node.secret_key().clone()))
}
