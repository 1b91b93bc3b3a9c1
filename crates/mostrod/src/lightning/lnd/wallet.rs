//! Balances and channels over `lnrpc.WalletBalance`, `ChannelBalance` and
//! `ListChannels` (operator information for the admin interface).

use fedimint_tonic_lnd::lnrpc::{
    Amount, Channel, ChannelBalanceRequest, ListChannelsRequest, WalletBalanceRequest,
};

use super::connect::Connection;
use super::status::{map_status, with_timeout};
use crate::lightning::balance::{ChannelSummary, NodeBalance};
use crate::lightning::error::LightningError;

/// A non-negative satoshi figure; LND never reports negative balances, and a
/// negative one is clamped rather than wrapped.
fn sats(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn amount(a: Option<Amount>) -> u64 {
    a.map_or(0, |a| a.sat)
}

/// Calls `WalletBalance` and `ChannelBalance`.
pub(crate) async fn balance(conn: &Connection) -> Result<NodeBalance, LightningError> {
    const OP: &str = "balance";
    let (mut client, _) = conn.client();
    let timeout = conn.config().call_timeout;
    let wallet = with_timeout(
        OP,
        timeout,
        client.lightning().wallet_balance(WalletBalanceRequest {
            account: String::new(),
            min_confs: 0,
        }),
        |status| map_status(OP, status),
    )
    .await?
    .into_inner();
    let channels = with_timeout(
        OP,
        timeout,
        client.lightning().channel_balance(ChannelBalanceRequest {}),
        |status| map_status(OP, status),
    )
    .await?
    .into_inner();
    Ok(NodeBalance {
        onchain_confirmed_sat: sats(wallet.confirmed_balance),
        onchain_unconfirmed_sat: sats(wallet.unconfirmed_balance),
        channel_local_sat: amount(channels.local_balance),
        channel_remote_sat: amount(channels.remote_balance),
        channel_pending_open_local_sat: amount(channels.pending_open_local_balance),
    })
}

/// Calls `ListChannels` (all open channels, active or not).
pub(crate) async fn channels(conn: &Connection) -> Result<Vec<ChannelSummary>, LightningError> {
    const OP: &str = "channels";
    let (mut client, _) = conn.client();
    let response = with_timeout(
        OP,
        conn.config().call_timeout,
        client
            .lightning()
            .list_channels(ListChannelsRequest::default()),
        |status| map_status(OP, status),
    )
    .await?
    .into_inner();
    Ok(response.channels.into_iter().map(summary).collect())
}

fn summary(c: Channel) -> ChannelSummary {
    ChannelSummary {
        channel_point: c.channel_point,
        remote_pubkey: c.remote_pubkey,
        capacity_sat: sats(c.capacity),
        local_balance_sat: sats(c.local_balance),
        remote_balance_sat: sats(c.remote_balance),
        active: c.active,
        private: c.private,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_a_channel_and_clamps_negative_figures() {
        let c = summary(Channel {
            active: true,
            remote_pubkey: "03ab".into(),
            channel_point: "aa:1".into(),
            capacity: 1_000_000,
            local_balance: 600_000,
            remote_balance: -5,
            private: true,
            ..Default::default()
        });
        assert_eq!(c.capacity_sat, 1_000_000);
        assert_eq!(c.local_balance_sat, 600_000);
        assert_eq!(c.remote_balance_sat, 0);
        assert!(c.active && c.private);
        assert_eq!(c.channel_point, "aa:1");
    }

    #[test]
    fn missing_amounts_count_as_zero() {
        assert_eq!(amount(None), 0);
        assert_eq!(amount(Some(Amount { sat: 7, msat: 7000 })), 7);
    }
}
