//! Sentences for users: what Mostro said, what to do next, what went wrong.

use mostro_client::{explain, next_step, ClientError, LocalOrder, NextStep, Update};
use serde::Serialize;

use super::words;
use crate::error::CliError;

/// The next step of an order, for people and for scripts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepView {
    /// Stable code, e.g. `send-fiat`, `release`, `wait-for-taker`.
    pub code: &'static str,
    /// A sentence saying what to do.
    pub text: String,
    /// The command to run, when there is one.
    pub command: Option<String>,
}

/// The next step on `order`, with the command to run.
pub fn step(order: &LocalOrder) -> StepView {
    let id = order.id;
    let cmd = |c: &str| Some(format!("mostro-cli {c} {id}"));
    let (fiat, methods) = match &order.order {
        Some(small) => (words::fiat(small), words::methods(small)),
        None => ("the fiat amount".to_owned(), "the agreed method".to_owned()),
    };
    let (code, text, command) = match next_step(order, order.side()) {
        NextStep::WaitForTaker => (
            "wait-for-taker",
            "Your order is in the book; wait for a taker (or cancel it).".to_owned(),
            None,
        ),
        NextStep::PayHoldInvoice { .. } => (
            "pay-hold-invoice",
            "Pay the hold invoice with your Lightning wallet to lock the escrow \
             (`mostro-cli show-invoice` shows it again)."
                .to_owned(),
            cmd("show-invoice"),
        ),
        NextStep::SendPayoutInvoice { amount_sats } => (
            "send-invoice",
            match amount_sats {
                Some(a) if a > 0 => format!(
                    "Send an invoice for {} (or a Lightning address) to be paid.",
                    words::sats(a)
                ),
                _ => "Send an invoice (or a Lightning address) to be paid.".to_owned(),
            },
            Some(format!("mostro-cli add-invoice {id} <invoice|address>")),
        ),
        NextStep::WaitForSellerPayment => (
            "wait-for-seller",
            "Wait for the seller to lock the sats in escrow.".to_owned(),
            None,
        ),
        NextStep::WaitForBuyerInvoice => (
            "wait-for-buyer-invoice",
            "Wait for the buyer to send an invoice.".to_owned(),
            None,
        ),
        NextStep::SendFiat => (
            "send-fiat",
            format!("The escrow is locked. Send {fiat} by {methods}, then run the command."),
            cmd("fiat-sent"),
        ),
        NextStep::WaitForFiat => (
            "wait-for-fiat",
            format!("Wait for the buyer to send {fiat} by {methods}."),
            None,
        ),
        NextStep::Release => (
            "release",
            format!(
                "The buyer says {fiat} was sent. Check that it arrived in your account, \
                 then release the sats (only then: this cannot be undone)."
            ),
            cmd("release"),
        ),
        NextStep::WaitForRelease => (
            "wait-for-release",
            "Wait for the seller to confirm the payment and release the sats.".to_owned(),
            None,
        ),
        NextStep::WaitForPayout => (
            "wait-for-payout",
            "Released: Mostro is paying your invoice.".to_owned(),
            None,
        ),
        NextStep::AnswerCooperativeCancel => (
            "answer-cancel",
            "Your counterparty asked to cancel. Cancel too to agree, or keep trading.".to_owned(),
            cmd("cancel"),
        ),
        NextStep::WaitForCooperativeCancel => (
            "wait-for-cancel",
            "You asked to cancel; waiting for your counterparty to agree.".to_owned(),
            None,
        ),
        NextStep::WaitForSolver => (
            "wait-for-solver",
            "A dispute is open; wait for a solver to take it.".to_owned(),
            None,
        ),
        NextStep::TalkToSolver { .. } => (
            "talk-to-solver",
            "A solver took the dispute; explain your case in the dispute chat.".to_owned(),
            Some(format!("mostro-cli chat send {id} --solver \"<text>\"")),
        ),
        NextStep::Rate => (
            "rate",
            "Rate your counterparty from 1 to 5.".to_owned(),
            Some(format!("mostro-cli rate {id} <1-5>")),
        ),
        NextStep::Done => (
            "done",
            "Trade complete; nothing left to do.".to_owned(),
            None,
        ),
        NextStep::Closed { status } => (
            "closed",
            format!("The order is closed ({}).", words::status(Some(status))),
            None,
        ),
        NextStep::WaitForMostro => (
            "wait-for-mostro",
            "Waiting for Mostro; run `mostro-cli watch` to follow.".to_owned(),
            None,
        ),
    };
    StepView {
        code,
        text,
        command,
    }
}

/// `text`, then `run: <command>` when there is one.
pub fn step_line(step: &StepView) -> String {
    match &step.command {
        Some(command) => format!("{} Run: {command}", step.text),
        None => step.text.clone(),
    }
}

/// What an update means, in one sentence.
pub fn update_text(update: &Update) -> String {
    match update {
        Update::NewOrder { order } => match order.status {
            Some(mostro_protocol::Status::Pending) | None => {
                "The order is published in the book.".to_owned()
            }
            status => format!("Order update: {}.", words::status(status)),
        },
        Update::PayHoldInvoice { order, .. } => match order {
            Some(o) if o.amount > 0 => format!(
                "Pay this hold invoice of {} to lock the escrow.",
                words::sats(o.amount)
            ),
            _ => "Pay this hold invoice to lock the escrow.".to_owned(),
        },
        Update::PayBondInvoice { .. } => "Pay this bond hold invoice to continue.".to_owned(),
        Update::AddInvoice { .. } => "Mostro needs your invoice to pay you.".to_owned(),
        Update::AddBondInvoice { .. } => {
            "Mostro offers you a share of a slashed bond; claiming it needs a client that \
             supports `add-bond-invoice`."
                .to_owned()
        }
        Update::ReputationNotice { reputation, .. } => match reputation {
            Some(r) => format!(
                "Your counterparty's reputation: {:.1}/5 from {} ratings, {} days on this Mostro.",
                r.rating, r.reviews, r.operating_days
            ),
            None => "Your counterparty has no reputation (new or private).".to_owned(),
        },
        Update::WaitingSellerToPay => "Waiting for the seller to pay the hold invoice.".to_owned(),
        Update::WaitingBuyerInvoice => "Waiting for the buyer's invoice.".to_owned(),
        Update::Active { .. } => "The escrow is locked: the trade is active.".to_owned(),
        Update::FiatSentOk { .. } => "The buyer marked the fiat as sent.".to_owned(),
        Update::Released => "The seller released the sats.".to_owned(),
        Update::HoldInvoiceSettled => "Your escrow was settled to pay the buyer.".to_owned(),
        Update::PurchaseCompleted => "The buyer was paid: trade complete.".to_owned(),
        Update::PaymentFailed { info } => format!(
            "Paying your invoice failed; Mostro retries {} more time(s) every {} s. \
             You may send a new invoice with add-invoice.",
            info.payment_attempts, info.payment_retries_interval
        ),
        Update::InvoiceUpdated => "Your new invoice was accepted.".to_owned(),
        Update::RateCounterparty => "Please rate your counterparty.".to_owned(),
        Update::RateReceived { rating } => match rating {
            Some(r) => format!("Your rating ({r}/5) was recorded."),
            None => "Your rating was recorded.".to_owned(),
        },
        Update::Canceled => "The order was canceled.".to_owned(),
        Update::CooperativeCancelInitiatedByYou => {
            "You asked to cancel; your counterparty must agree.".to_owned()
        }
        Update::CooperativeCancelInitiatedByPeer => {
            "Your counterparty asked to cancel the trade.".to_owned()
        }
        Update::CooperativeCancelAccepted => "The trade was canceled by both parties.".to_owned(),
        Update::DisputeInitiated { by_you: true, .. } => "You opened a dispute.".to_owned(),
        Update::DisputeInitiated { by_you: false, .. } => {
            "Your counterparty opened a dispute.".to_owned()
        }
        Update::SolverAssigned { .. } => "A solver took the dispute.".to_owned(),
        Update::AdminSettled => {
            "The solver settled the dispute: the sats go to the buyer.".to_owned()
        }
        Update::AdminCanceled => {
            "The solver canceled the order: the sats return to the seller.".to_owned()
        }
        Update::HoldInvoiceCanceled => "The hold invoice was canceled.".to_owned(),
        Update::Bond { action, .. } => format!("Bond notice: {action}."),
        Update::TradePubkey => "Trade key change acknowledged.".to_owned(),
        Update::CantDo { reason } => match reason {
            Some(r) => format!("Mostro refused: {}", explain(*r)),
            None => "Mostro refused the request.".to_owned(),
        },
        Update::Other { action } => format!("Mostro says: {action}."),
    }
}

/// A stable code for an update (the wire action it came from, mostly).
pub fn update_code(update: &Update) -> String {
    let code = match update {
        Update::NewOrder { .. } => "new-order",
        Update::PayHoldInvoice { .. } => "pay-invoice",
        Update::PayBondInvoice { .. } => "pay-bond-invoice",
        Update::AddInvoice { .. } => "add-invoice",
        Update::AddBondInvoice { .. } => "add-bond-invoice",
        Update::ReputationNotice { .. } => "reputation",
        Update::WaitingSellerToPay => "waiting-seller-to-pay",
        Update::WaitingBuyerInvoice => "waiting-buyer-invoice",
        Update::Active { .. } => "active",
        Update::FiatSentOk { .. } => "fiat-sent-ok",
        Update::Released => "released",
        Update::HoldInvoiceSettled => "hold-invoice-payment-settled",
        Update::PurchaseCompleted => "purchase-completed",
        Update::PaymentFailed { .. } => "payment-failed",
        Update::InvoiceUpdated => "invoice-updated",
        Update::RateCounterparty => "rate",
        Update::RateReceived { .. } => "rate-received",
        Update::Canceled => "canceled",
        Update::CooperativeCancelInitiatedByYou => "cooperative-cancel-initiated-by-you",
        Update::CooperativeCancelInitiatedByPeer => "cooperative-cancel-initiated-by-peer",
        Update::CooperativeCancelAccepted => "cooperative-cancel-accepted",
        Update::DisputeInitiated { by_you: true, .. } => "dispute-initiated-by-you",
        Update::DisputeInitiated { by_you: false, .. } => "dispute-initiated-by-peer",
        Update::SolverAssigned { .. } => "admin-took-dispute",
        Update::AdminSettled => "admin-settled",
        Update::AdminCanceled => "admin-canceled",
        Update::HoldInvoiceCanceled => "hold-invoice-payment-canceled",
        Update::TradePubkey => "trade-pubkey",
        Update::CantDo { .. } => "cant-do",
        Update::Bond { action, .. } | Update::Other { action } => return action.to_string(),
    };
    code.to_owned()
}

/// The sources of an error, joined: `a: b: c`.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// An error as a sentence that says what to do. `relays` are the configured
/// relay URLs, named when none could be reached.
pub fn error_text(error: &CliError, relays: &[String]) -> String {
    let CliError::Client(client) = error else {
        return chain(error);
    };
    match client {
        ClientError::CantDo { action, reason } => match reason {
            Some(r) => format!("Mostro refused `{action}` ({r}): {}", explain(*r)),
            None => format!(
                "Mostro refused `{action}` without saying why; check the order with \
                 `mostro-cli my-orders --refresh`."
            ),
        },
        ClientError::Timeout {
            daemon,
            action,
            waited,
            silent_relays,
            unacknowledged_relays,
        } => {
            let mut text = format!(
                "Mostro {daemon} did not answer `{action}` within {} s (no reply on {}).",
                waited.as_secs(),
                list(silent_relays)
            );
            if !unacknowledged_relays.is_empty() {
                text.push_str(&format!(
                    " These relays did not confirm receiving the request: {}.",
                    list(unacknowledged_relays)
                ));
            }
            text.push_str(
                " Mostro may be offline or may have dropped the request; check the daemon key \
                 and relays, then run `mostro-cli watch` in case a late answer arrives.",
            );
            text
        }
        ClientError::Relay(mostro_relay::RelayError::NoConnectedRelay { timeout }) => format!(
            "Could not connect to any relay within {} s: {}. Check the --relay URLs and your \
             network.",
            timeout.as_secs(),
            list(relays)
        ),
        ClientError::NoDaemonInfo(daemon) => format!(
            "No info event from Mostro {daemon} on {}. Check the daemon key (--mostro) and \
             that it publishes to these relays.",
            list(relays)
        ),
        ClientError::UnknownOrder(id) => format!(
            "Order {id} is not one of yours on this device; see `mostro-cli my-orders --all`, \
             or run `mostro-cli restore`."
        ),
        ClientError::NoPeer(id, who) => format!(
            "Order {id} has no {who} yet, so there is nobody to chat with; run `mostro-cli watch` \
             to get the latest updates."
        ),
        ClientError::Keys(_) => format!(
            "{}. Check the mnemonic words (12 or 24 English BIP-39 words).",
            chain(client)
        ),
        other => chain(other),
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "no relay".to_owned()
    } else {
        items.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use mostro_protocol::{Action, CantDoReason, Kind, SmallOrder, Status};

    use super::*;

    #[test]
    fn buyer_in_an_active_trade_is_told_to_pay_and_run_fiat_sent() {
        let id = uuid::Uuid::from_u128(7);
        let mut order = LocalOrder::new(id, 1, Kind::Sell, false, 0);
        let mut small = SmallOrder::new(1000, "USD", 100, "bank transfer", 0);
        small.status = Some(Status::Active);
        order.order = Some(small);
        order.status = Some(Status::Active);
        let s = step(&order);
        assert_eq!(s.code, "send-fiat");
        assert!(
            s.text.contains("Send 100 USD by bank transfer"),
            "{}",
            s.text
        );
        assert_eq!(s.command, Some(format!("mostro-cli fiat-sent {id}")));
        assert!(step_line(&s).ends_with(&format!("Run: mostro-cli fiat-sent {id}")));
    }

    #[test]
    fn cant_do_errors_carry_the_library_explanation() {
        let e = CliError::from(ClientError::CantDo {
            action: Action::TakeSell,
            reason: Some(CantDoReason::PendingOrderExists),
        });
        let text = error_text(&e, &[]);
        assert!(text.contains("take-sell"), "{text}");
        assert!(text.contains(explain(CantDoReason::PendingOrderExists)));
    }

    #[test]
    fn unreachable_relays_are_named() {
        let e = CliError::from(ClientError::Relay(
            mostro_relay::RelayError::NoConnectedRelay {
                timeout: std::time::Duration::from_secs(2),
            },
        ));
        let text = error_text(&e, &["ws://127.0.0.1:9".to_owned()]);
        assert!(
            text.contains("ws://127.0.0.1:9") && text.contains("2 s"),
            "{text}"
        );
    }
}
