//! The btcd chain backend: start, stop, mine, chain height.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::binaries::Binaries;
use crate::cli;
use crate::description::{BtcdInfo, NetworkDescription};
use crate::error::{Result, TestnetError};
use crate::process;

/// How long btcd may take to answer RPC after a start.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A handle on the network's btcd.
#[derive(Debug, Clone)]
pub struct Btcd {
    info: BtcdInfo,
    binaries: Binaries,
    network_dir: PathBuf,
    pid_file: PathBuf,
}

impl Btcd {
    /// The btcd of a described network.
    pub fn new(desc: &NetworkDescription) -> Self {
        Self {
            info: desc.btcd.clone(),
            binaries: desc.binaries.clone(),
            network_dir: desc.dir.clone(),
            pid_file: desc.pid_file("btcd"),
        }
    }

    /// How to reach this btcd.
    pub fn info(&self) -> &BtcdInfo {
        &self.info
    }

    /// Sets the address coinbases are paid to (effective at the next start).
    pub fn set_mining_addr(&mut self, addr: String) {
        self.info.mining_addr = Some(addr);
    }

    fn config_file(&self) -> PathBuf {
        self.info.dir.join("btcd.conf")
    }

    fn args(&self) -> Vec<String> {
        let dir = &self.info.dir;
        let mut args = vec![
            "--regtest".to_string(),
            format!("--configfile={}", self.config_file().display()),
            format!("--datadir={}", dir.join("data").display()),
            format!("--logdir={}", dir.join("logs").display()),
            format!("--rpccert={}", self.info.rpc_cert.display()),
            format!("--rpckey={}", dir.join("rpc.key").display()),
            format!("--rpcuser={}", self.info.rpc_user),
            format!("--rpcpass={}", self.info.rpc_pass),
            format!("--rpclisten={}", self.info.rpc_addr),
            format!("--listen={}", self.info.p2p_addr),
            "--txindex".to_string(),
            "--rejectnonstd".to_string(),
            "--nobanning".to_string(),
            "--rpcmaxwebsockets=50".to_string(),
        ];
        if let Some(addr) = &self.info.mining_addr {
            args.push(format!("--miningaddr={addr}"));
        }
        args
    }

    /// True when the recorded btcd process is running.
    pub fn is_running(&self) -> bool {
        process::pid_file_alive(&self.pid_file, &self.network_dir).is_some()
    }

    /// Starts btcd (unless already running) and waits until its RPC answers.
    pub async fn start(&self) -> Result<()> {
        if self.is_running() {
            return Ok(());
        }
        let dir = &self.info.dir;
        std::fs::create_dir_all(dir).map_err(|e| TestnetError::io(dir, e))?;
        // An empty config file, so btcd never reads a user's ~/.btcd/btcd.conf.
        let conf = self.config_file();
        if !conf.exists() {
            std::fs::write(&conf, "").map_err(|e| TestnetError::io(&conf, e))?;
        }
        let log = dir.join("btcd.out");
        process::spawn_daemon(&self.binaries.btcd, &self.args(), &log, &self.pid_file)?;
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            match self.block_count().await {
                Ok(_) => return Ok(()),
                Err(e) if Instant::now() >= deadline => {
                    return Err(TestnetError::Timeout {
                        what: format!("btcd RPC at {} (last error: {e})", self.info.rpc_addr),
                        secs: START_TIMEOUT.as_secs(),
                    })
                }
                Err(_) if !self.is_running() => {
                    return Err(TestnetError::Invalid(format!(
                        "btcd exited during start; see {}",
                        log.display()
                    )))
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }

    /// Stops btcd by its recorded PID.
    pub async fn stop(&self) -> Result<()> {
        process::stop_recorded(&self.pid_file, &self.network_dir, Duration::from_secs(60)).await
    }

    async fn btcctl(&self, args: &[&str]) -> Result<String> {
        let mut full = vec![
            "--regtest".to_string(),
            format!("--configfile={}", self.config_file().display()),
            format!("--rpcuser={}", self.info.rpc_user),
            format!("--rpcpass={}", self.info.rpc_pass),
            format!("--rpcserver={}", self.info.rpc_addr),
            format!("--rpccert={}", self.info.rpc_cert.display()),
        ];
        full.extend(args.iter().map(|a| (*a).to_string()));
        let label = format!("btcctl {}", args.first().copied().unwrap_or_default());
        cli::run_text(&self.binaries.btcctl, &full, &label).await
    }

    /// The current chain height.
    pub async fn block_count(&self) -> Result<u64> {
        let text = self.btcctl(&["getblockcount"]).await?;
        text.trim().parse().map_err(|_| TestnetError::BadOutput {
            command: "btcctl getblockcount".into(),
            detail: text.trim().to_string(),
        })
    }

    /// Mines `blocks` blocks to the mining address; returns the new height.
    pub async fn generate(&self, blocks: u64) -> Result<u64> {
        if self.info.mining_addr.is_none() {
            return Err(TestnetError::Invalid(
                "btcd has no mining address yet".into(),
            ));
        }
        let mut left = blocks;
        while left > 0 {
            // btcd mines synchronously; chunks keep each RPC call short.
            let chunk = left.min(50);
            self.btcctl(&["generate", &chunk.to_string()]).await?;
            left -= chunk;
        }
        self.block_count().await
    }
}
