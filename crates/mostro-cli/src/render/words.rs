//! Amounts, statuses and order terms in words.

use mostro_client::Side;
use mostro_protocol::{SmallOrder, Status};

/// `80000` → `80,000 sats`.
pub fn sats(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}{grouped} sats")
}

/// A fiat amount or range with its code: `100 USD`, `10-100 USD`.
pub fn fiat(order: &SmallOrder) -> String {
    match (order.min_amount, order.max_amount) {
        (Some(min), Some(max)) if order.fiat_amount == 0 => {
            format!("{min}-{max} {}", order.fiat_code)
        }
        _ => format!("{} {}", order.fiat_amount, order.fiat_code),
    }
}

/// `market`, `market +2%`, `market -1%`.
pub fn market(premium: i64) -> String {
    match premium {
        0 => "market".to_owned(),
        p if p > 0 => format!("market +{p}%"),
        p => format!("market {p}%"),
    }
}

/// Payment methods as one readable string.
pub fn methods(order: &SmallOrder) -> String {
    order
        .payment_method
        .split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A status in words.
pub fn status(status: Option<Status>) -> &'static str {
    match status {
        None => "waiting for Mostro",
        Some(Status::Pending) => "in the book",
        Some(Status::WaitingMakerBond) => "waiting for the maker's bond",
        Some(Status::WaitingTakerBond) => "waiting for the taker's bond",
        Some(Status::WaitingBuyerInvoice) => "waiting for the buyer's invoice",
        Some(Status::WaitingPayment) => "waiting for the seller's payment",
        Some(Status::Active) => "active (escrow locked)",
        Some(Status::FiatSent) => "fiat sent",
        Some(Status::Dispute) => "in dispute",
        Some(Status::SettledHoldInvoice) => "released, paying the buyer",
        Some(Status::Success) => "completed",
        Some(Status::Canceled) => "canceled",
        Some(Status::CooperativelyCanceled) => "canceled by both parties",
        Some(Status::CanceledByAdmin) => "canceled by the solver",
        Some(Status::Expired) => "expired",
        Some(Status::InProgress) => "in progress",
        Some(Status::SettledByAdmin) => "settled by the solver",
        Some(Status::CompletedByAdmin) => "completed by the solver",
    }
}

/// `buyer` / `seller`.
pub fn side(side: Side) -> &'static str {
    match side {
        Side::Buyer => "buyer",
        Side::Seller => "seller",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sats_are_grouped_and_prices_named() {
        assert_eq!(sats(0), "0 sats");
        assert_eq!(sats(999), "999 sats");
        assert_eq!(sats(80_000), "80,000 sats");
        assert_eq!(sats(1_234_567), "1,234,567 sats");
        let mut o = SmallOrder::new(0, "USD", 0, "bank transfer,cash", -2);
        o.min_amount = Some(10);
        o.max_amount = Some(100);
        assert_eq!(fiat(&o), "10-100 USD");
        assert_eq!(market(o.premium), "market -2%");
        assert_eq!(market(3), "market +3%");
        assert_eq!(methods(&o), "bank transfer, cash");
        o.fiat_amount = 50;
        o.min_amount = None;
        assert_eq!(fiat(&o), "50 USD");
    }
}
