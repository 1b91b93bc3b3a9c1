//! One LND node: its command line, start, stop, restart, and `lncli` access.
//!
//! Queries and actions (invoices, balances, channels) are in [`crate::node_ops`];
//! background payments in [`crate::payment`].

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::binaries::Binaries;
use crate::cli;
use crate::description::{BtcdInfo, NetworkDescription, NodeInfo, NodeName};
use crate::error::{Result, TestnetError};
use crate::process;

/// How long LND may take to answer RPC after a start.
const START_TIMEOUT: Duration = Duration::from_secs(90);
/// How long LND may take to shut down after SIGTERM.
const STOP_GRACE: Duration = Duration::from_secs(30);

/// A handle on one LND node of a network.
#[derive(Debug, Clone)]
pub struct Node {
    info: NodeInfo,
    btcd: BtcdInfo,
    binaries: Binaries,
    network_dir: PathBuf,
    pid_file: PathBuf,
}

/// What `getinfo` says about a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeStatus {
    /// Identity public key (hex).
    pub pubkey: String,
    /// The height LND has processed.
    pub block_height: u64,
    /// LND considers itself synced with btcd.
    pub synced_to_chain: bool,
    /// Channels currently active.
    pub num_active_channels: u64,
    /// Connected peers.
    pub num_peers: u64,
}

impl Node {
    /// The handle on node `name` of a described network.
    pub fn new(desc: &NetworkDescription, name: NodeName) -> Result<Self> {
        let info = desc
            .node(name)
            .cloned()
            .ok_or_else(|| TestnetError::Invalid(format!("network has no node {name}")))?;
        Ok(Self {
            info,
            btcd: desc.btcd.clone(),
            binaries: desc.binaries.clone(),
            network_dir: desc.dir.clone(),
            pid_file: desc.pid_file(name.as_str()),
        })
    }

    /// Which node this is.
    pub fn name(&self) -> NodeName {
        self.info.name
    }

    /// Connection facts (addresses, cert and macaroon paths, pubkey).
    pub fn info(&self) -> &NodeInfo {
        &self.info
    }

    /// gRPC address `127.0.0.1:port`.
    pub fn rpc_addr(&self) -> &str {
        &self.info.rpc_addr
    }

    /// The `tls.cert` to pin.
    pub fn tls_cert_path(&self) -> &Path {
        &self.info.tls_cert_path
    }

    /// The admin macaroon.
    pub fn macaroon_path(&self) -> &Path {
        &self.info.macaroon_path
    }

    /// The node's identity public key (hex); empty before the first start.
    pub fn pubkey(&self) -> &str {
        self.info.pubkey.as_deref().unwrap_or_default()
    }

    pub(crate) fn set_pubkey(&mut self, pubkey: String) {
        self.info.pubkey = Some(pubkey);
    }

    /// `pubkey@host:port`, for `connect`.
    pub fn uri(&self) -> String {
        format!("{}@{}", self.pubkey(), self.info.p2p_addr)
    }

    fn lnd_args(&self) -> Vec<String> {
        let i = &self.info;
        vec![
            format!("--lnddir={}", i.lnddir.display()),
            format!("--alias={}", i.name),
            "--bitcoin.regtest".into(),
            "--bitcoin.node=btcd".into(),
            format!("--btcd.rpchost={}", self.btcd.rpc_addr),
            format!("--btcd.rpcuser={}", self.btcd.rpc_user),
            format!("--btcd.rpcpass={}", self.btcd.rpc_pass),
            format!("--btcd.rpccert={}", self.btcd.rpc_cert.display()),
            format!("--rpclisten={}", i.rpc_addr),
            format!("--listen={}", i.p2p_addr),
            format!("--restlisten={}", i.rest_addr),
            "--noseedbackup".into(),
            "--nobootstrap".into(),
            "--accept-keysend".into(),
            "--bitcoin.defaultchanconfs=1".into(),
            "--trickledelay=50".into(),
            "--maxpendingchannels=10".into(),
            "--debuglevel=info".into(),
        ]
    }

    /// True when the recorded LND process is running.
    pub fn is_running(&self) -> bool {
        process::pid_file_alive(&self.pid_file, &self.network_dir).is_some()
    }

    /// Starts LND (unless running) and waits until `getinfo` answers.
    pub async fn start(&self) -> Result<NodeStatus> {
        if !self.is_running() {
            let dir = &self.info.lnddir;
            std::fs::create_dir_all(dir).map_err(|e| TestnetError::io(dir, e))?;
            let log = dir.join("lnd.out");
            process::spawn_daemon(&self.binaries.lnd, &self.lnd_args(), &log, &self.pid_file)?;
        }
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            match self.status().await {
                Ok(status) => return Ok(status),
                Err(e) if Instant::now() >= deadline => {
                    return Err(TestnetError::Timeout {
                        what: format!("lnd {} RPC (last error: {e})", self.info.name),
                        secs: START_TIMEOUT.as_secs(),
                    })
                }
                Err(_) if !self.is_running() => {
                    return Err(TestnetError::Invalid(format!(
                        "lnd {} exited during start; see {}",
                        self.info.name,
                        self.info.lnddir.join("lnd.out").display()
                    )))
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
            }
        }
    }

    /// Stops LND by its recorded PID (SIGTERM, then SIGKILL after a grace period).
    pub async fn stop(&self) -> Result<()> {
        process::stop_recorded(&self.pid_file, &self.network_dir, STOP_GRACE).await
    }

    /// Stops and starts LND, then waits until it is synced to the chain.
    pub async fn restart(&self) -> Result<NodeStatus> {
        self.stop().await?;
        self.start().await?;
        self.wait_synced(None, Duration::from_secs(60)).await
    }

    /// Runs `lncli <args>` against this node and parses its JSON output.
    pub async fn lncli(&self, args: &[&str]) -> Result<Value> {
        let label = format!(
            "lncli[{}] {}",
            self.info.name,
            args.first().copied().unwrap_or_default()
        );
        cli::run_json(&self.binaries.lncli, &self.lncli_args(args), &label).await
    }

    /// The full `lncli` argument list for `args`.
    pub(crate) fn lncli_args(&self, args: &[&str]) -> Vec<String> {
        let i = &self.info;
        let mut full = vec![
            format!("--lnddir={}", i.lnddir.display()),
            format!("--rpcserver={}", i.rpc_addr),
            format!("--tlscertpath={}", i.tls_cert_path.display()),
            format!("--macaroonpath={}", i.macaroon_path.display()),
            "--network=regtest".into(),
        ];
        full.extend(args.iter().map(|a| (*a).to_string()));
        full
    }

    pub(crate) fn lncli_path(&self) -> &Path {
        &self.binaries.lncli
    }

    /// `getinfo`, summarised.
    pub async fn status(&self) -> Result<NodeStatus> {
        let label = "lncli getinfo";
        let v = self.lncli(&["getinfo"]).await?;
        Ok(NodeStatus {
            pubkey: cli::require_str(&v, "identity_pubkey", label)?,
            block_height: cli::require_u64(&v, "block_height", label)?,
            synced_to_chain: v
                .get("synced_to_chain")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            num_active_channels: cli::u64_field(&v, "num_active_channels").unwrap_or(0),
            num_peers: cli::u64_field(&v, "num_peers").unwrap_or(0),
        })
    }

    /// Waits until the node is synced to the chain and, when given, has
    /// processed `height`.
    pub async fn wait_synced(&self, height: Option<u64>, timeout: Duration) -> Result<NodeStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(status) = self.status().await {
                if status.synced_to_chain && height.is_none_or(|h| status.block_height >= h) {
                    return Ok(status);
                }
            }
            if Instant::now() >= deadline {
                return Err(TestnetError::Timeout {
                    what: format!("lnd {} to sync to height {height:?}", self.info.name),
                    secs: timeout.as_secs(),
                });
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
