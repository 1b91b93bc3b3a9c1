//! Where the sandbox keeps its state, and where the workspace binaries are.
//!
//! `./sandbox up` uses `<repo>/.sandbox/`:
//!
//! ```text
//! regtest/                 the regtest network (slot 0; see docs/testnet.md)
//! pids/{relay,mostrod}.pid the processes the sandbox started
//! relay/events.jsonl       the relay's event journal; relay/relay.log
//! mostrod/                 settings.toml, mostro.key, admin.token, mostro.db, mostrod.log
//! users/{seller,buyer}/    mostro-cli data directories (mnemonic, trades)
//! ```
//!
//! `./sandbox test` uses the same layout inside a throw-away test network
//! directory (see [`crate::commands`]).

use std::path::{Path, PathBuf};

use crate::error::{Result, SandboxError};

/// Admin interface port of `./sandbox up` (next to the relay's).
pub const UP_ADMIN_PORT: u16 = 29791;

/// Relay port of `./sandbox up` (outside the regtest slot blocks).
pub const UP_RELAY_PORT: u16 = 29790;

/// The state directories of one sandbox.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The root; every process the sandbox starts mentions it on its command
    /// line, which is how a recorded PID is recognised as ours.
    pub root: PathBuf,
    /// PID files of the relay and mostrod.
    pub pids: PathBuf,
}

impl Layout {
    /// The layout rooted at `root` (an absolute path), with PID files in `pids`.
    pub fn new(root: PathBuf, pids: PathBuf) -> Self {
        Self { root, pids }
    }

    /// The layout of `./sandbox up`: `root` with `root/pids`.
    pub fn up(root: PathBuf) -> Self {
        let pids = root.join("pids");
        Self { root, pids }
    }

    /// The regtest network directory of `./sandbox up`.
    pub fn regtest(&self) -> PathBuf {
        self.root.join("regtest")
    }

    /// The relay's directory (journal and log).
    pub fn relay_dir(&self) -> PathBuf {
        self.root.join("relay")
    }

    /// mostrod's data directory.
    pub fn mostrod_dir(&self) -> PathBuf {
        self.root.join("mostrod")
    }

    /// mostro-cli data directory of `user`.
    pub fn user_dir(&self, user: &str) -> PathBuf {
        self.root.join("users").join(user)
    }

    /// PID file of the process `name`.
    pub fn pid_file(&self, name: &str) -> PathBuf {
        self.pids.join(format!("{name}.pid"))
    }

    /// The log of mostrod.
    pub fn mostrod_log(&self) -> PathBuf {
        self.mostrod_dir().join("mostrod.log")
    }

    /// The log of the relay.
    pub fn relay_log(&self) -> PathBuf {
        self.relay_dir().join("relay.log")
    }
}

/// Creates `dir` (and parents).
pub fn ensure_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| SandboxError::io(dir, e))
}

/// The workspace binaries the sandbox runs, found next to its own executable
/// (`target/<profile>/`).
#[derive(Debug, Clone)]
pub struct Bins {
    /// `mostrod`.
    pub mostrod: PathBuf,
    /// `mostro-cli`.
    pub cli: PathBuf,
    /// `mostro-devrelay`.
    pub relay: PathBuf,
    /// `mostro-admin`.
    pub admin: PathBuf,
}

impl Bins {
    /// Locates the binaries beside the running executable; fails naming the
    /// first one that is missing.
    pub fn locate() -> Result<Self> {
        let exe = std::env::current_exe().map_err(|e| SandboxError::io("current executable", e))?;
        let dir = exe
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let bins = Self {
            mostrod: dir.join("mostrod"),
            cli: dir.join("mostro-cli"),
            relay: dir.join("mostro-devrelay"),
            admin: dir.join("mostro-admin"),
        };
        for path in [&bins.mostrod, &bins.cli, &bins.relay, &bins.admin] {
            if !path.is_file() {
                return Err(SandboxError::MissingBinary { path: path.clone() });
            }
        }
        Ok(bins)
    }
}
