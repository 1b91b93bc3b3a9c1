//! Taking orders and every step of a trade.

use mostro_client::MostroClient;
use uuid::Uuid;

use super::emit_reply;
use crate::context::{resolve_order_id, Context};
use crate::error::CliError;

/// The order actions that need nothing but the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Simple {
    /// Buyer: fiat was sent.
    FiatSent,
    /// Seller: release the escrow.
    Release,
    /// Cancel, back out, or cooperative cancel.
    Cancel,
    /// Rate the counterparty.
    Rate(u8),
}

/// A full order id (orders from the book are not local, so no prefixes).
fn full_id(raw: &str) -> Result<Uuid, CliError> {
    Uuid::parse_str(raw.trim()).map_err(|_| {
        CliError::Usage(format!(
            "`{raw}` is not an order id; copy the full id from `mostro-cli orders`"
        ))
    })
}

/// Runs `f` with a fresh client and closes its connections afterwards.
async fn with_client<T, F, Fut>(ctx: &Context, f: F) -> Result<T, CliError>
where
    F: FnOnce(MostroClient) -> Fut,
    Fut: std::future::Future<Output = Result<T, CliError>>,
{
    let client = ctx.client()?;
    let result = f(client.clone()).await;
    client.shutdown().await;
    result
}

/// `take-sell`: buy the sats of a sell order.
pub async fn take_sell(
    ctx: &Context,
    order: &str,
    invoice: Option<String>,
    amount: Option<i64>,
) -> Result<(), CliError> {
    let id = full_id(order)?;
    let reply = with_client(ctx, |c| async move {
        Ok(c.take_sell(id, invoice, amount).await?)
    })
    .await?;
    emit_reply(ctx, &reply)
}

/// `take-buy`: sell sats to a buy order; the reply carries the hold invoice.
pub async fn take_buy(ctx: &Context, order: &str, amount: Option<i64>) -> Result<(), CliError> {
    let id = full_id(order)?;
    let reply = with_client(ctx, |c| async move { Ok(c.take_buy(id, amount).await?) }).await?;
    emit_reply(ctx, &reply)
}

/// `add-invoice`: the buyer's payout destination.
pub async fn add_invoice(
    ctx: &Context,
    order: &str,
    invoice: String,
    amount: Option<i64>,
) -> Result<(), CliError> {
    let reply = with_client(ctx, |c| async move {
        let id = resolve_order_id(c.store(), order)?;
        Ok(c.add_invoice(id, invoice, amount).await?)
    })
    .await?;
    emit_reply(ctx, &reply)
}

/// `fiat-sent`, `release`, `cancel`, `rate`.
pub async fn simple(ctx: &Context, order: &str, action: Simple) -> Result<(), CliError> {
    let reply = with_client(ctx, |c| async move {
        let id = resolve_order_id(c.store(), order)?;
        let reply = match action {
            Simple::FiatSent => c.fiat_sent(id).await,
            Simple::Release => c.release(id).await,
            Simple::Cancel => c.cancel(id).await,
            Simple::Rate(rating) => c.rate(id, rating).await,
        };
        Ok(reply?)
    })
    .await?;
    emit_reply(ctx, &reply)
}
