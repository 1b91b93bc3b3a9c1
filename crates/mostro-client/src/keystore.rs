//! The user's BIP-39 mnemonic on disk and the keys derived from it (PROTOCOL.md §8).
//!
//! The mnemonic is stored as its phrase in `<data dir>/mnemonic`, mode `0600`
//! inside a `0700` directory. It is the only secret that matters: every key
//! (identity at index 0, trade keys at index ≥ 1) is re-derived from it. It is
//! not encrypted at rest; protect the data directory (or use a BIP-39
//! passphrase, which is never stored).

use std::path::Path;

use mostro_protocol::keys::{Mnemonic, TradeKeys};

use crate::error::ClientError;
use crate::fs;

/// File name of the mnemonic inside the data directory.
pub const MNEMONIC_FILE: &str = "mnemonic";

/// Whether [`load_or_create`] found an existing mnemonic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MnemonicSource {
    /// Read from the data directory.
    Loaded,
    /// Generated now and saved (show it to the user for backup).
    Created,
}

/// Reads the mnemonic from `data_dir`, or generates and saves a new one.
pub fn load_or_create(data_dir: &Path) -> Result<(Mnemonic, MnemonicSource), ClientError> {
    fs::create_private_dir(data_dir)?;
    let path = data_dir.join(MNEMONIC_FILE);
    if let Some(text) = fs::read_optional(&path)? {
        return Ok((Mnemonic::parse(text.trim())?, MnemonicSource::Loaded));
    }
    let mnemonic = Mnemonic::generate()?;
    fs::write_new_private_file(&path, mnemonic.phrase().as_bytes())?;
    Ok((mnemonic, MnemonicSource::Created))
}

/// Reads the mnemonic from `data_dir`, if there is one.
pub fn load(data_dir: &Path) -> Result<Option<Mnemonic>, ClientError> {
    let path = data_dir.join(MNEMONIC_FILE);
    match fs::read_optional(&path)? {
        Some(text) => Ok(Some(Mnemonic::parse(text.trim())?)),
        None => Ok(None),
    }
}

/// Imports `phrase` into `data_dir`. Refuses to overwrite an existing,
/// different mnemonic (that would orphan its orders); importing the same
/// phrase again is a no-op.
pub fn import(data_dir: &Path, phrase: &str) -> Result<Mnemonic, ClientError> {
    let mnemonic = Mnemonic::parse(phrase)?;
    fs::create_private_dir(data_dir)?;
    if let Some(existing) = load(data_dir)? {
        if existing == mnemonic {
            return Ok(mnemonic);
        }
        return Err(ClientError::InvalidInput(
            "a different mnemonic is already stored in this data directory".to_owned(),
        ));
    }
    fs::write_new_private_file(&data_dir.join(MNEMONIC_FILE), mnemonic.phrase().as_bytes())?;
    Ok(mnemonic)
}

/// Derives every key of the user from `mnemonic` and an optional BIP-39 passphrase.
pub fn derive(mnemonic: &Mnemonic, passphrase: &str) -> Result<TradeKeys, ClientError> {
    Ok(TradeKeys::from_mnemonic(mnemonic, passphrase)?)
}
