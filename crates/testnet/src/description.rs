//! `network.json`: what another process needs to attach to a running network.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::binaries::Binaries;
use crate::error::{Result, TestnetError};
use crate::ports::{NodePorts, PortBlock};

/// File name of the description inside a network directory.
pub const DESCRIPTION_FILE: &str = "network.json";

/// The three LND nodes of a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeName {
    /// The exchange's node (hold invoices, payouts).
    Mostro,
    /// Pays hold invoices to mostro (channel seller → mostro).
    Seller,
    /// Gets paid by mostro (channel mostro → buyer).
    Buyer,
}

impl NodeName {
    /// All nodes, in port order.
    pub const ALL: [NodeName; 3] = [NodeName::Mostro, NodeName::Seller, NodeName::Buyer];

    /// Lower-case name, also the node's alias and directory name.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeName::Mostro => "mostro",
            NodeName::Seller => "seller",
            NodeName::Buyer => "buyer",
        }
    }

    /// Position in the port layout.
    pub fn index(self) -> u16 {
        match self {
            NodeName::Mostro => 0,
            NodeName::Seller => 1,
            NodeName::Buyer => 2,
        }
    }
}

impl fmt::Display for NodeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How to reach btcd.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BtcdInfo {
    /// `host:port` of the RPC server.
    pub rpc_addr: String,
    /// `host:port` of the P2P listener.
    pub p2p_addr: String,
    /// RPC user.
    pub rpc_user: String,
    /// RPC password (a throwaway regtest credential).
    pub rpc_pass: String,
    /// The RPC server's TLS certificate.
    pub rpc_cert: PathBuf,
    /// btcd's data and log directory.
    pub dir: PathBuf,
    /// Where mined coinbases go (an address of the mostro node), once known.
    pub mining_addr: Option<String>,
}

/// How to reach one LND node.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NodeInfo {
    /// Which node.
    pub name: NodeName,
    /// The node's `--lnddir`.
    pub lnddir: PathBuf,
    /// gRPC `host:port`.
    pub rpc_addr: String,
    /// Lightning P2P `host:port`.
    pub p2p_addr: String,
    /// REST `host:port`.
    pub rest_addr: String,
    /// `tls.cert` to pin.
    pub tls_cert_path: PathBuf,
    /// `admin.macaroon`.
    pub macaroon_path: PathBuf,
    /// `invoice.macaroon`.
    pub invoice_macaroon_path: PathBuf,
    /// Identity public key (hex), once the node has started.
    pub pubkey: Option<String>,
}

impl NodeInfo {
    /// The layout of node `name` inside network directory `dir`.
    pub fn layout(dir: &Path, name: NodeName, ports: NodePorts) -> Self {
        let lnddir = dir.join(name.as_str());
        let macaroons = lnddir.join("data/chain/bitcoin/regtest");
        Self {
            name,
            tls_cert_path: lnddir.join("tls.cert"),
            macaroon_path: macaroons.join("admin.macaroon"),
            invoice_macaroon_path: macaroons.join("invoice.macaroon"),
            lnddir,
            rpc_addr: format!("127.0.0.1:{}", ports.rpc),
            p2p_addr: format!("127.0.0.1:{}", ports.p2p),
            rest_addr: format!("127.0.0.1:{}", ports.rest),
            pubkey: None,
        }
    }
}

/// Everything about a network, saved as `<dir>/network.json`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NetworkDescription {
    /// The network directory.
    pub dir: PathBuf,
    /// The port slot (see [`crate::ports`]).
    pub slot: u16,
    /// The executables used.
    pub binaries: Binaries,
    /// The chain backend.
    pub btcd: BtcdInfo,
    /// The LND nodes, in [`NodeName::ALL`] order.
    pub nodes: Vec<NodeInfo>,
}

impl NetworkDescription {
    /// A fresh layout for `dir` on port slot `block`.
    pub fn layout(dir: &Path, block: PortBlock, binaries: Binaries) -> Self {
        let btcd_dir = dir.join("btcd");
        Self {
            dir: dir.to_path_buf(),
            slot: block.slot,
            binaries,
            btcd: BtcdInfo {
                rpc_addr: format!("127.0.0.1:{}", block.btcd_rpc()),
                p2p_addr: format!("127.0.0.1:{}", block.btcd_p2p()),
                rpc_user: "mostro".into(),
                rpc_pass: "regtest".into(),
                rpc_cert: btcd_dir.join("rpc.cert"),
                dir: btcd_dir,
                mining_addr: None,
            },
            nodes: NodeName::ALL
                .iter()
                .map(|n| NodeInfo::layout(dir, *n, block.node(n.index())))
                .collect(),
        }
    }

    /// The description of node `name`.
    pub fn node(&self, name: NodeName) -> Option<&NodeInfo> {
        self.nodes.iter().find(|n| n.name == name)
    }

    /// Mutable access to the description of node `name`.
    pub fn node_mut(&mut self, name: NodeName) -> Option<&mut NodeInfo> {
        self.nodes.iter_mut().find(|n| n.name == name)
    }

    /// Reads `<dir>/network.json`.
    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join(DESCRIPTION_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| TestnetError::io(&path, e))?;
        serde_json::from_str(&text).map_err(|source| TestnetError::Description { path, source })
    }

    /// Writes `<dir>/network.json` (atomically, through a temporary file).
    pub fn save(&self) -> Result<()> {
        let path = self.dir.join(DESCRIPTION_FILE);
        let tmp = self.dir.join(format!("{DESCRIPTION_FILE}.tmp"));
        let text =
            serde_json::to_string_pretty(self).map_err(|source| TestnetError::Description {
                path: path.clone(),
                source,
            })?;
        std::fs::write(&tmp, text).map_err(|e| TestnetError::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| TestnetError::io(&path, e))
    }

    /// Directory of PID files.
    pub fn pids_dir(&self) -> PathBuf {
        self.dir.join("pids")
    }

    /// The PID file of a process (`btcd`, `mostro`, …).
    pub fn pid_file(&self, process: &str) -> PathBuf {
        self.pids_dir().join(format!("{process}.pid"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn description_round_trips_through_json() {
        let dir = Path::new("/tmp/net-x");
        let mut desc = NetworkDescription::layout(
            dir,
            PortBlock { slot: 3 },
            Binaries::under(Path::new("/c")),
        );
        desc.node_mut(NodeName::Buyer).unwrap().pubkey = Some("02ab".into());
        let text = serde_json::to_string(&desc).unwrap();
        let back: NetworkDescription = serde_json::from_str(&text).unwrap();
        assert_eq!(back, desc);
        assert!(text.contains("\"name\":\"buyer\""));
        let buyer = back.node(NodeName::Buyer).unwrap();
        assert_eq!(
            buyer.rpc_addr,
            format!("127.0.0.1:{}", PortBlock { slot: 3 }.node(2).rpc)
        );
        assert_eq!(
            buyer.macaroon_path,
            Path::new("/tmp/net-x/buyer/data/chain/bitcoin/regtest/admin.macaroon")
        );
        assert_eq!(desc.pid_file("btcd"), Path::new("/tmp/net-x/pids/btcd.pid"));
    }
}
