//! `new-order` (PROTOCOL.md §5.2), with the §11.16 fix (fee computed before the
//! maker's invoice is checked) and the §11.17 fix (`expires_at: 0` means absent).

use mostro_protocol::action::Action;
use mostro_protocol::cant_do::CantDoReason;
use mostro_protocol::order::SmallOrder;
use mostro_protocol::payload::Payload;
use mostro_protocol::status::Status;
use nostr::types::Timestamp;
use uuid::Uuid;

use crate::model::{Order, Party, Payout, Pricing};

use super::fees::{node_fee, quote_without_premium};
use super::input::{Ctx, Request};
use super::messages::{maker_view, Direct};
use super::output::{Bucket, Outgoing, Refusal, Transition};
use super::{after, trade_index};

const HOUR: u64 = 3600;
const DAY: u64 = 86_400;

/// Creates an order from a `new-order` request. `new_id` is a fresh UUID v4 chosen by
/// the runtime. Checks run in the order of §5.2; the first failure wins.
pub fn new_order(
    request: &Request,
    ctx: &Ctx<'_>,
    new_id: Uuid,
    now: Timestamp,
) -> Result<Transition, Refusal> {
    if request.action != Action::NewOrder {
        return Err(Refusal::Silent("not a new-order request"));
    }
    let Some(Payload::Order(wire)) = &request.payload else {
        return Err(Refusal::Silent("new-order without an order payload"));
    };
    let checked = trade_index::check(request, ctx.user(&request.identity), now)?;
    let settings = ctx.settings;

    let fixed_amount = u64::try_from(wire.amount).ok().filter(|a| *a > 0);
    let fee = fixed_amount.map_or(0, |a| node_fee(settings.fee, a));

    // 1. The maker's payout destination, against what the buyer will receive.
    if let Some(destination) = &wire.buyer_invoice {
        let expected = fixed_amount.map(|a| a.saturating_sub(fee));
        ctx.validator
            .validate(destination, expected, now)
            .map_err(|_| Refusal::CantDo(CantDoReason::InvalidInvoice))?;
    }
    // 2. Currency.
    if !settings.accepts_currency(&wire.fiat_code) {
        return Err(Refusal::CantDo(CantDoReason::InvalidFiatCurrency));
    }
    // 3.–6. Amount shape.
    check_amounts(wire)?;
    // Extension: the currency's fiat limits (no price needed, so before check 7).
    check_fiat_limits(wire, ctx)?;
    // 7. Sats limits (market quotes without premium).
    check_limits(wire, fixed_amount, ctx, now)?;
    // 9. Kind (the trade index is recorded only if the whole request succeeds).
    let Some(kind) = wire.kind else {
        return Err(Refusal::CantDo(CantDoReason::InvalidOrderKind));
    };

    let order = Order {
        id: new_id,
        kind,
        status: Status::Pending,
        pricing: if fixed_amount.is_some() {
            Pricing::Fixed
        } else {
            Pricing::Market
        },
        amount: fixed_amount.unwrap_or(0),
        fee,
        dev_fee: 0,
        premium: wire.premium,
        fiat_code: wire.fiat_code.clone(),
        fiat_amount: if wire.is_range() { 0 } else { wire.fiat_amount },
        min_amount: wire.min_amount,
        max_amount: wire.max_amount,
        payment_method: wire.payment_method.clone(),
        maker: Party {
            trade_pubkey: request.sender,
            identity_pubkey: request.identity,
            trade_index: checked.index,
            transport: request.transport,
        },
        taker: None,
        buyer_invoice: wire
            .buyer_invoice
            .clone()
            .filter(|_| kind == mostro_protocol::order::Kind::Buy),
        buyer_invoice_from_maker: false,
        hold_invoice: None,
        payout: Payout::NotStarted,
        hold_request_id: None,
        cancel_initiator: None,
        buyer_rated: false,
        seller_rated: false,
        next_trade: None,
        range_parent_id: None,
        created_at: now,
        expires_at: expiry(
            wire.expires_at,
            now,
            settings.expiration_hours,
            settings.max_expiration_days,
        ),
        taken_at: None,
        last_event_at: None,
    };
    let order = Order {
        buyer_invoice_from_maker: order.buyer_invoice.is_some(),
        ..order
    };

    let reply = Direct::to(&order.maker, &order, Action::NewOrder)
        .request_id(request.request_id)
        .trade_index(request.trade_index)
        .payload(Payload::Order(maker_view(&order)))
        .build();
    Ok(Transition {
        previous_status: None,
        outbox: vec![
            reply,
            Outgoing::OrderEvent {
                order_id: order.id,
                bucket: Bucket::Pending,
            },
        ],
        effects: Vec::new(),
        user_updates: checked.user_update.into_iter().collect(),
        new_orders: Vec::new(),
        dispute_resolution: None,
        order,
    })
}

/// Checks 3–6 of §5.2, plus the rewrite's refusal of a half-set range.
fn check_amounts(wire: &SmallOrder) -> Result<(), Refusal> {
    let invalid = Err(Refusal::CantDo(CantDoReason::InvalidAmount));
    match (wire.min_amount, wire.max_amount) {
        (None, None) => {
            if wire.fiat_amount <= 0 || wire.amount < 0 {
                return invalid;
            }
        }
        (Some(min), Some(max)) => {
            if wire.amount != 0 || min < 0 || max < 0 || min >= max {
                return invalid;
            }
        }
        _ => return invalid,
    }
    if wire.amount != 0 && wire.premium != 0 {
        return Err(Refusal::CantDo(CantDoReason::InvalidParameters));
    }
    Ok(())
}

/// Extension to §5.2: the fiat amount, or both ends of a range, within the limits
/// configured for the currency ⇒ else `out_of_range_fiat_amount`.
fn check_fiat_limits(wire: &SmallOrder, ctx: &Ctx<'_>) -> Result<(), Refusal> {
    let fiat_amounts = match (wire.min_amount, wire.max_amount) {
        (Some(min), Some(max)) => vec![min, max],
        _ => vec![wire.fiat_amount],
    };
    if fiat_amounts
        .into_iter()
        .all(|fiat| ctx.settings.fiat_in_limits(&wire.fiat_code, fiat))
    {
        Ok(())
    } else {
        Err(Refusal::CantDo(CantDoReason::OutOfRangeFiatAmount))
    }
}

/// Check 7 of §5.2: every sats amount within `[min_payment_amount, max_order_amount]`.
fn check_limits(
    wire: &SmallOrder,
    fixed_amount: Option<u64>,
    ctx: &Ctx<'_>,
    now: Timestamp,
) -> Result<(), Refusal> {
    let out_of_range = Refusal::CantDo(CantDoReason::OutOfRangeSatsAmount);
    if let Some(amount) = fixed_amount {
        return if ctx.settings.sats_in_limits(amount) {
            Ok(())
        } else {
            Err(out_of_range)
        };
    }
    let price = ctx
        .fresh_price(now)
        .ok_or(Refusal::CantDo(CantDoReason::PriceTooStale))?;
    let fiat_amounts: Vec<i64> = match (wire.min_amount, wire.max_amount) {
        (Some(min), Some(max)) => vec![min, max],
        _ => vec![wire.fiat_amount],
    };
    for fiat in fiat_amounts {
        let sats = quote_without_premium(fiat, price).ok_or(out_of_range)?;
        if !ctx.settings.sats_in_limits(sats) {
            return Err(out_of_range);
        }
    }
    Ok(())
}

/// The take window's end: `now + expiration_hours` when absent (or `0`, or not in
/// the future), else the requested time capped at `now + max_expiration_days`.
fn expiry(requested: Option<i64>, now: Timestamp, hours: u64, max_days: u64) -> Timestamp {
    let default = after(now, hours.saturating_mul(HOUR));
    let cap = after(now, max_days.saturating_mul(DAY));
    match requested.and_then(|t| u64::try_from(t).ok()) {
        Some(t) if t > now.as_secs() => Timestamp::from_secs(t.min(cap.as_secs())),
        _ => default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_treats_zero_and_past_as_absent_and_caps_the_future() {
        let now = Timestamp::from_secs(1_000_000);
        let default = 1_000_000 + 24 * HOUR;
        assert_eq!(expiry(None, now, 24, 15).as_secs(), default);
        assert_eq!(expiry(Some(0), now, 24, 15).as_secs(), default);
        assert_eq!(expiry(Some(999_999), now, 24, 15).as_secs(), default);
        assert_eq!(expiry(Some(1_000_100), now, 24, 15).as_secs(), 1_000_100);
        assert_eq!(
            expiry(Some(i64::MAX), now, 24, 15).as_secs(),
            1_000_000 + 15 * DAY
        );
    }
}
