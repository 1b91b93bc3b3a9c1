//! BIP-39 mnemonic phrases and the seed they produce.

use std::fmt;
use std::str::FromStr;

use rand::TryRngCore;
use zeroize::Zeroizing;

use super::KeyError;

/// Length in bytes of a BIP-39 seed.
pub const SEED_LEN: usize = 64;

/// Entropy for a 12-word phrase (128 bits), the size Mostro clients generate.
const DEFAULT_ENTROPY_LEN: usize = 16;

/// An English BIP-39 mnemonic phrase.
///
/// It is the only thing a user needs to move a Mostro session to another device.
/// `Debug` never prints the words and the phrase is wiped on drop. There is
/// deliberately no `Display`: use [`Mnemonic::phrase`] when the words must be
/// shown to the user.
#[derive(Clone, PartialEq, Eq)]
pub struct Mnemonic {
    inner: bip39::Mnemonic,
}

impl fmt::Debug for Mnemonic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mnemonic")
            .field("words", &self.inner.word_count())
            .finish_non_exhaustive()
    }
}

impl Mnemonic {
    /// Generate a fresh 12-word phrase from the operating system's RNG.
    pub fn generate() -> Result<Self, KeyError> {
        let mut entropy = Zeroizing::new([0u8; DEFAULT_ENTROPY_LEN]);
        rand::rngs::OsRng
            .try_fill_bytes(&mut entropy[..])
            .map_err(KeyError::Randomness)?;
        Self::from_entropy(&entropy[..])
    }

    /// Build the phrase that encodes `entropy` (16, 20, 24, 28 or 32 bytes
    /// for 12, 15, 18, 21 or 24 words).
    pub fn from_entropy(entropy: &[u8]) -> Result<Self, KeyError> {
        bip39::Mnemonic::from_entropy(entropy)
            .map(|inner| Self { inner })
            .map_err(KeyError::InvalidEntropy)
    }

    /// Parse and validate a phrase: English wordlist, 12–24 words, valid
    /// checksum. Surrounding and repeated whitespace and upper-case letters are
    /// tolerated; the text is Unicode-normalised (NFKD) as BIP-39 requires.
    pub fn parse(phrase: &str) -> Result<Self, KeyError> {
        let lowered = Zeroizing::new(phrase.to_lowercase());
        bip39::Mnemonic::parse_in(bip39::Language::English, lowered.as_str())
            .map(|inner| Self { inner })
            .map_err(KeyError::InvalidMnemonic)
    }

    /// The words separated by single spaces (the canonical phrase).
    pub fn phrase(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::new());
        for (i, word) in self.inner.words().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(word);
        }
        out
    }

    /// Number of words in the phrase.
    pub fn word_count(&self) -> usize {
        self.inner.word_count()
    }

    /// The BIP-39 seed for this phrase and `passphrase` (empty for none).
    /// The passphrase is NFKD-normalised as BIP-39 specifies.
    pub fn to_seed(&self, passphrase: &str) -> Seed {
        Seed {
            bytes: Zeroizing::new(self.inner.to_seed(passphrase)),
        }
    }
}

impl FromStr for Mnemonic {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A 64-byte BIP-39 seed, wiped on drop and never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Seed {
    bytes: Zeroizing<[u8; SEED_LEN]>,
}

impl fmt::Debug for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Seed(<redacted>)")
    }
}

impl Seed {
    /// Wrap raw seed bytes (for instance from a key store).
    pub fn from_bytes(bytes: [u8; SEED_LEN]) -> Self {
        Self {
            bytes: Zeroizing::new(bytes),
        }
    }

    /// The raw seed bytes.
    pub fn as_bytes(&self) -> &[u8; SEED_LEN] {
        &self.bytes
    }

    /// The seed as lowercase hex (for tests and backups; handle as a secret).
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(&self.bytes[..]))
    }
}
