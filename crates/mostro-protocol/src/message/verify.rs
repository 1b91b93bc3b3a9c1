//! Structural verification of a message body (PROTOCOL.md §2.3).

use super::MessageKind;
use crate::action::Action;
use crate::payload::Payload;

/// Applies the §2.3 table to `kind`.
pub(super) fn verify(kind: &MessageKind) -> bool {
    let has_id = kind.id.is_some();
    let payload = kind.payload.as_ref();
    match kind.action {
        Action::NewOrder => matches!(payload, Some(Payload::Order(_))),
        Action::PayInvoice | Action::PayBondInvoice | Action::AddInvoice => {
            has_id && matches!(payload, Some(Payload::PaymentRequest(..)))
        }
        Action::AddBondInvoice => {
            has_id
                && matches!(
                    payload,
                    Some(Payload::BondPayoutRequest(_) | Payload::PaymentRequest(..))
                )
        }
        Action::AdminSettle | Action::AdminCancel => {
            has_id && matches!(payload, None | Some(Payload::BondResolution(_)))
        }
        Action::AddCashuEscrow => has_id && matches!(payload, Some(Payload::CashuLockProof(_))),
        Action::CashuPmSignature => {
            has_id && matches!(payload, Some(Payload::CashuSignatures(sigs)) if !sigs.is_empty())
        }
        Action::PaymentFailed => has_id && matches!(payload, Some(Payload::PaymentFailed(_))),
        Action::RateUser => matches!(payload, Some(Payload::RatingUser(_))),
        Action::CantDo => matches!(payload, Some(Payload::CantDo(_))),
        Action::Orders => matches!(payload, Some(Payload::Ids(_) | Payload::Orders(_))),
        Action::RestoreSession | Action::LastTradeIndex => payload.is_none(),
        Action::TakeSell
        | Action::TakeBuy
        | Action::FiatSent
        | Action::FiatSentOk
        | Action::Release
        | Action::Released
        | Action::Cancel
        | Action::Canceled
        | Action::CooperativeCancelInitiatedByYou
        | Action::CooperativeCancelInitiatedByPeer
        | Action::DisputeInitiatedByYou
        | Action::DisputeInitiatedByPeer
        | Action::CooperativeCancelAccepted
        | Action::BuyerInvoiceAccepted
        | Action::BondInvoiceAccepted
        | Action::PurchaseCompleted
        | Action::BondPayoutCompleted
        | Action::BondSlashed
        | Action::HoldInvoicePaymentAccepted
        | Action::HoldInvoicePaymentSettled
        | Action::HoldInvoicePaymentCanceled
        | Action::WaitingSellerToPay
        | Action::WaitingBuyerInvoice
        | Action::BuyerTookOrder
        | Action::Rate
        | Action::RateReceived
        | Action::Dispute
        | Action::AdminCanceled
        | Action::AdminSettled
        | Action::AdminAddSolver
        | Action::AdminTakeDispute
        | Action::AdminTookDispute
        | Action::InvoiceUpdated
        | Action::SendDm
        | Action::TradePubkey
        | Action::CashuEscrowLocked => {
            has_id
                && !matches!(
                    payload,
                    Some(Payload::BondResolution(_) | Payload::BondPayoutRequest(_))
                )
        }
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::order::SmallOrder;
    use crate::payload::{BondResolution, CashuProofSignature};

    fn body(action: Action, id: bool, payload: Option<Payload>) -> MessageKind {
        let kind = MessageKind::new(action).with_payload(payload);
        if id {
            kind.with_id(Uuid::from_u128(1))
        } else {
            kind
        }
    }

    fn order() -> SmallOrder {
        SmallOrder::new(0, "VES", 100, "x", 0)
    }

    #[test]
    fn id_rule() {
        // Actions that do not need an id.
        assert!(verify(&body(
            Action::NewOrder,
            false,
            Some(Payload::Order(order()))
        )));
        assert!(verify(&body(
            Action::RateUser,
            false,
            Some(Payload::RatingUser(9))
        )));
        assert!(verify(&body(
            Action::CantDo,
            false,
            Some(Payload::CantDo(None))
        )));
        assert!(verify(&body(
            Action::Orders,
            false,
            Some(Payload::Ids(vec![]))
        )));
        assert!(verify(&body(Action::RestoreSession, false, None)));
        // Every catch-all action needs one.
        for action in [Action::TakeSell, Action::AdminAddSolver, Action::SendDm] {
            assert!(!verify(&body(action, false, None)), "{action}");
            assert!(verify(&body(action, true, None)), "{action}");
        }
    }

    #[test]
    fn bond_payloads_only_where_allowed() {
        let resolution = Some(Payload::BondResolution(BondResolution {
            slash_seller: true,
            slash_buyer: false,
        }));
        assert!(verify(&body(Action::AdminSettle, true, resolution.clone())));
        assert!(verify(&body(Action::AdminCancel, true, None)));
        assert!(!verify(&body(Action::FiatSent, true, resolution.clone())));
        assert!(!verify(&body(
            Action::AdminSettle,
            true,
            Some(Payload::Amount(1))
        )));
        let payout = Some(Payload::BondPayoutRequest(
            crate::payload::BondPayoutRequest {
                order: order(),
                slashed_at: 1,
            },
        ));
        assert!(verify(&body(Action::AddBondInvoice, true, payout.clone())));
        assert!(!verify(&body(Action::BondSlashed, true, payout)));
    }

    #[test]
    fn required_payloads() {
        let request = Some(Payload::PaymentRequest(None, "lnbc1".into(), None));
        assert!(verify(&body(Action::AddInvoice, true, request.clone())));
        assert!(!verify(&body(
            Action::AddInvoice,
            true,
            Some(Payload::Order(order()))
        )));
        assert!(verify(&body(Action::AddBondInvoice, true, request)));
        assert!(!verify(&body(Action::PaymentFailed, true, None)));
        assert!(!verify(&body(
            Action::LastTradeIndex,
            false,
            Some(Payload::Amount(1))
        )));
        let sig = CashuProofSignature {
            secret: "s".into(),
            signature: "00".into(),
        };
        assert!(verify(&body(
            Action::CashuPmSignature,
            true,
            Some(Payload::CashuSignatures(vec![sig]))
        )));
        assert!(!verify(&body(
            Action::CashuPmSignature,
            true,
            Some(Payload::CashuSignatures(vec![]))
        )));
    }
}
