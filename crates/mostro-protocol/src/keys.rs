//! Key management (PROTOCOL.md §8): one BIP-39 mnemonic per user, and BIP-32
//! derivation along the NIP-06 layout with Mostro's account number.
//!
//! ```text
//! m/44'/1237'/38383'/0/N      N = 0 → identity key, N ≥ 1 → trade keys
//! ```
//!
//! The flow is [`Mnemonic`] → [`Seed`] → [`TradeKeys`]:
//!
//! * [`Mnemonic`] generates or parses an English BIP-39 phrase;
//! * [`Seed`] is the 64-byte BIP-39 seed (mnemonic + optional passphrase);
//! * [`TradeKeys`] derives the account node once and then hands out the identity
//!   key (index 0) and trade keys (index ≥ 1) as [`nostr::key::Keys`].
//!
//! None of these types print secret material through `Debug`, and the secret
//! bytes they own are wiped when they are dropped.

mod bip32;
mod mnemonic;
mod trade;

pub use self::mnemonic::{Mnemonic, Seed, SEED_LEN};
pub use self::trade::TradeKeys;

/// BIP-44 purpose field (hardened).
pub const PURPOSE: u32 = 44;
/// SLIP-44 coin type registered for Nostr by NIP-06 (hardened).
pub const NOSTR_COIN_TYPE: u32 = 1237;
/// The account Mostro uses under the NIP-06 tree (hardened).
pub const MOSTRO_ACCOUNT: u32 = 38383;
/// The (non-hardened) chain index below the account.
pub const MOSTRO_CHAIN: u32 = 0;
/// Key index of the identity key.
pub const IDENTITY_INDEX: u32 = 0;
/// Largest usable key index: the last step of the path is not hardened, so the
/// index must stay below 2^31.
pub const MAX_KEY_INDEX: u32 = (1 << 31) - 1;

/// The derivation path of key `index`, as text (`m/44'/1237'/38383'/0/N`).
pub fn derivation_path(index: u32) -> String {
    format!("m/{PURPOSE}'/{NOSTR_COIN_TYPE}'/{MOSTRO_ACCOUNT}'/{MOSTRO_CHAIN}/{index}")
}

/// Errors from mnemonic handling and key derivation.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The phrase is not a valid English BIP-39 mnemonic (unknown word, bad
    /// word count or bad checksum).
    #[error("invalid BIP-39 mnemonic")]
    InvalidMnemonic(#[source] bip39::Error),
    /// The entropy given to build a mnemonic has an unsupported length
    /// (BIP-39 allows 16, 20, 24, 28 or 32 bytes).
    #[error("invalid mnemonic entropy")]
    InvalidEntropy(#[source] bip39::Error),
    /// The operating system's random number generator failed.
    #[error("operating system random number generator failed")]
    Randomness(#[source] rand::rand_core::OsError),
    /// Index 0 is the identity key and must never be used as a trade key.
    #[error("index 0 is the identity key, not a trade key")]
    IdentityIndexAsTradeKey,
    /// The index does not fit a non-hardened BIP-32 step.
    #[error("key index {0} is out of range (maximum {MAX_KEY_INDEX})")]
    IndexOutOfRange(u32),
    /// BIP-32 produced an unusable key at this step (probability below 2^-127).
    #[error("BIP-32 derivation produced an invalid key at step {step}")]
    InvalidDerivation {
        /// The child number (with the hardened bit, if any) that failed.
        step: u32,
    },
}
