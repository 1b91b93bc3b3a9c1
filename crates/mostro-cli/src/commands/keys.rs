//! `init` and `mnemonic`: the user's secret words.

use mostro_client::keystore::{self, MnemonicSource};
use mostro_client::store::Store;
use mostro_client::ClientError;
use mostro_protocol::keys::Mnemonic;
use nostr::nips::nip19::ToBech32;

use crate::context::Context;
use crate::error::CliError;
use crate::render::emit;
use crate::render::views::KeysView;

fn identity_npub(mnemonic: &Mnemonic) -> Result<String, CliError> {
    let keys = keystore::derive(mnemonic, "")?;
    Ok(keys
        .identity()
        .public_key()
        .to_bech32()
        .unwrap_or_else(|_| keys.identity().public_key().to_hex()))
}

/// Creates the data directory and the mnemonic (or imports `import`), and
/// shows newly generated words once.
pub fn init(ctx: &Context, import: Option<&str>) -> Result<(), CliError> {
    let dir = &ctx.data_dir;
    let (mnemonic, created, show) = match import {
        Some(words) => {
            let existed = keystore::load(dir)?.is_some();
            (keystore::import(dir, words.trim())?, !existed, false)
        }
        None => {
            let (mnemonic, source) = keystore::load_or_create(dir)?;
            let created = source == MnemonicSource::Created;
            (mnemonic, created, created)
        }
    };
    // Create the database now so later local commands find it.
    Store::open(dir).map_err(ClientError::from)?;
    let view = KeysView {
        data_dir: dir.display().to_string(),
        created,
        mnemonic: show.then(|| mnemonic.phrase().to_string()),
        identity: identity_npub(&mnemonic)?,
    };
    emit(ctx.json(), &view)
}

/// Shows the mnemonic, with a warning, when `show` is set.
pub fn mnemonic(ctx: &Context, show: bool) -> Result<(), CliError> {
    let mnemonic = keystore::load(&ctx.data_dir)?.ok_or_else(|| {
        CliError::Usage(format!(
            "no mnemonic in {}; run `mostro-cli init` first",
            ctx.data_dir.display()
        ))
    })?;
    if show {
        eprintln!(
            "Warning: anyone who sees these words controls your trades. Make sure nobody is \
             looking and nothing is recording your screen."
        );
    }
    let view = KeysView {
        data_dir: ctx.data_dir.display().to_string(),
        created: false,
        mnemonic: show.then(|| mnemonic.phrase().to_string()),
        identity: identity_npub(&mnemonic)?,
    };
    emit(ctx.json(), &view)
}
