//! Where the prebuilt btcd and LND binaries live.
//!
//! Layout (shared with `scripts/build-lightning.sh`):
//! `${MOSTRO_CACHE_DIR:-$HOME/.cache/mostro-rs}/go/bin/<name>-<version>/<binary>`.

use std::path::{Path, PathBuf};

use crate::error::{Result, TestnetError};

/// The btcd version we build and run.
pub const BTCD_VERSION: &str = "v0.25.0";
/// The LND version we build and run.
pub const LND_VERSION: &str = "v0.21.2-beta";

/// Environment variable overriding the cache root.
pub const CACHE_DIR_ENV: &str = "MOSTRO_CACHE_DIR";

/// The cache root: `$MOSTRO_CACHE_DIR`, else `$HOME/.cache/mostro-rs`.
pub fn cache_root() -> PathBuf {
    if let Some(dir) = std::env::var_os(CACHE_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/tmp"), PathBuf::from);
    home.join(".cache").join("mostro-rs")
}

/// Paths of the four executables a network needs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Binaries {
    /// The btcd daemon.
    pub btcd: PathBuf,
    /// btcd's RPC client.
    pub btcctl: PathBuf,
    /// The LND daemon.
    pub lnd: PathBuf,
    /// LND's command-line client.
    pub lncli: PathBuf,
}

impl Binaries {
    /// The expected paths under a cache root (they may not exist yet).
    pub fn under(root: &Path) -> Self {
        let bin = root.join("go").join("bin");
        let btcd_dir = bin.join(format!("btcd-{BTCD_VERSION}"));
        let lnd_dir = bin.join(format!("lnd-{LND_VERSION}"));
        Self {
            btcd: btcd_dir.join("btcd"),
            btcctl: btcd_dir.join("btcctl"),
            lnd: lnd_dir.join("lnd"),
            lncli: lnd_dir.join("lncli"),
        }
    }

    /// The binaries under [`cache_root`], checked to exist.
    ///
    /// Fails with [`TestnetError::MissingBinary`], whose message tells how to build
    /// them, when one is absent.
    pub fn locate() -> Result<Self> {
        let bins = Self::under(&cache_root());
        bins.check()?;
        Ok(bins)
    }

    /// Checks that every binary exists and is a file.
    pub fn check(&self) -> Result<()> {
        let all = [
            ("btcd", BTCD_VERSION, &self.btcd),
            ("btcctl", BTCD_VERSION, &self.btcctl),
            ("lnd", LND_VERSION, &self.lnd),
            ("lncli", LND_VERSION, &self.lncli),
        ];
        for (name, version, path) in all {
            if !path.is_file() {
                return Err(TestnetError::MissingBinary {
                    what: format!("{name} {version}"),
                    path: path.clone(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_keyed_by_version() {
        let bins = Binaries::under(Path::new("/c"));
        assert_eq!(bins.btcd, Path::new("/c/go/bin/btcd-v0.25.0/btcd"));
        assert_eq!(bins.btcctl, Path::new("/c/go/bin/btcd-v0.25.0/btcctl"));
        assert_eq!(bins.lnd, Path::new("/c/go/bin/lnd-v0.21.2-beta/lnd"));
        assert_eq!(bins.lncli, Path::new("/c/go/bin/lnd-v0.21.2-beta/lncli"));
    }

    #[test]
    fn missing_binary_message_says_how_to_build() {
        let err = Binaries::under(Path::new("/nonexistent-cache"))
            .check()
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("regtest -- build"), "{text}");
        assert!(
            text.contains("/nonexistent-cache/go/bin/btcd-v0.25.0/btcd"),
            "{text}"
        );
    }
}
