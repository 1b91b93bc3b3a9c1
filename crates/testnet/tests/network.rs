//! End-to-end checks of the regtest network against real btcd and LND.
//!
//! All tests share one network per test binary (`shared_network`); the test that
//! stops a node holds the exclusive guard, the others the shared one. Balances
//! are asserted as deltas.

use std::time::Duration;

use sha2::{Digest, Sha256};
use testnet::{shared_network, Network, NodeName, PaymentOutcome, CHANNEL_CAPACITY_SAT};

async fn network() -> &'static Network {
    match shared_network().await {
        Ok(net) => net,
        Err(e) => panic!("regtest network unavailable: {e}"),
    }
}

#[tokio::test]
async fn nodes_are_synced_with_active_channels_of_expected_capacity() {
    let net = network().await;
    let _guard = net.shared().await;
    let height = net.chain_height().await.unwrap();
    assert!(height >= 432, "segwit must be active, height {height}");
    for node in net.nodes() {
        let status = node
            .wait_synced(Some(height), Duration::from_secs(30))
            .await
            .unwrap();
        assert!(status.synced_to_chain, "{} not synced", node.name());
        assert_eq!(status.pubkey, node.pubkey());
    }

    let seller = net.seller().channels().await.unwrap();
    assert_eq!(seller.len(), 1);
    assert_eq!(seller[0].remote_pubkey, net.mostro().pubkey());
    assert!(seller[0].initiator && seller[0].active);
    assert_eq!(seller[0].capacity_sat, CHANNEL_CAPACITY_SAT);

    let mostro = net.mostro().channels().await.unwrap();
    assert_eq!(mostro.len(), 2);
    let to_buyer = mostro
        .iter()
        .find(|c| c.remote_pubkey == net.buyer().pubkey())
        .expect("mostro -> buyer channel");
    assert!(to_buyer.initiator && to_buyer.active);
    assert_eq!(to_buyer.capacity_sat, CHANNEL_CAPACITY_SAT);
    assert!(mostro
        .iter()
        .any(|c| c.remote_pubkey == net.seller().pubkey() && !c.initiator));

    for node in net.nodes() {
        let wallet = node.wallet_balance().await.unwrap();
        assert!(
            wallet.confirmed_sat > 0,
            "{} has no on-chain funds",
            node.name()
        );
    }
}

#[tokio::test]
async fn seller_pays_buyer_through_mostro() {
    let net = network().await;
    let _guard = net.shared().await;
    let before = net.buyer().channel_balance().await.unwrap();
    let invoice = net.buyer().create_invoice(10_000, "routed").await.unwrap();

    let outcome = net
        .seller()
        .pay_invoice(&invoice.payment_request)
        .await
        .unwrap();
    let PaymentOutcome::Succeeded { fee_sat, .. } = outcome else {
        panic!("payment failed: {outcome:?}");
    };
    // Two hops: mostro charges a forwarding fee.
    assert!(fee_sat >= 1, "fee {fee_sat}");

    // The payer learns of the success before the payee's channel state has
    // caught up: give the buyer's balance a moment to settle.
    let expected = before.local_sat + 10_000;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let mut after = net.buyer().channel_balance().await.unwrap();
    while after.local_sat != expected && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        after = net.buyer().channel_balance().await.unwrap();
    }
    assert_eq!(after.local_sat, expected);
    assert_eq!(
        net.buyer()
            .invoice_state(&invoice.payment_hash)
            .await
            .unwrap(),
        "SETTLED"
    );
    assert_eq!(
        net.seller()
            .payment_status(&invoice.payment_hash)
            .await
            .unwrap()
            .as_deref(),
        Some("SUCCEEDED")
    );
}

#[tokio::test]
async fn background_payment_reveals_the_preimage() {
    let net = network().await;
    let _guard = net.shared().await;
    let invoice = net.mostro().create_invoice(5_000, "direct").await.unwrap();
    let handle = net
        .seller()
        .pay_invoice_background(&invoice.payment_request)
        .unwrap();
    let outcome = tokio::time::timeout(Duration::from_secs(60), handle.wait())
        .await
        .expect("payment finished")
        .unwrap();
    let PaymentOutcome::Succeeded { preimage, fee_sat } = outcome else {
        panic!("payment failed: {outcome:?}");
    };
    assert_eq!(fee_sat, 0, "direct channel, no routing fee");
    let hash = hex::encode(Sha256::digest(hex::decode(&preimage).unwrap()));
    assert_eq!(hash, invoice.payment_hash);
    assert_eq!(
        net.mostro()
            .invoice_state(&invoice.payment_hash)
            .await
            .unwrap(),
        "SETTLED"
    );
}

#[tokio::test]
async fn payment_above_capacity_fails_with_a_reason() {
    let net = network().await;
    let _guard = net.shared().await;
    let invoice = net
        .buyer()
        .create_invoice(CHANNEL_CAPACITY_SAT + 1, "too big")
        .await
        .unwrap();
    let outcome = net
        .seller()
        .pay_invoice(&invoice.payment_request)
        .await
        .unwrap();
    match outcome {
        PaymentOutcome::Failed { reason } => assert!(!reason.is_empty()),
        other => panic!("expected a failure, got {other:?}"),
    }
    assert_eq!(
        net.buyer()
            .invoice_state(&invoice.payment_hash)
            .await
            .unwrap(),
        "OPEN"
    );
}

#[tokio::test]
async fn mining_increases_height_on_every_node() {
    let net = network().await;
    let _guard = net.shared().await;
    let before = net.chain_height().await.unwrap();
    let after = net.mine(3).await.unwrap();
    assert!(after >= before + 3, "{before} -> {after}");
    for node in net.nodes() {
        assert!(node.status().await.unwrap().block_height >= after);
    }
}

#[tokio::test]
async fn another_process_can_attach_by_directory() {
    let net = network().await;
    let _guard = net.shared().await;
    let attached = Network::attach(net.dir()).await.unwrap();
    for name in NodeName::ALL {
        assert_eq!(attached.node(name).pubkey(), net.node(name).pubkey());
        assert_eq!(attached.node(name).rpc_addr(), net.node(name).rpc_addr());
        assert!(attached.node(name).tls_cert_path().is_file());
        assert!(attached.node(name).macaroon_path().is_file());
    }
}

#[tokio::test]
async fn stopped_node_restarts_with_its_channel() {
    let net = network().await;
    let _guard = net.exclusive().await;
    let buyer = net.buyer();
    buyer.stop().await.unwrap();
    assert!(!buyer.is_running());
    assert!(buyer.status().await.is_err());

    let status = buyer.restart().await.unwrap();
    assert!(buyer.is_running());
    assert!(status.synced_to_chain);
    buyer
        .wait_channels_active(1, 2, Duration::from_secs(60))
        .await
        .unwrap();
    net.mostro()
        .wait_channels_active(2, 2, Duration::from_secs(60))
        .await
        .unwrap();
    let invoice = buyer.create_invoice(1_000, "after restart").await.unwrap();
    let outcome = net
        .mostro()
        .pay_invoice(&invoice.payment_request)
        .await
        .unwrap();
    assert!(outcome.is_success(), "{outcome:?}");
}
