//! Human explanations of `cant-do` reasons (PROTOCOL.md §5.15).

use mostro_protocol::CantDoReason;

/// A sentence telling the user what went wrong and what to do next.
///
/// The match is exhaustive on purpose: a new reason cannot be added to the
/// protocol crate without giving it an explanation here.
pub fn explain(reason: CantDoReason) -> &'static str {
    use CantDoReason as R;
    match reason {
        R::InvalidSignature => {
            "Mostro could not verify the message signature; update the client and try again."
        }
        R::InvalidTradeIndex => {
            "The trade key index was already used; restore the session to re-sync the index, then retry."
        }
        R::InvalidAmount => {
            "The amounts are not valid; use a positive fiat amount, or a range with min below max and no fixed sats."
        }
        R::InvalidInvoice => {
            "The invoice was refused; send an amountless invoice, a Lightning address, or one for exactly the requested amount on the node's network with enough expiry."
        }
        R::InvalidPaymentRequest => "The payment request is malformed; check the invoice and retry.",
        R::InvalidPeer => {
            "Only the other side of the trade may do this; check you are using the right order."
        }
        R::InvalidRating => "Ratings must be a whole number from 1 to 5.",
        R::InvalidTextMessage => "The text of the request is missing or malformed.",
        R::InvalidOrderKind => {
            "The order kind does not match; take sell orders as a buyer and buy orders as a seller."
        }
        R::InvalidOrderStatus => {
            "The order is not in a state that allows this (it may be taken, expired or finished); refresh the order and check its status."
        }
        R::InvalidPubkey => {
            "You are not the party allowed to do this on the order (or you tried to take your own order)."
        }
        R::InvalidParameters => "The request parameters are not valid; check the values and retry.",
        R::InvalidPayload => {
            "The request carried data Mostro cannot use here; check the command options."
        }
        R::OrderAlreadyCanceled => "The order is already canceled; nothing more to do.",
        R::CantCreateUser => "Mostro could not register your identity; try again later.",
        R::IsNotYourOrder => "This order belongs to someone else; you can only cancel your own orders.",
        R::NotAllowedByStatus => {
            "The order's current status does not allow this action (someone may have acted first); refresh the order and check what to do next."
        }
        R::OutOfRangeFiatAmount => {
            "The fiat amount is outside the order's range; pick an amount between its minimum and maximum."
        }
        R::OutOfRangeSatsAmount => {
            "The amount is outside the allowed limits (or a range order needs an amount within its bounds); pick another amount."
        }
        R::PriceTooStale => {
            "Mostro has no fresh market price for this currency; wait a few minutes or use a fixed sats amount."
        }
        R::IsNotYourDispute => "This dispute is assigned to another solver.",
        R::DisputeTakenByAdmin => "The node administrator has taken this dispute.",
        R::NotAuthorized => "Your solver permissions do not allow this action.",
        R::DisputeCreationError => "The dispute could not be opened; try again later.",
        R::NotFound => {
            "Mostro does not know this order, dispute or user; check the id (it may have expired)."
        }
        R::InvalidDisputeStatus => "The dispute is not in a state that allows this.",
        R::InvalidAction => "Mostro does not accept this action here.",
        R::PendingOrderExists => {
            "You already have an order waiting for your action; finish or cancel it first."
        }
        R::InvalidFiatCurrency => {
            "This Mostro does not accept that fiat currency; check its accepted currencies."
        }
        R::TooManyRequests => "Too many order ids in one request; ask for fewer at a time.",
        R::InvalidCashuToken => "The Cashu token is not valid.",
        R::CashuMintUnavailable => "The Cashu mint cannot be reached; try again later.",
        R::InvalidMintUrl => "The Cashu mint URL is not the one this Mostro uses.",
        R::CashuEscrowNotLocked => "The Cashu escrow is not locked yet.",
        R::CashuSignatureMissing => "A required Cashu signature is missing.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_a_distinct_sentence() {
        let mut seen = std::collections::HashSet::new();
        for reason in CantDoReason::ALL {
            let text = explain(reason);
            assert!(text.ends_with('.'), "{reason:?}: {text}");
            assert!(text.len() > 20, "{reason:?}");
            assert!(seen.insert(text), "duplicate explanation for {reason:?}");
        }
        assert_eq!(seen.len(), CantDoReason::ALL.len());
    }
}
