//! The node's Nostr key: `nostr.nsec_privkey` when set, else a key file in the data
//! directory, generated on first start. The file is created readable by its owner
//! only, and a file others could read is refused rather than used.

use std::fs::{DirBuilder, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use nostr::key::{Keys, SecretKey};

use super::error::ConfigError;
use super::Settings;

/// Name of the key file inside the data directory.
pub const KEY_FILE: &str = "mostro.key";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ConfigError + '_ {
    move |source| ConfigError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The node keys for `settings`.
pub(super) fn load_or_create(settings: &Settings) -> Result<Keys, ConfigError> {
    if let Some(secret) = &settings.nostr.nsec_privkey {
        let secret = SecretKey::parse(secret).map_err(|_| ConfigError::Invalid {
            setting: "nostr.nsec_privkey",
            value: "<redacted>".to_owned(),
            reason: "must be an nsec or a 64-character hex secret key".to_owned(),
        })?;
        return Ok(Keys::new(secret));
    }
    let path = key_path(&settings.data_dir);
    match read_key_file(&path) {
        Err(ConfigError::Io { source, .. }) if source.kind() == ErrorKind::NotFound => {
            create_key_file(&settings.data_dir, &path)
        }
        other => other,
    }
}

/// `<data_dir>/mostro.key`.
pub(super) fn key_path(data_dir: &Path) -> PathBuf {
    data_dir.join(KEY_FILE)
}

fn read_key_file(path: &Path) -> Result<Keys, ConfigError> {
    let meta = std::fs::metadata(path).map_err(io(path))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(ConfigError::KeyFilePermissions {
            path: path.to_owned(),
            mode,
        });
    }
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    let secret = SecretKey::parse(text.trim()).map_err(|_| ConfigError::KeyFileInvalid {
        path: path.to_owned(),
    })?;
    Ok(Keys::new(secret))
}

fn create_key_file(data_dir: &Path, path: &Path) -> Result<Keys, ConfigError> {
    create_private_dir(data_dir)?;
    let keys = Keys::generate();
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io(path))?;
    file.write_all(format!("{}\n", keys.secret_key().to_secret_hex()).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(io(path))?;
    tracing::info!(path = %path.display(), pubkey = %keys.public_key(), "generated node key");
    Ok(keys)
}

/// Creates `dir` (and missing parents) with mode 0700 if it does not exist.
pub(super) fn create_private_dir(dir: &Path) -> Result<(), ConfigError> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io(dir))
}
