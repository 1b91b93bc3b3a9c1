//! The configuration's error type.

use std::path::PathBuf;

/// Why the configuration could not be loaded, or the node key not obtained.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// No data directory was given and `$HOME` is unset.
    #[error("no data directory: pass --data-dir or set MOSTROD_DATA_DIR or HOME")]
    NoDataDir,
    /// The settings file could not be read.
    #[error("cannot read settings file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The settings file is not valid TOML or has misspelt or mistyped keys.
    #[error("invalid settings file {path}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parse error (names the line and key).
        #[source]
        source: toml::de::Error,
    },
    /// An environment override names no known setting, or its value has the wrong type.
    #[error("invalid environment override {var}: {reason}")]
    Env {
        /// The variable name.
        var: String,
        /// What is wrong.
        reason: String,
    },
    /// The settings could not be described for environment overrides (a bug).
    #[error("cannot describe the settings")]
    Describe(#[source] toml::ser::Error),
    /// A setting is out of range or malformed.
    #[error("invalid setting {setting} = {value}: {reason}")]
    Invalid {
        /// `section.key`.
        setting: &'static str,
        /// The value as configured (secrets are redacted).
        value: String,
        /// What is wrong.
        reason: String,
    },
    /// A directory or the key file could not be created, read or written.
    #[error("cannot access {path}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The key file may be read by other users.
    #[error(
        "key file {path} has mode {mode:o}; it must be readable by its owner only (chmod 600)"
    )]
    KeyFilePermissions {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The key file does not hold a secret key.
    #[error("key file {path} does not contain a valid secret key")]
    KeyFileInvalid {
        /// The key file.
        path: PathBuf,
    },
}
