//! "What do I do now?" for an order, as a pure function of local state.

use mostro_protocol::Status;
use nostr::key::PublicKey;

use crate::local_order::{CooperativeCancel, LocalOrder, Side};

/// The user's next step on an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextStep {
    /// Our order is in the book; wait for a taker (or cancel it).
    WaitForTaker,
    /// Pay this hold invoice with your Lightning wallet (seller).
    PayHoldInvoice {
        /// The hold invoice.
        bolt11: String,
    },
    /// Send a payout invoice (buyer) with `add_invoice`.
    SendPayoutInvoice {
        /// Sats the invoice must be for, if known (amountless invoices also work).
        amount_sats: Option<i64>,
    },
    /// Wait for the seller to pay the hold invoice (buyer).
    WaitForSellerPayment,
    /// Wait for the buyer's payout invoice (seller).
    WaitForBuyerInvoice,
    /// Pay the fiat to the seller, then call `fiat_sent` (buyer).
    SendFiat,
    /// Wait for the buyer's fiat; check your account (seller).
    WaitForFiat,
    /// The buyer says fiat was sent: check it arrived, then `release` (seller).
    Release,
    /// Wait for the seller to release (buyer).
    WaitForRelease,
    /// Released; Mostro is paying your invoice (buyer).
    WaitForPayout,
    /// The counterparty asked to cancel: `cancel` to accept, or keep trading.
    AnswerCooperativeCancel,
    /// We asked to cancel; waiting for the counterparty.
    WaitForCooperativeCancel,
    /// A dispute is open; wait for a solver.
    WaitForSolver,
    /// A solver took the dispute; talk to it through the dispute chat.
    TalkToSolver {
        /// The solver's key.
        solver: PublicKey,
    },
    /// Rate the counterparty (1–5).
    Rate,
    /// Nothing left to do.
    Done,
    /// The order ended without a trade.
    Closed {
        /// Final status.
        status: Status,
    },
    /// Waiting for Mostro to answer.
    WaitForMostro,
}

/// The next step on `order` for a user on `side`.
pub fn next_step(order: &LocalOrder, side: Side) -> NextStep {
    if order.rating_requested && !order.rated {
        return NextStep::Rate;
    }
    if order.invoice_requested && side == Side::Buyer {
        return NextStep::SendPayoutInvoice {
            amount_sats: order.invoice_amount,
        };
    }
    let Some(status) = order.status else {
        return NextStep::WaitForMostro;
    };
    if matches!(status, Status::Active | Status::FiatSent | Status::Dispute) {
        match order.cooperative_cancel {
            Some(CooperativeCancel::ByPeer) => return NextStep::AnswerCooperativeCancel,
            Some(CooperativeCancel::ByMe) => return NextStep::WaitForCooperativeCancel,
            None => {}
        }
    }
    match (status, side) {
        (Status::Pending | Status::WaitingTakerBond | Status::WaitingMakerBond, _) => {
            if order.is_maker {
                NextStep::WaitForTaker
            } else {
                NextStep::WaitForMostro
            }
        }
        (Status::WaitingPayment, Side::Seller) => match &order.hold_invoice {
            Some(bolt11) => NextStep::PayHoldInvoice {
                bolt11: bolt11.clone(),
            },
            None => NextStep::WaitForMostro,
        },
        (Status::WaitingPayment, Side::Buyer) => NextStep::WaitForSellerPayment,
        (Status::WaitingBuyerInvoice, Side::Buyer) => NextStep::SendPayoutInvoice {
            amount_sats: order.invoice_amount,
        },
        (Status::WaitingBuyerInvoice, Side::Seller) => NextStep::WaitForBuyerInvoice,
        (Status::Active, Side::Buyer) => NextStep::SendFiat,
        (Status::Active, Side::Seller) => NextStep::WaitForFiat,
        (Status::FiatSent, Side::Seller) => NextStep::Release,
        (Status::FiatSent, Side::Buyer) => NextStep::WaitForRelease,
        (Status::Dispute, _) => match order.solver_pubkey {
            Some(solver) => NextStep::TalkToSolver { solver },
            None => NextStep::WaitForSolver,
        },
        (Status::SettledHoldInvoice, Side::Buyer) => NextStep::WaitForPayout,
        (Status::SettledHoldInvoice, Side::Seller)
        | (Status::Success | Status::SettledByAdmin | Status::CompletedByAdmin, _) => {
            NextStep::Done
        }
        (
            Status::Canceled
            | Status::CooperativelyCanceled
            | Status::CanceledByAdmin
            | Status::Expired,
            _,
        ) => NextStep::Closed { status },
        (Status::InProgress, _) => NextStep::WaitForMostro,
    }
}

#[cfg(test)]
mod tests {
    use mostro_protocol::Kind;
    use uuid::Uuid;

    use super::*;
    use crate::update::Update;

    fn order(kind: Kind, is_maker: bool) -> LocalOrder {
        LocalOrder::new(Uuid::from_u128(1), 1, kind, is_maker, 0)
    }

    #[test]
    fn sell_maker_walks_through_the_seller_steps() {
        let mut o = order(Kind::Sell, true);
        assert_eq!(o.side(), Side::Seller);
        assert_eq!(next_step(&o, Side::Seller), NextStep::WaitForMostro);
        o.status = Some(Status::Pending);
        assert_eq!(next_step(&o, Side::Seller), NextStep::WaitForTaker);
        o.apply(
            &Update::PayHoldInvoice {
                order: None,
                bolt11: "lnbcrt1hold".into(),
            },
            1,
        );
        assert_eq!(
            next_step(&o, Side::Seller),
            NextStep::PayHoldInvoice {
                bolt11: "lnbcrt1hold".into()
            }
        );
        o.apply(&Update::FiatSentOk { peer_pubkey: None }, 2);
        assert_eq!(next_step(&o, Side::Seller), NextStep::Release);
        o.apply(&Update::HoldInvoiceSettled, 3);
        o.apply(&Update::RateCounterparty, 4);
        assert_eq!(next_step(&o, Side::Seller), NextStep::Rate);
        o.apply(&Update::RateReceived { rating: Some(5) }, 5);
        assert_eq!(next_step(&o, Side::Seller), NextStep::Done);
    }

    #[test]
    fn buyer_taker_steps_and_cooperative_cancel() {
        let mut o = order(Kind::Sell, false);
        assert_eq!(o.side(), Side::Buyer);
        let mut small = mostro_protocol::SmallOrder::new(990, "USD", 10, "cash", 0);
        small.status = Some(Status::WaitingBuyerInvoice);
        o.apply(&Update::AddInvoice { order: Some(small) }, 1);
        assert_eq!(
            next_step(&o, Side::Buyer),
            NextStep::SendPayoutInvoice {
                amount_sats: Some(990)
            }
        );
        o.apply(&Update::WaitingSellerToPay, 2);
        assert_eq!(next_step(&o, Side::Buyer), NextStep::WaitForSellerPayment);
        o.status = Some(Status::Active);
        assert_eq!(next_step(&o, Side::Buyer), NextStep::SendFiat);
        o.apply(&Update::CooperativeCancelInitiatedByPeer, 3);
        assert_eq!(
            next_step(&o, Side::Buyer),
            NextStep::AnswerCooperativeCancel
        );
        o.apply(&Update::CooperativeCancelAccepted, 4);
        assert_eq!(
            next_step(&o, Side::Buyer),
            NextStep::Closed {
                status: Status::CooperativelyCanceled
            }
        );
    }

    #[test]
    fn dispute_waits_for_then_names_the_solver() {
        let mut o = order(Kind::Buy, true);
        o.status = Some(Status::FiatSent);
        o.apply(
            &Update::DisputeInitiated {
                by_you: true,
                dispute_id: Some(Uuid::from_u128(9)),
            },
            1,
        );
        assert_eq!(next_step(&o, o.side()), NextStep::WaitForSolver);
        let solver = nostr::key::Keys::generate().public_key();
        o.apply(
            &Update::SolverAssigned {
                solver: Some(solver),
            },
            2,
        );
        assert_eq!(next_step(&o, o.side()), NextStep::TalkToSolver { solver });
        assert_eq!(o.dispute_id, Some(Uuid::from_u128(9)));
    }
}
