//! `my-orders`, `restore` and `show-invoice`: my own orders.

use mostro_client::{ClientError, LocalOrder};

use crate::context::{resolve_order_id, Context};
use crate::error::CliError;
use crate::render::emit;
use crate::render::views::{InvoiceView, RestoreView, TradeView, TradesView};

fn newest_first(mut orders: Vec<LocalOrder>) -> Vec<LocalOrder> {
    orders.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
    orders
}

/// Lists local orders (unfinished only unless `all`), optionally refreshed
/// from the daemon first.
pub async fn my_orders(ctx: &Context, refresh: bool, all: bool) -> Result<(), CliError> {
    let orders = if refresh {
        let client = ctx.client()?;
        let ids: Vec<_> = client
            .local_orders()?
            .iter()
            .filter(|o| !o.is_finished())
            .map(|o| o.id)
            .collect();
        let refreshed = if ids.is_empty() {
            Ok(Vec::new())
        } else {
            client.my_orders(&ids).await
        };
        let local = client.local_orders();
        client.shutdown().await;
        refreshed?;
        local?
    } else {
        ctx.store()?.orders().map_err(ClientError::from)?
    };
    let view = TradesView {
        orders: newest_first(orders)
            .iter()
            .filter(|o| all || !o.is_finished())
            .map(TradeView::from)
            .collect(),
    };
    emit(ctx.json(), &view)
}

/// Restores orders and the trade index from the daemon.
pub async fn restore(ctx: &Context) -> Result<(), CliError> {
    let client = ctx.client()?;
    let result = client.restore_session().await;
    client.shutdown().await;
    let report = result?;
    let view = RestoreView {
        orders: newest_first(report.orders)
            .iter()
            .map(TradeView::from)
            .collect(),
        last_trade_index: report.last_trade_index,
    };
    emit(ctx.json(), &view)
}

/// Shows the pending hold invoice of an order, with a QR code.
pub fn show_invoice(ctx: &Context, order: &str) -> Result<(), CliError> {
    let store = ctx.store()?;
    let id = resolve_order_id(&store, order)?;
    let local = store
        .order(id)
        .map_err(ClientError::from)?
        .ok_or(ClientError::UnknownOrder(id))?;
    let invoice = local.hold_invoice.clone().ok_or_else(|| {
        CliError::Usage(format!(
            "order {id} has no hold invoice to pay (it is {}); run `mostro-cli watch` for updates",
            crate::render::words::status(local.status)
        ))
    })?;
    emit(
        ctx.json(),
        &InvoiceView {
            order: id.to_string(),
            invoice,
        },
    )
}
