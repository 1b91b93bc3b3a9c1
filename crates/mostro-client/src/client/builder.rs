//! Builder of [`MostroClient`].

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use mostro_protocol::envelope::Transport;
use mostro_relay::{PoolOptions, RelayPool};
use nostr::key::PublicKey;

use super::{Inner, MostroClient, Privacy, Timeouts};
use crate::error::ClientError;
use crate::keystore;
use crate::store::Store;

/// Configures a [`MostroClient`]: data directory, relays, daemon key,
/// privacy mode, transport override and timeouts.
#[derive(Debug, Default)]
pub struct MostroClientBuilder {
    data_dir: Option<PathBuf>,
    relays: Vec<String>,
    daemon: Option<PublicKey>,
    privacy: Privacy,
    transport: Option<Transport>,
    timeouts: Timeouts,
    passphrase: String,
    import_mnemonic: Option<String>,
    pool_options: Option<PoolOptions>,
}

impl MostroClientBuilder {
    /// Directory for the mnemonic and the database (created `0700`). Required.
    #[must_use]
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Adds a relay URL.
    #[must_use]
    pub fn relay(mut self, url: impl Into<String>) -> Self {
        self.relays.push(url.into());
        self
    }

    /// Adds several relay URLs.
    #[must_use]
    pub fn relays<I, S>(mut self, urls: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.relays.extend(urls.into_iter().map(Into::into));
        self
    }

    /// The daemon's public key. Required.
    #[must_use]
    pub fn daemon(mut self, pubkey: PublicKey) -> Self {
        self.daemon = Some(pubkey);
        self
    }

    /// Reputation (default) or full privacy.
    #[must_use]
    pub fn privacy(mut self, privacy: Privacy) -> Self {
        self.privacy = privacy;
        self
    }

    /// Forces a transport instead of the one the daemon advertises.
    #[must_use]
    pub fn transport(mut self, transport: Option<Transport>) -> Self {
        self.transport = transport;
        self
    }

    /// Time limits.
    #[must_use]
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// BIP-39 passphrase (never stored; empty for none).
    #[must_use]
    pub fn passphrase(mut self, passphrase: impl Into<String>) -> Self {
        self.passphrase = passphrase.into();
        self
    }

    /// Imports this mnemonic into the data directory instead of generating one.
    #[must_use]
    pub fn import_mnemonic(mut self, phrase: impl Into<String>) -> Self {
        self.import_mnemonic = Some(phrase.into());
        self
    }

    /// Relay pool tunables.
    #[must_use]
    pub fn pool_options(mut self, options: PoolOptions) -> Self {
        self.pool_options = Some(options);
        self
    }

    /// Opens the data directory (creating the mnemonic on first use), the
    /// database, and the relay connections. Must run inside a Tokio runtime.
    pub fn build(self) -> Result<MostroClient, ClientError> {
        let data_dir = self
            .data_dir
            .ok_or_else(|| ClientError::InvalidInput("a data directory is required".into()))?;
        let daemon = self
            .daemon
            .ok_or_else(|| ClientError::InvalidInput("the daemon public key is required".into()))?;
        let (mnemonic, mnemonic_source) = match &self.import_mnemonic {
            Some(phrase) => (
                keystore::import(&data_dir, phrase)?,
                keystore::MnemonicSource::Loaded,
            ),
            None => keystore::load_or_create(&data_dir)?,
        };
        let keys = keystore::derive(&mnemonic, &self.passphrase)?;
        let store = Store::open(&data_dir)?;
        let pool = RelayPool::new(&self.relays, self.pool_options.unwrap_or_default())?;
        Ok(MostroClient {
            inner: Arc::new(Inner {
                pool,
                store,
                keys,
                daemon,
                privacy: self.privacy,
                transport_override: self.transport,
                timeouts: self.timeouts,
                mnemonic_source,
                info: Mutex::new(None),
                info_tried: AtomicBool::new(false),
            }),
        })
    }
}
