//! Networks for test binaries: one shared per binary, or private ones.
//!
//! A test network lives in `<cache>/testnets/<label>-<pid>-<slot>` on a claimed
//! port slot. A detached watchdog stops its processes (by recorded PID) and
//! deletes its directory once the test process exits, however it exits, unless
//! `MOSTRO_TESTNET_KEEP=1`. With `MOSTRO_TESTNET_DIR=<dir>` tests attach to a
//! network started elsewhere (`regtest up --dir <dir>`) and never stop it.

use std::path::PathBuf;

use tokio::sync::OnceCell;

use crate::binaries::{cache_root, Binaries};
use crate::error::{Result, TestnetError};
use crate::network::Network;
use crate::ports::claim_free_slot;
use crate::process;
use crate::progress::progress;

/// Attach to the network in this directory instead of starting one.
pub const DIR_ENV: &str = "MOSTRO_TESTNET_DIR";
/// When `1`, test networks are left running (and on disk) at exit.
pub const KEEP_ENV: &str = "MOSTRO_TESTNET_KEEP";

/// The network shared by all tests of this test binary: started on first use
/// (or attached, see [`DIR_ENV`]), torn down when the process exits.
///
/// A failed start is remembered, so later tests fail fast with the same error.
/// Tests that stop or restart a node should hold [`Network::exclusive`]; the
/// others [`Network::shared`].
pub async fn shared_network() -> Result<&'static Network> {
    static SHARED: OnceCell<std::result::Result<Network, String>> = OnceCell::const_new();
    let outcome = SHARED
        .get_or_init(|| async {
            let started = match std::env::var_os(DIR_ENV).filter(|d| !d.is_empty()) {
                Some(dir) => Network::attach(&PathBuf::from(dir)).await,
                None => start_test_network(&binary_label()).await,
            };
            started.map_err(|e| e.to_string())
        })
        .await;
    outcome
        .as_ref()
        .map_err(|e| TestnetError::Invalid(format!("shared test network unavailable: {e}")))
}

/// Starts a private network for this test process, on its own port slot, in a
/// directory labelled `label`; it is torn down at process exit (see module docs).
pub async fn start_test_network(label: &str) -> Result<Network> {
    // Fail with the build hint before claiming anything.
    Binaries::locate()?;
    let root = cache_root();
    let pid = std::process::id();
    let claim = claim_free_slot(&root.join("claims"), pid)?;
    let dir = root
        .join("testnets")
        .join(format!("{label}-{pid}-{}", claim.block.slot));
    std::fs::create_dir_all(&dir).map_err(|e| TestnetError::io(&dir, e))?;
    // The watchdog matches daemons by this exact path on their command line.
    let dir = dir.canonicalize().map_err(|e| TestnetError::io(&dir, e))?;
    let keep = std::env::var(KEEP_ENV).is_ok_and(|v| v == "1");
    if keep {
        progress!(
            "{KEEP_ENV}=1: the test network in {} stays up",
            dir.display()
        );
    } else {
        process::spawn_watchdog(
            pid,
            &dir,
            &dir.join("pids"),
            &[dir.clone(), claim.path.clone()],
        )?;
    }
    progress!(
        "starting test network in {} (ports {}..)",
        dir.display(),
        claim.block.base()
    );
    Network::start_or_attach(&dir, claim.block).await
}

/// A directory-safe name for the running test binary.
fn binary_label() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .map(|s| {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect()
        })
        .unwrap_or_else(|| "tests".to_string())
}
