//! Configuration: `settings.toml`, environment overrides and command-line flags,
//! validated at start; and the node key.
//!
//! Precedence, highest first: flags ([`Cli`]), environment (`MOSTROD_<SECTION>_<KEY>`),
//! the settings file, the defaults of PROTOCOL.md §10.1. The commented reference of
//! every setting is `crates/mostrod/settings.toml.template`.

mod admin;
mod cli;
mod env;
mod error;
mod node_key;
mod sections;
mod validate;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use nostr::key::Keys;
use serde::{Deserialize, Serialize};

use crate::engine::EngineSettings;

pub use admin::{
    load_or_create_admin_token, AdminSettings, AdminTokenText, ADMIN_TOKEN_BYTES, ADMIN_TOKEN_FILE,
    DEFAULT_ADMIN_LISTEN,
};
pub use cli::Cli;
pub use error::ConfigError;
pub use node_key::KEY_FILE;
pub use sections::{
    DatabaseSettings, ExpirationSettings, LightningSettings, MostroSettings, NostrSettings,
    PreferredTransport, PriceSettings,
};
pub use sections::{FiatLimitSettings, LnurlSettings};

/// Name of the default settings file inside the data directory.
pub const SETTINGS_FILE: &str = "settings.toml";

/// Name of the default database file inside the data directory.
pub const DATABASE_FILE: &str = "mostro.db";

/// Every setting of the daemon.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `[mostro]`.
    pub mostro: MostroSettings,
    /// `[lightning]`.
    pub lightning: LightningSettings,
    /// `[nostr]`.
    pub nostr: NostrSettings,
    /// `[database]`.
    pub database: DatabaseSettings,
    /// `[expiration]`.
    pub expiration: ExpirationSettings,
    /// `[price]`.
    pub price: PriceSettings,
    /// `[admin]`.
    pub admin: AdminSettings,
    /// `[lnurl]`.
    pub lnurl: LnurlSettings,
    /// The data directory (from flags or environment, never from the file).
    #[serde(skip)]
    pub data_dir: PathBuf,
}

impl Settings {
    /// Loads the settings for `cli` with the process environment, and validates them.
    pub fn load(cli: &Cli) -> Result<Self, ConfigError> {
        Self::load_with_env(cli, std::env::vars())
    }

    /// Loads the settings for `cli` with the environment `env`, and validates them.
    pub fn load_with_env<I, K, V>(cli: &Cli, env: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let env: HashMap<String, String> = env
            .into_iter()
            .map(|(k, v)| (k.as_ref().to_owned(), v.as_ref().to_owned()))
            .collect();
        let data_dir = data_dir(cli, &env)?;
        let (path, mut table) = match &cli.config {
            Some(path) => (path.clone(), read_table(path)?),
            None => {
                let path = data_dir.join(SETTINGS_FILE);
                let table = if path.exists() {
                    read_table(&path)?
                } else {
                    toml::Table::new()
                };
                (path, table)
            }
        };
        env::apply(&mut table, &env)?;
        let mut settings: Settings = toml::Value::Table(table)
            .try_into()
            .map_err(|source| ConfigError::Parse { path, source })?;
        settings.data_dir = data_dir;
        settings.apply_flags(cli);
        validate::validate(&settings)?;
        Ok(settings)
    }

    /// Checks every setting (done by [`Settings::load_with_env`]).
    pub fn validate(&self) -> Result<(), ConfigError> {
        validate::validate(self)
    }

    fn apply_flags(&mut self, cli: &Cli) {
        if !cli.relays.is_empty() {
            self.nostr.relays.clone_from(&cli.relays);
        }
        if let Some(host) = &cli.lnd_host {
            self.lightning.lnd_grpc_host.clone_from(host);
        }
        if let Some(cert) = &cli.lnd_cert {
            self.lightning.lnd_cert_file = Some(cert.clone());
        }
        if let Some(macaroon) = &cli.lnd_macaroon {
            self.lightning.lnd_macaroon_file = Some(macaroon.clone());
        }
        if let Some(db) = &cli.db {
            self.database.path = Some(db.clone());
        }
    }

    /// The SQLite file: `database.path`, else `<data_dir>/mostro.db`.
    pub fn database_path(&self) -> PathBuf {
        self.database
            .path
            .clone()
            .unwrap_or_else(|| self.data_dir.join(DATABASE_FILE))
    }

    /// Creates the data directory (mode 0700) if it is missing.
    pub fn ensure_data_dir(&self) -> Result<(), ConfigError> {
        node_key::create_private_dir(&self.data_dir)
    }

    /// The node keys: `nostr.nsec_privkey` if set, else `<data_dir>/mostro.key`,
    /// generated (mode 0600, directory 0700) on first start. A key file that group or
    /// others may read is refused with [`ConfigError::KeyFilePermissions`].
    pub fn node_keys(&self) -> Result<Keys, ConfigError> {
        node_key::load_or_create(self)
    }

    /// The settings the trade engine reads.
    pub fn to_engine_settings(&self) -> EngineSettings {
        let m = &self.mostro;
        let l = &self.lightning;
        EngineSettings {
            fee: m.fee,
            dev_fee_percentage: m.dev_fee_percentage,
            max_routing_fee: m.max_routing_fee,
            max_order_amount: m.max_order_amount,
            min_payment_amount: m.min_payment_amount,
            expiration_hours: m.expiration_hours,
            max_expiration_days: m.max_expiration_days,
            expiration_seconds: m.expiration_seconds,
            fiat_currencies_accepted: m.fiat_currencies_accepted.clone(),
            max_orders_per_response: m.max_orders_per_response,
            hold_invoice_cltv_delta: l.hold_invoice_cltv_delta,
            payment_attempts: l.payment_attempts,
            payment_retries_interval: l.payment_retries_interval,
            escrow_deadline_margin_blocks: l.escrow_deadline_margin_blocks,
            max_price_staleness_seconds: self.price.max_price_staleness_seconds,
            fiat_limits: m
                .fiat_limits
                .iter()
                .map(|(code, l)| {
                    let bounds = crate::engine::FiatBounds {
                        min: l.min,
                        max: l.max,
                    };
                    (code.clone(), bounds)
                })
                .collect(),
        }
    }

    /// Every setting with a sample value of its type (optional settings filled in),
    /// as TOML: tells the environment overrides which keys exist and their types.
    fn shape() -> Result<toml::Table, ConfigError> {
        let mut probe = Settings::default();
        probe.mostro.pow_first_contact = Some(0);
        probe.mostro.name = Some(String::new());
        probe.mostro.about = Some(String::new());
        probe.mostro.picture = Some(String::new());
        probe.mostro.website = Some(String::new());
        probe.lightning.lnd_cert_file = Some(PathBuf::new());
        probe.lightning.lnd_macaroon_file = Some(PathBuf::new());
        probe.nostr.nsec_privkey = Some(String::new());
        probe.database.path = Some(PathBuf::new());
        probe.admin.token_file = Some(PathBuf::new());
        match toml::Value::try_from(&probe).map_err(ConfigError::Describe)? {
            toml::Value::Table(table) => Ok(table),
            _ => Ok(toml::Table::new()),
        }
    }
}

/// `--data-dir`, else `MOSTROD_DATA_DIR`, else `$HOME/.mostrod`.
fn data_dir(cli: &Cli, env: &HashMap<String, String>) -> Result<PathBuf, ConfigError> {
    if let Some(dir) = &cli.data_dir {
        return Ok(dir.clone());
    }
    if let Some(dir) = env.get("MOSTROD_DATA_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    env.get("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| Path::new(home).join(".mostrod"))
        .ok_or(ConfigError::NoDataDir)
}

fn read_table(path: &Path) -> Result<toml::Table, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    text.parse::<toml::Table>()
        .map_err(|source| ConfigError::Parse {
            path: path.to_owned(),
            source,
        })
}
