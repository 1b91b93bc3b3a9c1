//! Turning the global options into a data directory and a connected client.

use std::path::PathBuf;
use std::time::Duration;

use mostro_client::keystore::MnemonicSource;
use mostro_client::store::Store;
use mostro_client::{MostroClient, Privacy, Timeouts, Transport};
use nostr::key::PublicKey;
use nostr::nips::nip19::FromBech32;
use uuid::Uuid;

use crate::args::{GlobalArgs, TransportArg};
use crate::error::CliError;

/// Relay queries (order book, info, chat history) never wait longer than this.
const MAX_FETCH_SECS: u64 = 10;

/// Name of the data directory under `$XDG_DATA_HOME` or (hidden) under `$HOME`.
const APP_DIR: &str = "mostro-cli";

/// What every command needs from the global options.
#[derive(Debug)]
pub struct Context {
    /// The parsed global options.
    pub global: GlobalArgs,
    /// The resolved data directory.
    pub data_dir: PathBuf,
}

impl Context {
    /// Resolves the data directory: `--data-dir`, else `$XDG_DATA_HOME/mostro-cli`,
    /// else `~/.mostro-cli`.
    pub fn new(global: GlobalArgs) -> Result<Self, CliError> {
        let data_dir = match &global.data_dir {
            Some(dir) => dir.clone(),
            None => default_data_dir()?,
        };
        Ok(Self { global, data_dir })
    }

    /// Whether JSON output was asked for.
    pub fn json(&self) -> bool {
        self.global.json
    }

    /// The configured relays (empty entries dropped).
    pub fn relays(&self) -> Vec<String> {
        self.global
            .relays
            .iter()
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty())
            .collect()
    }

    /// The local store alone, for commands that need no network.
    pub fn store(&self) -> Result<Store, CliError> {
        if !self.data_dir.exists() {
            return Err(CliError::Usage(format!(
                "no data directory at {}; run `mostro-cli init` first",
                self.data_dir.display()
            )));
        }
        Ok(Store::open(&self.data_dir).map_err(mostro_client::ClientError::from)?)
    }

    /// Builds a client of the chosen daemon over the chosen relays. On first
    /// use this creates the mnemonic; the user is told how to back it up.
    pub fn client(&self) -> Result<MostroClient, CliError> {
        let daemon = parse_pubkey(self.global.mostro.as_deref())?;
        let relays = self.relays();
        if relays.is_empty() {
            return Err(CliError::Usage(
                "no relay given; use --relay wss://... or set MOSTRO_RELAYS".into(),
            ));
        }
        let timeout = self.global.timeout.max(1);
        let client = MostroClient::builder()
            .data_dir(&self.data_dir)
            .relays(relays)
            .daemon(daemon)
            .privacy(if self.global.full_privacy {
                Privacy::FullPrivacy
            } else {
                Privacy::Reputation
            })
            .transport(self.global.transport.map(|t| match t {
                TransportArg::V1 => Transport::V1,
                TransportArg::V2 => Transport::V2,
            }))
            .timeouts(Timeouts {
                reply: Duration::from_secs(timeout),
                fetch: Duration::from_secs(timeout.min(MAX_FETCH_SECS)),
            })
            .build()?;
        if client.mnemonic_source() == MnemonicSource::Created {
            eprintln!(
                "A new mnemonic was created in {}. Back it up now: run `mostro-cli mnemonic --show` \
                 and write the words down; they are the only way to recover your trades.",
                self.data_dir.display()
            );
        }
        Ok(client)
    }
}

fn default_data_dir() -> Result<PathBuf, CliError> {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(xdg) = non_empty("XDG_DATA_HOME") {
        return Ok(PathBuf::from(xdg).join(APP_DIR));
    }
    match non_empty("HOME") {
        Some(home) => Ok(PathBuf::from(home).join(format!(".{APP_DIR}"))),
        None => Err(CliError::Usage(
            "cannot find a home directory; pass --data-dir or set MOSTRO_DATA_DIR".into(),
        )),
    }
}

/// Parses the daemon key given as npub or hex.
pub fn parse_pubkey(raw: Option<&str>) -> Result<PublicKey, CliError> {
    let raw = raw
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            CliError::Usage(
                "no Mostro daemon chosen; use --mostro <npub|hex> or set MOSTRO_PUBKEY".into(),
            )
        })?;
    let parsed = if raw.starts_with("npub1") {
        PublicKey::from_bech32(raw).ok()
    } else {
        PublicKey::from_hex(raw).ok()
    };
    parsed.ok_or_else(|| {
        CliError::Usage(format!(
            "`{raw}` is not a valid Mostro public key (expected npub1... or 64 hex characters)"
        ))
    })
}

/// Resolves an order id: a full UUID, or a unique prefix of a local order's id.
pub fn resolve_order_id(store: &Store, raw: &str) -> Result<Uuid, CliError> {
    let raw = raw.trim();
    if let Ok(id) = Uuid::parse_str(raw) {
        return Ok(id);
    }
    let prefix = raw.to_ascii_lowercase();
    if prefix.len() < 4 || !prefix.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(CliError::Usage(format!(
            "`{raw}` is not an order id (give the full id, or at least 4 of its first characters)"
        )));
    }
    let orders = store.orders().map_err(mostro_client::ClientError::from)?;
    let matches: Vec<Uuid> = orders
        .iter()
        .map(|o| o.id)
        .filter(|id| id.to_string().starts_with(&prefix))
        .collect();
    match matches.as_slice() {
        [one] => Ok(*one),
        [] => Err(CliError::Usage(format!(
            "none of your orders starts with `{raw}`; see `mostro-cli my-orders --all`"
        ))),
        _ => Err(CliError::Usage(format!(
            "`{raw}` matches {} of your orders; give more characters",
            matches.len()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use mostro_client::LocalOrder;
    use mostro_protocol::Kind;

    use super::*;

    #[test]
    fn pubkeys_parse_from_npub_and_hex_and_bad_input_is_usage() {
        let keys = nostr::key::Keys::generate();
        let hex = keys.public_key().to_hex();
        let npub = nostr::nips::nip19::ToBech32::to_bech32(&keys.public_key()).unwrap_or_default();
        assert_eq!(parse_pubkey(Some(&hex)).ok(), Some(keys.public_key()));
        assert_eq!(parse_pubkey(Some(&npub)).ok(), Some(keys.public_key()));
        assert!(matches!(
            parse_pubkey(Some("npub1nope")),
            Err(CliError::Usage(_))
        ));
        assert!(matches!(parse_pubkey(None), Err(CliError::Usage(_))));
    }

    #[test]
    fn order_ids_resolve_by_unique_prefix() -> Result<(), Box<dyn std::error::Error>> {
        let store = Store::in_memory()?;
        let a = Uuid::parse_str("4f1c2e8a-0000-4000-8000-000000000001")?;
        let b = Uuid::parse_str("4f1c9999-0000-4000-8000-000000000002")?;
        for (i, id) in [a, b].into_iter().enumerate() {
            store.save_order(&LocalOrder::new(id, i as u32 + 1, Kind::Sell, true, 0))?;
        }
        assert_eq!(resolve_order_id(&store, "4f1c2e")?, a);
        assert_eq!(resolve_order_id(&store, &b.to_string())?, b);
        assert!(resolve_order_id(&store, "4f1c").is_err());
        assert!(resolve_order_id(&store, "ffff").is_err());
        assert!(resolve_order_id(&store, "zz").is_err());
        Ok(())
    }
}
