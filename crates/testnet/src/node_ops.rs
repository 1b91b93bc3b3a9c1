//! What tests do with a node: invoices, balances, wallet, peers and channels.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::cli::{require_str, require_u64, u64_field};
use crate::error::{Result, TestnetError};
use crate::node::Node;

/// An invoice created on a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    /// BOLT11 payment request.
    pub payment_request: String,
    /// Payment hash (hex).
    pub payment_hash: String,
}

/// Lightning balance over all open channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelBalance {
    /// What this node can send.
    pub local_sat: u64,
    /// What this node can receive.
    pub remote_sat: u64,
}

/// On-chain wallet balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalletBalance {
    /// Confirmed coins.
    pub confirmed_sat: u64,
    /// Unconfirmed coins.
    pub unconfirmed_sat: u64,
}

/// Both balances at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Balances {
    /// Channel balance.
    pub channel: ChannelBalance,
    /// On-chain balance.
    pub wallet: WalletBalance,
}

/// One channel as `listchannels` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    /// The peer's pubkey (hex).
    pub remote_pubkey: String,
    /// `txid:index` of the funding output.
    pub channel_point: String,
    /// Total capacity.
    pub capacity_sat: u64,
    /// Our side.
    pub local_sat: u64,
    /// The peer's side.
    pub remote_sat: u64,
    /// Usable for payments right now.
    pub active: bool,
    /// We opened it.
    pub initiator: bool,
}

impl Node {
    /// Creates an invoice for `sats` (0 = amountless) with `memo`.
    pub async fn create_invoice(&self, sats: u64, memo: &str) -> Result<Invoice> {
        let label = "lncli addinvoice";
        let amt = sats.to_string();
        let v = self
            .lncli(&["addinvoice", "--amt", &amt, "--memo", memo])
            .await?;
        Ok(Invoice {
            payment_request: require_str(&v, "payment_request", label)?,
            payment_hash: require_str(&v, "r_hash", label)?,
        })
    }

    /// The state of an invoice of this node (`OPEN`, `ACCEPTED`, `SETTLED`,
    /// `CANCELED`), looked up by payment hash (hex).
    pub async fn invoice_state(&self, payment_hash: &str) -> Result<String> {
        let v = self.lncli(&["lookupinvoice", payment_hash]).await?;
        require_str(&v, "state", "lncli lookupinvoice")
    }

    /// The status of an outgoing payment by hash (`IN_FLIGHT`, `SUCCEEDED`,
    /// `FAILED`, `INITIATED`), or `None` when this node never attempted it.
    pub async fn payment_status(&self, payment_hash: &str) -> Result<Option<String>> {
        let records = self.payments_for(payment_hash).await?;
        Ok(records
            .first()
            .and_then(|p| p.get("status").and_then(Value::as_str).map(str::to_owned)))
    }

    /// Channel balance (sum over open channels).
    pub async fn channel_balance(&self) -> Result<ChannelBalance> {
        let v = self.lncli(&["channelbalance"]).await?;
        let side = |field: &str| -> Result<u64> {
            let inner = v.get(field).ok_or_else(|| TestnetError::BadOutput {
                command: "lncli channelbalance".into(),
                detail: format!("missing `{field}`"),
            })?;
            Ok(u64_field(inner, "sat").unwrap_or(0))
        };
        Ok(ChannelBalance {
            local_sat: side("local_balance")?,
            remote_sat: side("remote_balance")?,
        })
    }

    /// On-chain wallet balance.
    pub async fn wallet_balance(&self) -> Result<WalletBalance> {
        let v = self.lncli(&["walletbalance"]).await?;
        Ok(WalletBalance {
            confirmed_sat: u64_field(&v, "confirmed_balance").unwrap_or(0),
            unconfirmed_sat: u64_field(&v, "unconfirmed_balance").unwrap_or(0),
        })
    }

    /// Channel and wallet balances.
    pub async fn balances(&self) -> Result<Balances> {
        Ok(Balances {
            channel: self.channel_balance().await?,
            wallet: self.wallet_balance().await?,
        })
    }

    /// A fresh on-chain address (P2WKH).
    pub async fn new_address(&self) -> Result<String> {
        let v = self.lncli(&["newaddress", "p2wkh"]).await?;
        require_str(&v, "address", "lncli newaddress")
    }

    /// Sends `sats` on-chain to `addr`; returns the txid.
    pub async fn send_coins(&self, addr: &str, sats: u64) -> Result<String> {
        let amt = sats.to_string();
        let v = self
            .lncli(&["sendcoins", "--force", "--addr", addr, "--amt", &amt])
            .await?;
        require_str(&v, "txid", "lncli sendcoins")
    }

    /// Connects to `peer` (no-op when already connected).
    pub async fn connect(&self, peer: &Node) -> Result<()> {
        match self.lncli(&["connect", &peer.uri()]).await {
            Ok(_) => Ok(()),
            Err(TestnetError::CommandFailed { stderr, .. })
                if stderr.contains("already connected") =>
            {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Opens a public channel to `peer` of `capacity_sat`, pushing `push_sat`
    /// to it; returns the funding txid. The peer must be connected.
    pub async fn open_channel(
        &self,
        peer: &Node,
        capacity_sat: u64,
        push_sat: u64,
    ) -> Result<String> {
        let local = capacity_sat.to_string();
        let push = push_sat.to_string();
        let v = self
            .lncli(&[
                "openchannel",
                "--node_key",
                peer.pubkey(),
                "--local_amt",
                &local,
                "--push_amt",
                &push,
            ])
            .await?;
        require_str(&v, "funding_txid", "lncli openchannel")
    }

    /// Open channels.
    pub async fn channels(&self) -> Result<Vec<Channel>> {
        let label = "lncli listchannels";
        let v = self.lncli(&["listchannels"]).await?;
        let list = v
            .get("channels")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        list.iter()
            .map(|c| {
                Ok(Channel {
                    remote_pubkey: require_str(c, "remote_pubkey", label)?,
                    channel_point: require_str(c, "channel_point", label)?,
                    capacity_sat: require_u64(c, "capacity", label)?,
                    local_sat: u64_field(c, "local_balance").unwrap_or(0),
                    remote_sat: u64_field(c, "remote_balance").unwrap_or(0),
                    active: c.get("active").and_then(Value::as_bool).unwrap_or(false),
                    initiator: c.get("initiator").and_then(Value::as_bool).unwrap_or(false),
                })
            })
            .collect()
    }

    /// Number of channel edges in this node's view of the graph.
    pub async fn graph_edges(&self) -> Result<usize> {
        let v = self.lncli(&["describegraph"]).await?;
        Ok(v.get("edges").and_then(Value::as_array).map_or(0, Vec::len))
    }

    /// Waits until at least `count` channels are active and the node's graph
    /// has at least `edges` edges (so multi-hop routes can be found).
    pub async fn wait_channels_active(
        &self,
        count: usize,
        edges: usize,
        timeout: Duration,
    ) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let active = self
                .channels()
                .await
                .map(|cs| cs.iter().filter(|c| c.active).count())
                .unwrap_or(0);
            let seen = if active >= count {
                self.graph_edges().await.unwrap_or(0)
            } else {
                0
            };
            if active >= count && seen >= edges {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(TestnetError::Timeout {
                    what: format!(
                        "{}: {count} active channels and {edges} graph edges (have {active}, {seen})",
                        self.name()
                    ),
                    secs: timeout.as_secs(),
                });
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}
