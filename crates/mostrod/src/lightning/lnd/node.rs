//! Node identity and chain height over `lnrpc.GetInfo`.

use fedimint_tonic_lnd::lnrpc::{GetInfoRequest, GetInfoResponse};

use super::connect::Connection;
use super::status::{map_status, with_timeout};
use crate::lightning::error::LightningError;
use crate::lightning::types::{ChainInfo, NodeInfo};

/// Calls `GetInfo`.
pub(crate) async fn get_info(conn: &Connection) -> Result<NodeInfo, LightningError> {
    const OP: &str = "get_info";
    let (mut client, _) = conn.client();
    let response = with_timeout(
        OP,
        conn.config().call_timeout,
        client.lightning().get_info(GetInfoRequest {}),
        |status| map_status(OP, status),
    )
    .await?
    .into_inner();
    Ok(node_info(response))
}

#[allow(deprecated)] // `Chain::chain` is deprecated upstream but still filled in.
fn node_info(info: GetInfoResponse) -> NodeInfo {
    NodeInfo {
        pubkey: info.identity_pubkey,
        alias: info.alias,
        version: info.version,
        commit_hash: info.commit_hash,
        chains: info
            .chains
            .into_iter()
            .map(|c| ChainInfo {
                chain: c.chain,
                network: c.network,
            })
            .collect(),
        uris: info.uris,
        synced_to_chain: info.synced_to_chain,
        synced_to_graph: info.synced_to_graph,
        block_height: info.block_height,
    }
}

#[cfg(test)]
mod tests {
    use fedimint_tonic_lnd::lnrpc::Chain;

    use super::*;
    use crate::lightning::types::Network;

    #[test]
    #[allow(deprecated)]
    fn maps_identity_and_network() {
        let info = node_info(GetInfoResponse {
            identity_pubkey: "02ab".into(),
            alias: "mostro".into(),
            version: "0.21.2-beta".into(),
            commit_hash: "abc".into(),
            chains: vec![Chain {
                chain: "bitcoin".into(),
                network: "regtest".into(),
            }],
            uris: vec!["02ab@127.0.0.1:9735".into()],
            synced_to_chain: true,
            block_height: 321,
            ..Default::default()
        });
        assert_eq!(info.pubkey, "02ab");
        assert_eq!(info.network(), Some(Network::Regtest));
        assert_eq!(info.block_height, 321);
        assert!(info.synced_to_chain);
        assert!(!info.synced_to_graph);
        assert_eq!(info.uris.len(), 1);
    }
}
