//! The operator's view: `mostro-admin` against the sandbox daemon's admin
//! interface, after the trade (health, the Lightning node's channels, the order).

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::Command;

use crate::error::{within, Result, SandboxError};
use crate::timeline::{sats, Timeline};

/// Longest a single `mostro-admin` call may take.
const ADMIN_TIMEOUT: Duration = Duration::from_secs(30);

/// The admin interface URL on `port`.
pub fn admin_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}

/// `mostro-admin` pointed at one daemon (its URL and data directory, which holds
/// the bearer token).
#[derive(Debug, Clone)]
pub struct AdminCli {
    /// The `mostro-admin` binary.
    pub bin: PathBuf,
    /// The admin interface URL.
    pub url: String,
    /// mostrod's data directory (`admin.token` is read from it).
    pub data_dir: PathBuf,
}

impl AdminCli {
    /// Runs `mostro-admin --json <args>` and returns the JSON it printed.
    pub async fn run(&self, args: &[&str]) -> Result<Value> {
        let shown = format!("mostro-admin {}", args.join(" "));
        let output = within(&shown, ADMIN_TIMEOUT, async {
            Command::new(&self.bin)
                .arg("--url")
                .arg(&self.url)
                .arg("--data-dir")
                .arg(&self.data_dir)
                .arg("--json")
                .args(args)
                .env_remove("MOSTRO_ADMIN_URL")
                .env_remove("MOSTRO_ADMIN_TOKEN_FILE")
                .kill_on_drop(true)
                .output()
                .await
                .map_err(|source| SandboxError::Spawn {
                    program: self.bin.display().to_string(),
                    source,
                })
        })
        .await?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            return Err(SandboxError::step(
                &shown,
                format!(
                    "exited with {}: {}{}",
                    output.status,
                    String::from_utf8_lossy(&output.stderr).trim(),
                    stdout.trim()
                ),
            ));
        }
        serde_json::from_str(stdout.trim()).map_err(|e| SandboxError::BadOutput {
            what: shown,
            detail: format!("{e}: {}", stdout.trim()),
        })
    }
}

/// The status code the admin interface answers to `GET path` sent with
/// `authorization` (a whole header line, or nothing).
async fn raw_status(port: u16, path: &str, authorization: Option<&str>) -> Result<u16> {
    let what = format!("GET {path} on 127.0.0.1:{port}");
    within(&what, ADMIN_TIMEOUT, async {
        let io = |e| SandboxError::step(&what, format!("{e}"));
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.map_err(io)?;
        let header = authorization
            .map(|h| format!("{h}\r\n"))
            .unwrap_or_default();
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{header}Connection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.map_err(io)?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.map_err(io)?;
        let text = String::from_utf8_lossy(&answer);
        text.split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| SandboxError::step(&what, format!("not an HTTP answer: {text}")))
    })
    .await
}

/// Checks that the admin interface answers 401 to calls without the token
/// (none, or a wrong one) and 200 with it.
pub async fn auth_check(port: u16, token: &str, tl: &Timeline) -> Result<()> {
    let wrong = "0".repeat(token.len());
    let cases = [
        ("no token", None, 401),
        (
            "a wrong token",
            Some(format!("Authorization: Bearer {wrong}")),
            401,
        ),
        (
            "the token",
            Some(format!("Authorization: Bearer {token}")),
            200,
        ),
    ];
    for (what, header, expected) in cases {
        let status = raw_status(port, "/v1/orders", header.as_deref()).await?;
        if status != expected {
            return Err(SandboxError::step(
                "admin interface authentication",
                format!("GET /v1/orders with {what}: expected {expected}, got {status}"),
            ));
        }
    }
    tl.say(
        "operator",
        "admin interface: 401 without the token or with a wrong one, 200 with it",
    );
    Ok(())
}

/// Asks the admin interface for the daemon's health, its node's channels and
/// the traded order, and says what it answered; fails unless the daemon is
/// healthy and the order is `success`.
pub async fn operator_check(admin: &AdminCli, order_id: &str, tl: &Timeline) -> Result<()> {
    let health = admin.run(&["health"]).await?;
    let status = health["status"].as_str().unwrap_or("?");
    let height = &health["lightning"]["block_height"];
    tl.say(
        "operator",
        format!("mostro-admin health: {status}, LND synced at height {height}"),
    );
    if status != "ok" {
        return Err(SandboxError::step(
            "mostro-admin health",
            format!("the daemon reports itself {status}: {health}"),
        ));
    }
    let channels = admin.run(&["channels"]).await?;
    let list = channels.as_array().cloned().unwrap_or_default();
    if list.is_empty() {
        return Err(SandboxError::step(
            "mostro-admin channels",
            format!("expected the mostro node's channels, got {channels}"),
        ));
    }
    let local: u64 = list
        .iter()
        .filter_map(|c| c["local_balance_sat"].as_u64())
        .sum();
    tl.say(
        "operator",
        format!(
            "mostro-admin channels: {} channels, {} sats on the node's side",
            list.len(),
            sats(local)
        ),
    );
    let order = admin.run(&["order", order_id]).await?;
    let order_status = order["status"].as_str().unwrap_or("?");
    tl.say(
        "operator",
        format!("mostro-admin order {order_id}: {order_status}"),
    );
    if order_status != "success" {
        return Err(SandboxError::step(
            "mostro-admin order",
            format!("expected the traded order to be success, got {order_status}"),
        ));
    }
    Ok(())
}
