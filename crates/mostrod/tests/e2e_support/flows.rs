//! Trade steps shared by several tests.

use mostro_client::{OrderReply, Update};
use mostro_protocol::{Kind, SmallOrder, Status};
use testnet::PaymentHandle;
use uuid::Uuid;

use super::lightning::decode;
use super::users::{fixed_order, User};
use super::{hold_bolt11, is_active, is_pay_hold, party_fee, Env};

/// A sell order taken with a payout invoice: the seller holds the escrow invoice.
#[derive(Debug)]
pub struct Taken {
    /// Order id.
    pub id: Uuid,
    /// The hold invoice the seller must pay.
    pub hold_bolt11: String,
    /// Its payment hash (hex).
    pub hold_hash: String,
}

/// The seller publishes a fixed sell order of `sats`; the buyer takes it with
/// `payout` (an invoice for `sats − fee`); the seller receives the hold invoice,
/// checked to be for `sats + fee`.
pub async fn sell_taken(
    env: &Env,
    seller: &mut User,
    buyer: &mut User,
    sats: u64,
    payout: &str,
) -> Taken {
    let created = seller
        .client
        .create_order(&fixed_order(Kind::Sell, sats))
        .await
        .expect("new-order");
    let id = created.order.id;
    assert!(
        matches!(&created.update, Update::NewOrder { order } if order.status == Some(Status::Pending)),
        "unexpected reply to new-order: {:?}",
        created.update
    );
    env.wait_order_status(id, "pending").await;

    let taken = buyer
        .client
        .take_sell(id, Some(payout.to_owned()), None)
        .await
        .expect("take-sell");
    assert_eq!(taken.update, Update::WaitingSellerToPay);

    let ask = seller.expect(id, "pay-invoice", is_pay_hold).await;
    let hold_bolt11 = hold_bolt11(&ask.update);
    let (hold_sats, hold_hash) = decode(&hold_bolt11);
    assert_eq!(hold_sats, sats + party_fee(sats), "escrow = amount + fee");
    Taken {
        id,
        hold_bolt11,
        hold_hash,
    }
}

/// Waits until both parties were told the trade is active.
pub async fn both_active(seller: &mut User, buyer: &mut User, id: Uuid) {
    seller.expect(id, "active", is_active).await;
    buyer.expect(id, "active", is_active).await;
}

/// The seller pays the escrow `hold` invoice in the background; waits until
/// both parties were told the trade is active. Returns the running payment.
pub async fn pay_escrow(
    env: &Env,
    seller: &mut User,
    buyer: &mut User,
    id: Uuid,
    hold: &str,
) -> PaymentHandle {
    let pay = env.net.seller().pay_invoice_background(hold).unwrap();
    both_active(seller, buyer, id).await;
    pay
}

/// Waits until both parties were told the order is canceled.
pub async fn both_canceled(seller: &mut User, buyer: &mut User, id: Uuid) {
    seller.expect_exact(id, "canceled", Update::Canceled).await;
    buyer.expect_exact(id, "canceled", Update::Canceled).await;
}

/// The buyer takes sell order `id` without an invoice; returns the order of
/// the `add-invoice` reply (its amount is what the payout invoice must be for).
pub async fn take_sell_asking_invoice(buyer: &User, id: Uuid) -> SmallOrder {
    let took = buyer
        .client
        .take_sell(id, None, None)
        .await
        .expect("take-sell");
    match took.update {
        Update::AddInvoice { order: Some(order) } => order,
        other => panic!("unexpected reply to take-sell: {other:?}"),
    }
}

/// Waits for an `add-invoice` request about `id`; returns its order.
pub async fn expect_add_invoice(buyer: &mut User, id: Uuid) -> SmallOrder {
    let ask = buyer
        .expect(id, "add-invoice", |u| {
            matches!(u, Update::AddInvoice { .. })
        })
        .await;
    match ask.update {
        Update::AddInvoice { order: Some(order) } => order,
        other => panic!("add-invoice without an order: {other:?}"),
    }
}

/// `reply` if it is the awaited update, else the next matching watched update.
pub async fn reply_or_expect(
    user: &mut User,
    id: Uuid,
    reply: OrderReply,
    what: &str,
    want: impl Fn(&Update) -> bool,
) -> Update {
    if want(&reply.update) {
        return reply.update;
    }
    user.expect(id, what, want).await.update
}

/// The buyer says the fiat was sent; waits until the seller is told.
pub async fn send_fiat(seller: &mut User, buyer: &mut User, id: Uuid) {
    let sent = buyer.client.fiat_sent(id).await.expect("fiat-sent");
    assert!(
        matches!(sent.update, Update::FiatSentOk { .. }),
        "unexpected reply to fiat-sent: {:?}",
        sent.update
    );
    seller
        .expect(id, "fiat-sent-ok", |u| {
            matches!(u, Update::FiatSentOk { .. })
        })
        .await;
}

/// Fiat sent, release, and the buyer's payout: ends when the buyer is told the
/// purchase is complete.
pub async fn settle_trade(seller: &mut User, buyer: &mut User, id: Uuid) {
    send_fiat(seller, buyer, id).await;
    let released = seller.client.release(id).await.expect("release");
    assert!(
        matches!(
            released.update,
            Update::HoldInvoiceSettled | Update::Released | Update::PurchaseCompleted
        ),
        "unexpected reply to release: {:?}",
        released.update
    );
    buyer
        .expect(id, "purchase-completed", |u| {
            matches!(u, Update::PurchaseCompleted)
        })
        .await;
}
