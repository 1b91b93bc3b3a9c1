//! The order status graph (PROTOCOL.md §6), as one table.
//!
//! [`check_transition`] is the single authority on which status changes are legal. The
//! store calls it before it writes a status; the engine's tests check every status change
//! the engine produces against it.

use mostro_protocol::status::Status;

/// A status change the state machine does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("illegal order status change {from} -> {to}")]
pub struct IllegalTransition {
    /// The stored status.
    pub from: Status,
    /// The status somebody tried to write.
    pub to: Status,
}

/// A status a new order may not be created in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an order cannot be created in status {0}")]
pub struct IllegalInitialStatus(pub Status);

/// Checks that an order may move from `from` to `to`.
///
/// Writing the same status again is not a change and is always allowed. Terminal
/// statuses (`success`, the cancellations, `expired`) have no way out, and the
/// statuses the daemon never stores (`in-progress`, `settled-by-admin`,
/// `completed-by-admin`) have no way in.
pub fn check_transition(from: Status, to: Status) -> Result<(), IllegalTransition> {
    if from == to || successors(from).contains(&to) {
        Ok(())
    } else {
        Err(IllegalTransition { from, to })
    }
}

/// Checks the status a brand-new order is stored with.
pub fn check_initial(status: Status) -> Result<(), IllegalInitialStatus> {
    match status {
        Status::Pending | Status::WaitingMakerBond => Ok(()),
        other => Err(IllegalInitialStatus(other)),
    }
}

/// True when no transition leaves `status`.
pub fn is_terminal(status: Status) -> bool {
    successors(status).is_empty()
}

/// The statuses reachable from `from` in one step.
fn successors(from: Status) -> &'static [Status] {
    use Status::*;
    match from {
        WaitingMakerBond => &[Pending, Expired],
        Pending => &[
            WaitingTakerBond,
            WaitingBuyerInvoice,
            WaitingPayment,
            Canceled,
            Expired,
        ],
        WaitingTakerBond => &[
            Pending,
            WaitingBuyerInvoice,
            WaitingPayment,
            Canceled,
            Expired,
        ],
        // Escrow not yet paid (add-invoice) or already paid (add-invoice → active);
        // maker cancel or fault → canceled; taker cancel or fault → pending.
        WaitingBuyerInvoice => &[WaitingPayment, Active, Canceled, Pending],
        // Seller's HTLC accepted → active, or waiting-buyer-invoice (buy order
        // without invoice).
        WaitingPayment => &[Active, WaitingBuyerInvoice, Canceled, Pending],
        Active => &[FiatSent, Dispute, CooperativelyCanceled, Canceled],
        FiatSent => &[Dispute, CooperativelyCanceled, SettledHoldInvoice],
        Dispute => &[CooperativelyCanceled, SettledHoldInvoice, CanceledByAdmin],
        SettledHoldInvoice => &[Success],
        Success | Canceled | CooperativelyCanceled | CanceledByAdmin | Expired => &[],
        InProgress | SettledByAdmin | CompletedByAdmin => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn happy_path_is_allowed() {
        let path = [
            Status::Pending,
            Status::WaitingBuyerInvoice,
            Status::WaitingPayment,
            Status::Active,
            Status::FiatSent,
            Status::SettledHoldInvoice,
            Status::Success,
        ];
        for pair in path.windows(2) {
            assert_eq!(check_transition(pair[0], pair[1]), Ok(()));
        }
    }

    #[test]
    fn terminal_statuses_have_no_exit() {
        for from in [
            Status::Success,
            Status::Canceled,
            Status::CooperativelyCanceled,
            Status::CanceledByAdmin,
            Status::Expired,
        ] {
            assert!(is_terminal(from));
            for to in Status::ALL {
                if to != from {
                    assert!(check_transition(from, to).is_err(), "{from} -> {to}");
                }
            }
        }
    }

    #[test]
    fn never_stored_statuses_are_unreachable() {
        for from in Status::ALL {
            for to in [
                Status::InProgress,
                Status::SettledByAdmin,
                Status::CompletedByAdmin,
            ] {
                if from != to {
                    assert!(check_transition(from, to).is_err());
                }
            }
        }
    }

    #[test]
    fn skipping_the_escrow_is_refused() {
        let err = check_transition(Status::Pending, Status::Active);
        assert_eq!(
            err,
            Err(IllegalTransition {
                from: Status::Pending,
                to: Status::Active
            })
        );
        assert!(check_transition(Status::Active, Status::SettledHoldInvoice).is_err());
        assert!(check_transition(Status::SettledHoldInvoice, Status::Canceled).is_err());
    }

    #[test]
    fn only_pending_and_bond_wait_are_initial() {
        assert!(check_initial(Status::Pending).is_ok());
        assert!(check_initial(Status::WaitingMakerBond).is_ok());
        assert!(check_initial(Status::Active).is_err());
    }
}
