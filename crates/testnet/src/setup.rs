//! Bootstrapping a fresh network: chain, funded wallets, active channels.
//!
//! btcd has no `generatetoaddress`; it mines to `--miningaddr`. So btcd first runs
//! without one, the `mostro` node starts and hands out an address, both stop, and
//! btcd restarts with that address. (LND exits when its chain backend vanishes
//! while it waits for the initial sync, hence mostro stops too.)

use std::time::{Duration, Instant};

use crate::error::{Result, TestnetError};
use crate::network::Network;
use crate::node::Node;
use crate::progress::progress;

/// Capacity of each of the two channels.
pub const CHANNEL_CAPACITY_SAT: u64 = 10_000_000;
/// Pushed to the channel's remote side at opening, so both directions work.
pub const CHANNEL_PUSH_SAT: u64 = 2_000_000;
/// On-chain funds sent to the seller and the buyer.
pub const USER_FUNDING_SAT: u64 = 100_000_000;
/// Blocks mined before funding: coinbases mature after 100, and btcd activates
/// segwit on regtest through BIP9 only at height 432 (3 windows of 144).
const INITIAL_BLOCKS: u64 = 440;
/// Confirmations for funding and channel transactions (6 also lets channels be
/// announced, so the seller can route through mostro to the buyer).
const CONFIRMATIONS: u64 = 6;
const CHANNEL_TIMEOUT: Duration = Duration::from_secs(90);

/// Brings up a fresh network described by `net` (processes stopped, dirs empty).
pub(crate) async fn bootstrap(net: &mut Network) -> Result<()> {
    let started = Instant::now();
    progress!("starting btcd at {}", net.btcd().info().rpc_addr);
    net.btcd().start().await?;

    progress!("starting mostro once to get a mining address");
    net.mostro().start().await?;
    let mining_addr = net.mostro().new_address().await?;
    net.mostro().stop().await?;
    net.btcd().stop().await?;
    net.btcd_mut().set_mining_addr(mining_addr.clone());
    net.description_mut().btcd.mining_addr = Some(mining_addr);
    net.description().save()?;
    net.btcd().start().await?;

    progress!("starting lnd nodes mostro, seller, buyer");
    let nodes = net.nodes();
    let (a, b, c) = tokio::join!(nodes[0].start(), nodes[1].start(), nodes[2].start());
    let statuses = [a?, b?, c?];
    for (node, status) in net.nodes_mut().iter_mut().zip(statuses) {
        node.set_pubkey(status.pubkey.clone());
    }
    let keys = nodes_pubkeys(net);
    for (info, key) in net.description_mut().nodes.iter_mut().zip(keys) {
        info.pubkey = Some(key);
    }
    net.description().save()?;

    progress!("mining {INITIAL_BLOCKS} blocks");
    net.mine(INITIAL_BLOCKS).await?;

    progress!("funding seller and buyer with {USER_FUNDING_SAT} sat each");
    let seller_addr = net.seller().new_address().await?;
    let buyer_addr = net.buyer().new_address().await?;
    net.mostro()
        .send_coins(&seller_addr, USER_FUNDING_SAT)
        .await?;
    net.mostro()
        .send_coins(&buyer_addr, USER_FUNDING_SAT)
        .await?;
    net.mine(CONFIRMATIONS).await?;
    wait_confirmed(net.seller(), USER_FUNDING_SAT).await?;
    wait_confirmed(net.buyer(), USER_FUNDING_SAT).await?;

    progress!("opening channels seller -> mostro and mostro -> buyer ({CHANNEL_CAPACITY_SAT} sat)");
    net.seller().connect(net.mostro()).await?;
    net.mostro().connect(net.buyer()).await?;
    net.seller()
        .open_channel(net.mostro(), CHANNEL_CAPACITY_SAT, CHANNEL_PUSH_SAT)
        .await?;
    net.mostro()
        .open_channel(net.buyer(), CHANNEL_CAPACITY_SAT, CHANNEL_PUSH_SAT)
        .await?;
    net.mine(CONFIRMATIONS).await?;
    wait_channels(net).await?;
    progress!("network ready in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn nodes_pubkeys(net: &Network) -> Vec<String> {
    net.nodes().iter().map(|n| n.pubkey().to_string()).collect()
}

/// Waits until a node's confirmed on-chain balance reaches `sats`.
async fn wait_confirmed(node: &Node, sats: u64) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if node.wallet_balance().await?.confirmed_sat >= sats {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(TestnetError::Timeout {
                what: format!("{} to see {sats} sat confirmed", node.name()),
                secs: 30,
            });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until both channels are active on every node and every node's graph
/// knows both channels (so `seller → mostro → buyer` routes).
pub(crate) async fn wait_channels(net: &Network) -> Result<()> {
    progress!("waiting for channels to be active and announced");
    let (a, b, c) = tokio::join!(
        net.mostro().wait_channels_active(2, 2, CHANNEL_TIMEOUT),
        net.seller().wait_channels_active(1, 2, CHANNEL_TIMEOUT),
        net.buyer().wait_channels_active(1, 2, CHANNEL_TIMEOUT),
    );
    a?;
    b?;
    c
}
