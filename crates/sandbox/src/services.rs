//! The relay and mostrod: started detached with a PID file, recognised by the
//! sandbox root on their command line, stopped only through that PID.

use std::path::Path;
use std::time::Duration;

use nostr::key::{Keys, SecretKey};
use testnet::mostrod::FEE_FRACTION;
use testnet::process::{pid_file_alive, spawn_daemon, stop_recorded};
use testnet::Network;

use crate::error::{within, Result, SandboxError};
use crate::layout::{ensure_dir, Bins, Layout};

/// Log line mostrod prints once recovery is done and intake is open.
const READY_LINE: &str = "mostrod running";

/// How long the relay may take to listen.
const RELAY_START: Duration = Duration::from_secs(30);
/// How long mostrod may take to connect to LND and open intake.
const MOSTROD_START: Duration = Duration::from_secs(180);
/// Grace between SIGTERM and SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(30);

/// The relay's URL for `port`.
pub fn relay_url(port: u16) -> String {
    format!("ws://127.0.0.1:{port}")
}

/// The PID of the running process `name` of this sandbox, if any.
pub fn running(layout: &Layout, name: &str) -> Option<u32> {
    pid_file_alive(&layout.pid_file(name), &layout.root)
}

/// Starts the relay on `port` unless it runs; returns once it accepts connections.
pub async fn start_relay(layout: &Layout, bins: &Bins, port: u16) -> Result<()> {
    if running(layout, "relay").is_none() {
        let dir = layout.relay_dir();
        ensure_dir(&dir)?;
        ensure_dir(&layout.pids)?;
        let args = vec![
            "--port".to_owned(),
            port.to_string(),
            "--db".to_owned(),
            dir.join("events.jsonl").display().to_string(),
        ];
        spawn_daemon(
            &bins.relay,
            &args,
            &layout.relay_log(),
            &layout.pid_file("relay"),
        )?;
    }
    within("start the relay", RELAY_START, async {
        loop {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Ok(());
            }
            if running(layout, "relay").is_none() {
                return Err(SandboxError::step(
                    "start the relay",
                    format!(
                        "mostro-devrelay exited; see {}",
                        layout.relay_log().display()
                    ),
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
}

/// mostrod's `settings.toml` for the sandbox: the fee, the `mostro` LND node, the
/// relay and the admin interface's port; everything else keeps its default.
pub fn settings_toml(net: &Network, relay: &str, admin_port: u16) -> String {
    let node = net.mostro();
    format!(
        "# Written by ./sandbox: the sandbox daemon's settings (reference:\n\
         # crates/mostrod/settings.toml.template).\n\n\
         [mostro]\nfee = {FEE_FRACTION}\nname = \"Mostro sandbox\"\n\n\
         [lightning]\nlnd_grpc_host = \"https://{}\"\nlnd_cert_file = {:?}\nlnd_macaroon_file = {:?}\n\n\
         [nostr]\nrelays = [{:?}]\n\n\
         [admin]\nlisten = \"127.0.0.1:{admin_port}\"\n",
        node.rpc_addr(),
        node.tls_cert_path().display().to_string(),
        node.macaroon_path().display().to_string(),
        relay,
    )
}

/// Writes the settings (always: the LND paths follow the network) and starts
/// mostrod unless it runs; returns once it printed that it is running.
pub async fn start_mostrod(
    layout: &Layout,
    bins: &Bins,
    net: &Network,
    relay: &str,
    admin_port: u16,
) -> Result<()> {
    let dir = layout.mostrod_dir();
    ensure_dir(&dir)?;
    ensure_dir(&layout.pids)?;
    let settings = dir.join("settings.toml");
    std::fs::write(&settings, settings_toml(net, relay, admin_port))
        .map_err(|e| SandboxError::io(&settings, e))?;
    if running(layout, "mostrod").is_some() {
        return Ok(());
    }
    let log = layout.mostrod_log();
    let offset = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
    let args = vec![
        "--data-dir".to_owned(),
        dir.display().to_string(),
        "--log".to_owned(),
        "info".to_owned(),
    ];
    spawn_daemon(&bins.mostrod, &args, &log, &layout.pid_file("mostrod"))?;
    within("start mostrod", MOSTROD_START, async {
        loop {
            if log_since(&log, offset).contains(READY_LINE) {
                return Ok(());
            }
            if running(layout, "mostrod").is_none() {
                return Err(SandboxError::step(
                    "start mostrod",
                    format!("mostrod exited before it was ready; see {}", log.display()),
                ));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await
}

/// The text appended to `log` after byte `offset`.
fn log_since(log: &Path, offset: u64) -> String {
    let bytes = std::fs::read(log).unwrap_or_default();
    let start = usize::try_from(offset).unwrap_or(0).min(bytes.len());
    String::from_utf8_lossy(&bytes[start..]).into_owned()
}

/// The daemon's Nostr keys, from the key file it generated on first start.
pub fn mostrod_keys(layout: &Layout) -> Result<Keys> {
    let path = layout.mostrod_dir().join("mostro.key");
    let text = std::fs::read_to_string(&path).map_err(|e| SandboxError::io(&path, e))?;
    let secret = SecretKey::parse(text.trim()).map_err(|e| SandboxError::BadOutput {
        what: path.display().to_string(),
        detail: format!("not a secret key: {e}"),
    })?;
    Ok(Keys::new(secret))
}

/// Stops mostrod, then the relay (each by its recorded PID).
pub async fn stop_services(layout: &Layout) -> Result<()> {
    for name in ["mostrod", "relay"] {
        stop_recorded(&layout.pid_file(name), &layout.root, STOP_GRACE).await?;
    }
    Ok(())
}

/// The last `lines` lines of `path` (empty when it cannot be read).
pub fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
