//! A running regtest network: btcd plus the `mostro`, `seller` and `buyer` LND
//! nodes. Start a fresh one, resume a stopped one, or attach to a running one.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::binaries::Binaries;
use crate::btcd::Btcd;
use crate::description::{NetworkDescription, NodeName, DESCRIPTION_FILE};
use crate::error::{Result, TestnetError};
use crate::node::{Node, NodeStatus};
use crate::ports::PortBlock;
use crate::progress::progress;
use crate::setup;

/// Marker file written once funding and channels are in place.
pub const READY_FILE: &str = "ready";

/// How long nodes may take to catch up with newly mined blocks.
const SYNC_TIMEOUT: Duration = Duration::from_secs(60);

/// A regtest network and handles on its processes.
#[derive(Debug)]
pub struct Network {
    desc: NetworkDescription,
    btcd: Btcd,
    nodes: Vec<Node>,
    access: RwLock<()>,
}

/// A snapshot of a network for `regtest status`.
#[derive(Debug, Clone)]
pub struct NetworkStatus {
    /// Chain height, when btcd answers.
    pub height: Option<u64>,
    /// Per node: its name and `getinfo` (or the error text).
    pub nodes: Vec<(NodeName, std::result::Result<NodeStatus, String>)>,
}

impl Network {
    /// Handles on a described network, without starting or checking anything
    /// (for example to stop it).
    pub fn from_description(desc: NetworkDescription) -> Result<Self> {
        let nodes = NodeName::ALL
            .iter()
            .map(|n| Node::new(&desc, *n))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            btcd: Btcd::new(&desc),
            nodes,
            desc,
            access: RwLock::new(()),
        })
    }

    /// Starts a network in `dir` on port slot `block`.
    ///
    /// A network that is already running there is attached to; a stopped one
    /// (after [`Network::stop`]) is resumed with its chain and channels; an empty
    /// or unfinished directory gets a fresh network (funded wallets, active
    /// channels seller → mostro and mostro → buyer).
    pub async fn start_or_attach(dir: &Path, block: PortBlock) -> Result<Self> {
        let binaries = Binaries::locate()?;
        if dir.join(READY_FILE).exists() {
            let net = Self::from_description(NetworkDescription::load(dir)?)?;
            if net.is_running() {
                net.check_responding().await?;
                return Ok(net);
            }
            progress!("resuming the stopped network in {}", dir.display());
            net.resume().await?;
            return Ok(net);
        }
        if dir.join(DESCRIPTION_FILE).exists() {
            // An unfinished bootstrap: stop whatever it left and start afresh.
            let old = Self::from_description(NetworkDescription::load(dir)?)?;
            old.stop().await?;
        }
        if dir.exists() {
            let has_description = dir.join(DESCRIPTION_FILE).exists();
            let empty = std::fs::read_dir(dir)
                .map_err(|e| TestnetError::io(dir, e))?
                .next()
                .is_none();
            if !has_description && !empty {
                return Err(TestnetError::Invalid(format!(
                    "refusing to use {}: it is not empty and holds no {DESCRIPTION_FILE}",
                    dir.display()
                )));
            }
            if has_description {
                std::fs::remove_dir_all(dir).map_err(|e| TestnetError::io(dir, e))?;
            }
        }
        std::fs::create_dir_all(dir).map_err(|e| TestnetError::io(dir, e))?;
        let dir = dir.canonicalize().map_err(|e| TestnetError::io(dir, e))?;
        if !block.is_free() {
            return Err(TestnetError::Ports(format!(
                "a port of slot {} ({}..{}) is in use",
                block.slot,
                block.base(),
                block.base() + crate::ports::BLOCK_SIZE
            )));
        }
        let desc = NetworkDescription::layout(&dir, block, binaries);
        desc.save()?;
        let mut net = Self::from_description(desc)?;
        if let Err(e) = setup::bootstrap(&mut net).await {
            // Leave nothing running behind a failed start.
            let _ = net.stop().await;
            return Err(e);
        }
        std::fs::write(dir.join(READY_FILE), "").map_err(|e| TestnetError::io(&dir, e))?;
        Ok(net)
    }

    /// Attaches to the network running in `dir` (started by another process).
    pub async fn attach(dir: &Path) -> Result<Self> {
        let net = Self::from_description(NetworkDescription::load(dir)?)?;
        if !dir.join(READY_FILE).exists() || !net.is_running() {
            return Err(TestnetError::Invalid(format!(
                "no ready, running network in {} (start one with `regtest up --dir …`)",
                dir.display()
            )));
        }
        net.check_responding().await?;
        Ok(net)
    }

    async fn check_responding(&self) -> Result<()> {
        self.btcd.block_count().await?;
        for node in &self.nodes {
            node.status().await?;
        }
        Ok(())
    }

    /// Restarts the processes of a stopped network and waits for its channels.
    async fn resume(&self) -> Result<()> {
        self.btcd.start().await?;
        let (a, b, c) = tokio::join!(
            self.nodes[0].start(),
            self.nodes[1].start(),
            self.nodes[2].start()
        );
        a?;
        b?;
        c?;
        // A fresh block makes the tip recent, which LND needs to call itself synced.
        self.mine(1).await?;
        setup::wait_channels(self).await
    }

    /// True when btcd and every node are running.
    pub fn is_running(&self) -> bool {
        self.btcd.is_running() && self.nodes.iter().all(Node::is_running)
    }

    /// Stops every process by its recorded PID (data is kept; a later
    /// [`Network::start_or_attach`] resumes it).
    pub async fn stop(&self) -> Result<()> {
        let (a, b, c) = tokio::join!(
            self.nodes[0].stop(),
            self.nodes[1].stop(),
            self.nodes[2].stop()
        );
        let btcd = self.btcd.stop().await;
        a?;
        b?;
        c?;
        btcd
    }

    /// The network's description (what `network.json` holds).
    pub fn description(&self) -> &NetworkDescription {
        &self.desc
    }

    pub(crate) fn description_mut(&mut self) -> &mut NetworkDescription {
        &mut self.desc
    }

    pub(crate) fn btcd_mut(&mut self) -> &mut Btcd {
        &mut self.btcd
    }

    pub(crate) fn nodes_mut(&mut self) -> &mut [Node] {
        &mut self.nodes
    }

    /// The network directory.
    pub fn dir(&self) -> &PathBuf {
        &self.desc.dir
    }

    /// The chain backend.
    pub fn btcd(&self) -> &Btcd {
        &self.btcd
    }

    /// All nodes, in [`NodeName::ALL`] order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The node called `name`.
    pub fn node(&self, name: NodeName) -> &Node {
        // `nodes` is built from NodeName::ALL, in index order.
        &self.nodes[usize::from(name.index())]
    }

    /// The exchange's node.
    pub fn mostro(&self) -> &Node {
        self.node(NodeName::Mostro)
    }

    /// The seller's node.
    pub fn seller(&self) -> &Node {
        self.node(NodeName::Seller)
    }

    /// The buyer's node.
    pub fn buyer(&self) -> &Node {
        self.node(NodeName::Buyer)
    }

    /// The current chain height.
    pub async fn chain_height(&self) -> Result<u64> {
        self.btcd.block_count().await
    }

    /// Mines `blocks` blocks and waits until every running node has processed
    /// them; returns the new height.
    pub async fn mine(&self, blocks: u64) -> Result<u64> {
        let height = self.btcd.generate(blocks).await?;
        for node in self.nodes.iter().filter(|n| n.is_running()) {
            node.wait_synced(Some(height), SYNC_TIMEOUT).await?;
        }
        Ok(height)
    }

    /// Shared access: hold it while a test uses the network normally. Many
    /// tests may hold it at once.
    pub async fn shared(&self) -> RwLockReadGuard<'_, ()> {
        self.access.read().await
    }

    /// Exclusive access: hold it while a test disturbs the network (stops or
    /// restarts a node). Waits until no test holds [`Network::shared`].
    pub async fn exclusive(&self) -> RwLockWriteGuard<'_, ()> {
        self.access.write().await
    }

    /// Chain height and each node's `getinfo`.
    pub async fn status(&self) -> NetworkStatus {
        let height = self.btcd.block_count().await.ok();
        let mut nodes = Vec::new();
        for node in &self.nodes {
            nodes.push((node.name(), node.status().await.map_err(|e| e.to_string())));
        }
        NetworkStatus { height, nodes }
    }
}
