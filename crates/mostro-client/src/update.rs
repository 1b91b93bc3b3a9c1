//! Typed view of what Mostro tells a trade key (PROTOCOL.md §5).
//!
//! [`Update::from_message`] dispatches on action **and payload type**: a
//! `pay-invoice`/`add-invoice` carrying a `peer` payload is the taker
//! reputation notice (§5.4, §11.20), not a payment request. It never runs the
//! structural `verify()` on replies, since several legitimate replies fail it.

use mostro_protocol::{
    Action, BondPayoutRequest, CantDoReason, Message, Payload, PaymentFailedInfo, SmallOrder,
    UserInfo,
};
use nostr::key::PublicKey;
use uuid::Uuid;

/// One thing Mostro told us about an order.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    /// `new-order`: creation confirmed, order republished, or a range child
    /// handed to our next trade key.
    NewOrder {
        /// The order as Mostro sees it.
        order: SmallOrder,
    },
    /// `pay-invoice`: pay this hold invoice (escrow) to continue.
    PayHoldInvoice {
        /// The order (status `waiting-payment`, amount = sats + fee).
        order: Option<SmallOrder>,
        /// The hold invoice to pay.
        bolt11: String,
    },
    /// `pay-bond-invoice`: pay this anti-abuse bond hold invoice.
    PayBondInvoice {
        /// The order (amount = bond sats).
        order: Option<SmallOrder>,
        /// The bond hold invoice.
        bolt11: String,
    },
    /// `add-invoice` with an order: send a payout invoice for `order.amount` sats.
    AddInvoice {
        /// The order; its `amount` is what the invoice must be for.
        order: Option<SmallOrder>,
    },
    /// `add-bond-invoice`: send an invoice to receive a share of a slashed bond.
    AddBondInvoice {
        /// What to claim.
        request: BondPayoutRequest,
    },
    /// `pay-invoice`/`add-invoice` with a `peer` payload: the counterparty's
    /// reputation, for information only (§5.4).
    ReputationNotice {
        /// The action it arrived with.
        action: Action,
        /// The counterparty's reputation, if any.
        reputation: Option<UserInfo>,
    },
    /// `waiting-seller-to-pay`.
    WaitingSellerToPay,
    /// `waiting-buyer-invoice`.
    WaitingBuyerInvoice,
    /// `buyer-took-order` / `hold-invoice-payment-accepted`: escrow locked,
    /// trade active; the counterparty's trade key is now known (for chat).
    Active {
        /// The order with both trade keys.
        order: SmallOrder,
        /// The counterparty's trade key.
        peer_pubkey: Option<PublicKey>,
    },
    /// `fiat-sent-ok`.
    FiatSentOk {
        /// The counterparty's trade key.
        peer_pubkey: Option<PublicKey>,
    },
    /// `released`: the seller released; payout to us follows.
    Released,
    /// `hold-invoice-payment-settled`: our escrow was settled (seller).
    HoldInvoiceSettled,
    /// `purchase-completed`: the buyer was paid.
    PurchaseCompleted,
    /// `payment-failed`: payout failed, retries are scheduled.
    PaymentFailed {
        /// Retries to come and their interval.
        info: PaymentFailedInfo,
    },
    /// `invoice-updated`: a replacement payout invoice was stored.
    InvoiceUpdated,
    /// `rate`: please rate the counterparty.
    RateCounterparty,
    /// `rate-received`: our rating was stored.
    RateReceived {
        /// The value we sent.
        rating: Option<u8>,
    },
    /// `canceled`.
    Canceled,
    /// `cooperative-cancel-initiated-by-you`.
    CooperativeCancelInitiatedByYou,
    /// `cooperative-cancel-initiated-by-peer`: cancel too to accept.
    CooperativeCancelInitiatedByPeer,
    /// `cooperative-cancel-accepted`.
    CooperativeCancelAccepted,
    /// `dispute-initiated-by-you` / `dispute-initiated-by-peer`.
    DisputeInitiated {
        /// Whether we opened it.
        by_you: bool,
        /// The dispute id.
        dispute_id: Option<Uuid>,
    },
    /// `admin-took-dispute` with a `peer` payload: a solver took the dispute.
    SolverAssigned {
        /// The solver's key (accept dispute chat only from it).
        solver: Option<PublicKey>,
    },
    /// `admin-settled`.
    AdminSettled,
    /// `admin-canceled`.
    AdminCanceled,
    /// `hold-invoice-payment-canceled`: the escrow vanished at its CLTV horizon.
    HoldInvoiceCanceled,
    /// `bond-slashed`, `bond-payout-completed`, `bond-invoice-accepted`.
    Bond {
        /// Which bond notice.
        action: Action,
        /// The order (amount = sats concerned).
        order: Option<SmallOrder>,
    },
    /// `trade-pubkey`: key rotation acknowledged.
    TradePubkey,
    /// `cant-do`.
    CantDo {
        /// Why (may be absent).
        reason: Option<CantDoReason>,
    },
    /// Anything else, kept for display.
    Other {
        /// The action received.
        action: Action,
    },
}

fn order_payload(msg: &Message) -> Option<SmallOrder> {
    match msg.payload() {
        Some(Payload::Order(order)) => Some(order.clone()),
        Some(Payload::PaymentRequest(Some(order), _, _)) => Some(order.clone()),
        _ => None,
    }
}

fn peer_key(hex: Option<&str>) -> Option<PublicKey> {
    hex.and_then(|h| PublicKey::from_hex(h).ok())
}

/// The key in `order` that is not `me`.
fn counterparty(order: &SmallOrder, me: &PublicKey) -> Option<PublicKey> {
    let buyer = peer_key(order.buyer_trade_pubkey.as_deref());
    let seller = peer_key(order.seller_trade_pubkey.as_deref());
    match (buyer, seller) {
        (Some(b), s) if b == *me => s,
        (b, Some(s)) if s == *me => b,
        _ => None,
    }
}

impl Update {
    /// Classifies a message received by the trade key `me`.
    pub fn from_message(msg: &Message, me: &PublicKey) -> Self {
        let action = msg.action();
        if let Some(Payload::Peer(peer)) = msg.payload() {
            match action {
                Action::PayInvoice | Action::AddInvoice => {
                    return Self::ReputationNotice {
                        action,
                        reputation: peer.reputation.clone(),
                    }
                }
                Action::FiatSentOk => {
                    return Self::FiatSentOk {
                        peer_pubkey: peer_key(Some(&peer.pubkey)),
                    }
                }
                Action::AdminTookDispute => {
                    return Self::SolverAssigned {
                        solver: peer_key(Some(&peer.pubkey)),
                    }
                }
                _ => {}
            }
        }
        match action {
            Action::NewOrder => match order_payload(msg) {
                Some(order) => Self::NewOrder { order },
                None => Self::Other { action },
            },
            Action::PayInvoice | Action::PayBondInvoice => match msg.payload() {
                Some(Payload::PaymentRequest(order, bolt11, _)) => {
                    let (order, bolt11) = (order.clone(), bolt11.clone());
                    if action == Action::PayInvoice {
                        Self::PayHoldInvoice { order, bolt11 }
                    } else {
                        Self::PayBondInvoice { order, bolt11 }
                    }
                }
                _ => Self::Other { action },
            },
            Action::AddInvoice => Self::AddInvoice {
                order: order_payload(msg),
            },
            Action::AddBondInvoice => match msg.payload() {
                Some(Payload::BondPayoutRequest(request)) => Self::AddBondInvoice {
                    request: request.clone(),
                },
                _ => Self::Other { action },
            },
            Action::WaitingSellerToPay => Self::WaitingSellerToPay,
            Action::WaitingBuyerInvoice => Self::WaitingBuyerInvoice,
            Action::BuyerTookOrder | Action::HoldInvoicePaymentAccepted => match order_payload(msg)
            {
                Some(order) => Self::Active {
                    peer_pubkey: counterparty(&order, me),
                    order,
                },
                None => Self::Other { action },
            },
            Action::FiatSentOk => Self::FiatSentOk { peer_pubkey: None },
            Action::Released => Self::Released,
            Action::HoldInvoicePaymentSettled => Self::HoldInvoiceSettled,
            Action::PurchaseCompleted => Self::PurchaseCompleted,
            Action::PaymentFailed => match msg.payload() {
                Some(Payload::PaymentFailed(info)) => Self::PaymentFailed { info: *info },
                _ => Self::Other { action },
            },
            Action::InvoiceUpdated => Self::InvoiceUpdated,
            Action::Rate => Self::RateCounterparty,
            Action::RateReceived => Self::RateReceived {
                rating: match msg.payload() {
                    Some(Payload::RatingUser(r)) => Some(*r),
                    _ => None,
                },
            },
            Action::Canceled => Self::Canceled,
            Action::CooperativeCancelInitiatedByYou => Self::CooperativeCancelInitiatedByYou,
            Action::CooperativeCancelInitiatedByPeer => Self::CooperativeCancelInitiatedByPeer,
            Action::CooperativeCancelAccepted => Self::CooperativeCancelAccepted,
            Action::DisputeInitiatedByYou | Action::DisputeInitiatedByPeer => {
                Self::DisputeInitiated {
                    by_you: action == Action::DisputeInitiatedByYou,
                    dispute_id: match msg.payload() {
                        Some(Payload::Dispute(id, _)) => Some(*id),
                        _ => None,
                    },
                }
            }
            Action::AdminSettled => Self::AdminSettled,
            Action::AdminCanceled => Self::AdminCanceled,
            Action::HoldInvoicePaymentCanceled => Self::HoldInvoiceCanceled,
            Action::BondSlashed | Action::BondPayoutCompleted | Action::BondInvoiceAccepted => {
                Self::Bond {
                    action,
                    order: order_payload(msg),
                }
            }
            Action::TradePubkey => Self::TradePubkey,
            Action::CantDo => Self::CantDo {
                reason: match msg.payload() {
                    Some(Payload::CantDo(reason)) => *reason,
                    _ => None,
                },
            },
            _ => Self::Other { action },
        }
    }
}

#[cfg(test)]
mod tests {
    use mostro_protocol::{MessageKind, Peer, Status};
    use nostr::key::Keys;

    use super::*;

    fn msg(action: Action, payload: Option<Payload>) -> Message {
        Message::new_order(
            MessageKind::new(action)
                .with_id(Uuid::from_u128(1))
                .with_payload(payload),
        )
    }

    #[test]
    fn payload_type_decides_between_payment_request_and_notice() {
        let me = Keys::generate().public_key();
        let notice = Payload::Peer(Peer::new(""));
        for action in [Action::PayInvoice, Action::AddInvoice] {
            assert!(matches!(
                Update::from_message(&msg(action, Some(notice.clone())), &me),
                Update::ReputationNotice { action: a, reputation: None } if a == action
            ));
        }
        let request = Payload::PaymentRequest(None, "lnbcrt1hold".into(), None);
        assert_eq!(
            Update::from_message(&msg(Action::PayInvoice, Some(request)), &me),
            Update::PayHoldInvoice {
                order: None,
                bolt11: "lnbcrt1hold".into()
            }
        );
    }

    #[test]
    fn active_and_fiat_sent_ok_name_the_counterparty() {
        let (me, peer) = (Keys::generate().public_key(), Keys::generate().public_key());
        let mut order = SmallOrder::new(1000, "USD", 1, "cash", 0);
        order.status = Some(Status::Active);
        order.buyer_trade_pubkey = Some(peer.to_hex());
        order.seller_trade_pubkey = Some(me.to_hex());
        let update = Update::from_message(
            &msg(Action::BuyerTookOrder, Some(Payload::Order(order))),
            &me,
        );
        assert!(matches!(update, Update::Active { peer_pubkey: Some(p), .. } if p == peer));
        let ok = msg(
            Action::FiatSentOk,
            Some(Payload::Peer(Peer::new(peer.to_hex()))),
        );
        assert_eq!(
            Update::from_message(&ok, &me),
            Update::FiatSentOk {
                peer_pubkey: Some(peer)
            }
        );
        let cant = Message::cant_do(None, Some(3), Some(CantDoReason::NotFound));
        assert_eq!(
            Update::from_message(&cant, &me),
            Update::CantDo {
                reason: Some(CantDoReason::NotFound)
            }
        );
    }
}
