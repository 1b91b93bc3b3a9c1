//! TCP port layout of a network and claiming a free block of ports.
//!
//! A network uses a block of [`BLOCK_SIZE`] ports starting at
//! `BASE_PORT + slot * BLOCK_SIZE`: btcd RPC at `+0`, btcd P2P at `+1`, then each
//! LND node `i` (0 = mostro, 1 = seller, 2 = buyer) at `+10 + 3i` (gRPC), `+11 + 3i`
//! (P2P) and `+12 + 3i` (REST). Slot 0 is the sandbox (`regtest up`); test networks
//! claim the first free slot from 1 on.

use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
use std::path::{Path, PathBuf};

use crate::error::{Result, TestnetError};
use crate::process;

/// First port of slot 0.
pub const BASE_PORT: u16 = 29_700;
/// Ports per slot.
pub const BLOCK_SIZE: u16 = 20;
/// Highest slot we try.
pub const MAX_SLOT: u16 = 40;

/// The ports of one LND node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NodePorts {
    /// gRPC (`--rpclisten`).
    pub rpc: u16,
    /// Lightning P2P (`--listen`).
    pub p2p: u16,
    /// REST (`--restlisten`).
    pub rest: u16,
}

/// All ports of one network slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortBlock {
    /// The slot number.
    pub slot: u16,
}

impl PortBlock {
    /// The first port of the block.
    pub fn base(self) -> u16 {
        BASE_PORT + self.slot * BLOCK_SIZE
    }

    /// btcd's RPC port.
    pub fn btcd_rpc(self) -> u16 {
        self.base()
    }

    /// btcd's P2P port.
    pub fn btcd_p2p(self) -> u16 {
        self.base() + 1
    }

    /// The ports of LND node number `index` (0, 1 or 2).
    pub fn node(self, index: u16) -> NodePorts {
        let first = self.base() + 10 + 3 * index;
        NodePorts {
            rpc: first,
            p2p: first + 1,
            rest: first + 2,
        }
    }

    /// Every port of the block this network listens on.
    pub fn all(self) -> Vec<u16> {
        let mut ports = vec![self.btcd_rpc(), self.btcd_p2p()];
        for i in 0..3 {
            let n = self.node(i);
            ports.extend([n.rpc, n.p2p, n.rest]);
        }
        ports
    }

    /// True when nothing listens on any port of the block.
    pub fn is_free(self) -> bool {
        self.all().into_iter().all(port_is_free)
    }
}

/// True when we can bind `127.0.0.1:port`.
pub fn port_is_free(port: u16) -> bool {
    TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)).is_ok()
}

/// A claim on a slot, held by a file `claims/slot-<n>` containing the owner PID.
#[derive(Debug)]
pub struct SlotClaim {
    /// The claimed block.
    pub block: PortBlock,
    /// The claim file; remove it to release the slot.
    pub path: PathBuf,
}

/// Claims the first free slot from 1 on, recording `owner_pid` in the claim file.
///
/// A claim whose owner is no longer alive is stale and taken over. Claiming is
/// atomic (`create_new`), so concurrent test binaries never share a slot.
pub fn claim_free_slot(claims_dir: &Path, owner_pid: u32) -> Result<SlotClaim> {
    std::fs::create_dir_all(claims_dir).map_err(|e| TestnetError::io(claims_dir, e))?;
    for slot in 1..=MAX_SLOT {
        let block = PortBlock { slot };
        let path = claims_dir.join(format!("slot-{slot}"));
        if path.exists() && !claim_is_stale(&path) {
            continue;
        }
        if path.exists() {
            // Stale: its owner is gone. Losing a race to remove it is fine.
            let _ = std::fs::remove_file(&path);
        }
        if !block.is_free() {
            continue;
        }
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path);
        match created {
            Ok(_) => {
                std::fs::write(&path, owner_pid.to_string())
                    .map_err(|e| TestnetError::io(&path, e))?;
                return Ok(SlotClaim { block, path });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(TestnetError::io(&path, e)),
        }
    }
    Err(TestnetError::Ports(format!(
        "all {MAX_SLOT} slots from port {} are in use or claimed (see {})",
        BASE_PORT + BLOCK_SIZE,
        claims_dir.display()
    )))
}

fn claim_is_stale(path: &Path) -> bool {
    match std::fs::read_to_string(path) {
        Ok(text) => match text.trim().parse::<u32>() {
            Ok(pid) => !process::is_alive(pid),
            // Being written right now by its creator.
            Err(_) => false,
        },
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_do_not_overlap() {
        let a = PortBlock { slot: 1 }.all();
        let b = PortBlock { slot: 2 }.all();
        assert!(a.iter().all(|p| !b.contains(p)));
        assert!(a.iter().all(|p| *p < PortBlock { slot: 2 }.base()));
        let mut dedup = a.clone();
        dedup.sort_unstable();
        dedup.dedup();
        assert_eq!(dedup.len(), a.len());
    }

    #[test]
    fn claims_are_exclusive_and_stale_ones_are_reused() {
        let dir = std::env::temp_dir().join(format!("testnet-claims-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let me = std::process::id();
        let first = claim_free_slot(&dir, me).unwrap();
        let second = claim_free_slot(&dir, me).unwrap();
        assert_ne!(first.block, second.block);
        // A claim by a dead PID is stale: the slot becomes claimable again.
        std::fs::write(&first.path, "4000000000").unwrap();
        let third = claim_free_slot(&dir, me).unwrap();
        assert_eq!(third.block, first.block);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
