//! `take-sell` and `take-buy` (PROTOCOL.md §5.3, §5.4) as one transition parameterised
//! by the side the taker takes.

use mostro_protocol::action::Action;
use mostro_protocol::cant_do::CantDoReason;
use mostro_protocol::order::Kind;
use mostro_protocol::payload::Payload;
use mostro_protocol::status::Status;
use nostr::types::Timestamp;

use crate::model::{Order, Party, Pricing};

use super::fees::{dev_fee, market_sats, node_fee};
use super::hold::plan_hold_invoice;
use super::input::{Ctx, Request};
use super::messages::{small_order, Direct, Shown};
use super::output::{Bucket, Decision, Refusal, Transition};
use super::trade_index;

/// The order kind a take action applies to: `take-sell` takes sell orders (the taker
/// buys), `take-buy` takes buy orders (the taker sells).
fn taken_kind(action: Action) -> Option<Kind> {
    match action {
        Action::TakeSell => Some(Kind::Sell),
        Action::TakeBuy => Some(Kind::Buy),
        _ => None,
    }
}

/// Sats, fee and fiat amount of the trade once taken.
struct TradeQuote {
    sats: u64,
    fee: u64,
    fiat_amount: i64,
}

/// Handles `take-sell` / `take-buy` on `order`.
pub(crate) fn take(
    order: &Order,
    request: &Request,
    ctx: &Ctx<'_>,
    now: Timestamp,
) -> Result<Decision, Refusal> {
    let Some(kind) = taken_kind(request.action) else {
        return Err(Refusal::Silent("not a take request"));
    };
    let checked = trade_index::check(request, ctx.user(&request.identity), now)?;
    if ctx.pending_order_exists {
        return Err(Refusal::CantDo(CantDoReason::PendingOrderExists));
    }
    if order.kind != kind {
        return Err(Refusal::CantDo(CantDoReason::InvalidOrderKind));
    }
    if order.status != Status::Pending || order.expires_at <= now {
        return Err(Refusal::CantDo(CantDoReason::InvalidOrderStatus));
    }
    if request.sender == order.maker.trade_pubkey {
        return Err(Refusal::CantDo(CantDoReason::InvalidPubkey));
    }
    let priced = price(order, request, ctx, now)?;
    // Only a buyer-taker brings a payout destination.
    let invoice = match (&request.payload, kind) {
        (Some(Payload::PaymentRequest(_, destination, _)), Kind::Sell) => Some(destination.clone()),
        _ => None,
    };
    if let Some(destination) = &invoice {
        ctx.validator
            .validate(
                destination,
                Some(priced.sats.saturating_sub(priced.fee)),
                now,
            )
            .map_err(|_| Refusal::CantDo(CantDoReason::InvalidInvoice))?;
    }

    let mut next = order.clone();
    next.taker = Some(Party {
        trade_pubkey: request.sender,
        identity_pubkey: request.identity,
        trade_index: checked.index,
        transport: request.transport,
    });
    next.amount = priced.sats;
    next.fee = priced.fee;
    next.dev_fee = dev_fee(priced.fee, ctx.settings.dev_fee_percentage);
    next.fiat_amount = priced.fiat_amount;
    next.taken_at = Some(now);
    if invoice.is_some() {
        next.buyer_invoice = invoice;
        next.buyer_invoice_from_maker = false;
    }
    let user_updates: Vec<_> = checked.user_update.into_iter().collect();

    if kind == Kind::Sell && next.buyer_invoice.is_none() {
        return Ok(Decision::Commit(ask_buyer_invoice(
            order,
            next,
            request,
            user_updates,
        )));
    }
    Ok(Decision::NeedsHoldInvoice(plan_hold_invoice(
        order.status,
        next,
        request,
        ctx,
        Vec::new(),
        user_updates,
    )))
}

/// `take-sell` without invoice: the buyer is asked for one (status
/// `waiting-buyer-invoice`, published `in-progress`).
fn ask_buyer_invoice(
    before: &Order,
    mut next: Order,
    request: &Request,
    user_updates: Vec<crate::model::User>,
) -> Transition {
    next.status = Status::WaitingBuyerInvoice;
    let mut t = Transition::from(before, next);
    let order = &t.order;
    if let (Some(buyer), Some(seller)) = (order.buyer(), order.seller()) {
        let ask = Direct::to(buyer, order, Action::AddInvoice)
            .request_id(request.request_id)
            .trade_index(request.trade_index)
            .payload(Payload::Order(small_order(
                order,
                Shown::BuyerReceives,
                false,
            )))
            .build();
        let wait = Direct::to(seller, order, Action::WaitingBuyerInvoice).build();
        t.outbox.extend([ask, wait]);
    }
    t.user_updates = user_updates;
    t.publish(Bucket::InProgress);
    t
}

/// The trade's sats, fee and fiat amount: fixed orders keep theirs; market orders are
/// quoted now (§10.2), range orders for the fiat amount the taker asked for. The fiat
/// amount must lie within the currency's fiat limits as configured now (extension), so
/// an order created before the limits were tightened cannot be taken outside them.
fn price(
    order: &Order,
    request: &Request,
    ctx: &Ctx<'_>,
    now: Timestamp,
) -> Result<TradeQuote, Refusal> {
    let out_of_range = Refusal::CantDo(CantDoReason::OutOfRangeSatsAmount);
    let fiat_amount = match (order.min_amount, order.max_amount) {
        (Some(min), Some(max)) => {
            let requested = match &request.payload {
                Some(Payload::Amount(a)) => Some(*a),
                Some(Payload::PaymentRequest(_, _, a)) => *a,
                _ => None,
            };
            requested
                .filter(|a| (min..=max).contains(a))
                .ok_or(out_of_range)?
        }
        _ => order.fiat_amount,
    };
    // Extension: the traded fiat amount within the currency's current limits.
    if !ctx.settings.fiat_in_limits(&order.fiat_code, fiat_amount) {
        return Err(Refusal::CantDo(CantDoReason::OutOfRangeFiatAmount));
    }
    match order.pricing {
        Pricing::Fixed => Ok(TradeQuote {
            sats: order.amount,
            fee: order.fee,
            fiat_amount,
        }),
        Pricing::Market => {
            let price = ctx
                .fresh_price(now)
                .ok_or(Refusal::CantDo(CantDoReason::PriceTooStale))?;
            let sats = market_sats(fiat_amount, price, order.premium).ok_or(out_of_range)?;
            if !ctx.settings.sats_in_limits(sats) {
                return Err(out_of_range);
            }
            Ok(TradeQuote {
                sats,
                fee: node_fee(ctx.settings.fee, sats),
                fiat_amount,
            })
        }
    }
}
