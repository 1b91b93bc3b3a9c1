//! `[admin]`: the operator's HTTP admin interface, and its bearer token file.
//!
//! The interface listens on the loopback address by default. A non-loopback `listen`
//! is refused unless `allow_remote = true` (and then it must sit behind a
//! TLS-terminating proxy: the interface itself speaks plain HTTP).

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::net::SocketAddr;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::ConfigError;

/// Default address of the admin interface (loopback only).
pub const DEFAULT_ADMIN_LISTEN: &str = "127.0.0.1:8383";

/// Name of the default token file inside the data directory.
pub const ADMIN_TOKEN_FILE: &str = "admin.token";

/// Length of the admin bearer token, in bytes (hex-encoded in the file).
pub const ADMIN_TOKEN_BYTES: usize = 32;

/// `[admin]`: the operator's admin interface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdminSettings {
    /// Serve the admin interface.
    pub enabled: bool,
    /// `host:port` to listen on.
    pub listen: String,
    /// The bearer token file; defaults to `<data_dir>/admin.token`.
    pub token_file: Option<PathBuf>,
    /// Allow a `listen` address that is not loopback (put a TLS proxy in front).
    pub allow_remote: bool,
}

impl Default for AdminSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            listen: DEFAULT_ADMIN_LISTEN.to_owned(),
            token_file: None,
            allow_remote: false,
        }
    }
}

impl AdminSettings {
    /// The parsed `listen` address, refused when it is not loopback and
    /// `allow_remote` is off.
    pub fn listen_addr(&self) -> Result<SocketAddr, ConfigError> {
        let addr: SocketAddr = self.listen.parse().map_err(|_| ConfigError::Invalid {
            setting: "admin.listen",
            value: self.listen.clone(),
            reason: "must be an IP address and port, e.g. 127.0.0.1:8383".to_owned(),
        })?;
        if !addr.ip().is_loopback() && !self.allow_remote {
            return Err(ConfigError::Invalid {
                setting: "admin.listen",
                value: self.listen.clone(),
                reason: "not a loopback address; set admin.allow_remote = true to expose the \
                         admin interface (behind a TLS-terminating proxy)"
                    .to_owned(),
            });
        }
        Ok(addr)
    }

    /// The token file: `token_file`, else `<data_dir>/admin.token`.
    pub fn token_path(&self, data_dir: &Path) -> PathBuf {
        self.token_file
            .clone()
            .unwrap_or_else(|| data_dir.join(ADMIN_TOKEN_FILE))
    }
}

/// A token file's content: the token in lower-case hex.
///
/// Debug output never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct AdminTokenText(String);

impl AdminTokenText {
    /// The hex text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AdminTokenText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminTokenText(<redacted>)")
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ConfigError + '_ {
    move |source| ConfigError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Reads the admin token at `path`, generating a fresh random one (mode 0600) when
/// the file does not exist. A file group or others may read is refused, like the
/// node key file; so is a file that does not hold 64 hex characters.
pub fn load_or_create_admin_token(path: &Path) -> Result<AdminTokenText, ConfigError> {
    match std::fs::metadata(path) {
        Ok(meta) => {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(ConfigError::KeyFilePermissions {
                    path: path.to_owned(),
                    mode,
                });
            }
            let text = std::fs::read_to_string(path).map_err(io(path))?;
            let token = text.trim().to_ascii_lowercase();
            let valid = token.len() == 2 * ADMIN_TOKEN_BYTES
                && token.bytes().all(|b| b.is_ascii_hexdigit());
            if !valid {
                return Err(ConfigError::Invalid {
                    setting: "admin.token_file",
                    value: path.display().to_string(),
                    reason: format!("must hold {ADMIN_TOKEN_BYTES} bytes in hex"),
                });
            }
            Ok(AdminTokenText(token))
        }
        Err(error) if error.kind() == ErrorKind::NotFound => create(path),
        Err(error) => Err(io(path)(error)),
    }
}

fn create(path: &Path) -> Result<AdminTokenText, ConfigError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        super::node_key::create_private_dir(parent)?;
    }
    let mut bytes = [0u8; ADMIN_TOKEN_BYTES];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    let token = hex::encode(bytes);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io(path))?;
    file.write_all(format!("{token}\n").as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(io(path))?;
    tracing::info!(path = %path.display(), "generated admin token");
    Ok(AdminTokenText(token))
}
