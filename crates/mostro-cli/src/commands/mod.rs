//! One module per group of commands; [`run`] dispatches.

mod chat;
mod create;
mod dispute;
mod keys;
mod market;
mod mine;
mod solver;
mod trade;
mod watch;

use mostro_client::OrderReply;

use crate::args::Command;
use crate::context::Context;
use crate::error::CliError;
use crate::render::emit;
use crate::render::views::ActionView;

/// Runs `command`.
pub async fn run(ctx: &Context, command: Command) -> Result<(), CliError> {
    match command {
        Command::Init { import } => keys::init(ctx, import.as_deref()),
        Command::Mnemonic { show } => keys::mnemonic(ctx, show),
        Command::Info => market::info(ctx).await,
        Command::Orders(args) => market::orders(ctx, &args).await,
        Command::Sell(order) => {
            create::create(ctx, mostro_protocol::Kind::Sell, &order, None).await
        }
        Command::Buy { order, invoice } => {
            create::create(ctx, mostro_protocol::Kind::Buy, &order, invoice).await
        }
        Command::TakeSell {
            order,
            invoice,
            amount,
        } => trade::take_sell(ctx, &order, invoice, amount).await,
        Command::TakeBuy { order, amount } => trade::take_buy(ctx, &order, amount).await,
        Command::AddInvoice {
            order,
            invoice,
            amount,
        } => trade::add_invoice(ctx, &order, invoice, amount).await,
        Command::FiatSent { order } => trade::simple(ctx, &order, trade::Simple::FiatSent).await,
        Command::Release { order } => trade::simple(ctx, &order, trade::Simple::Release).await,
        Command::Cancel { order } => trade::simple(ctx, &order, trade::Simple::Cancel).await,
        Command::Dispute { order } => dispute::open(ctx, &order).await,
        Command::Rate { order, rating } => {
            trade::simple(ctx, &order, trade::Simple::Rate(rating)).await
        }
        Command::ShowInvoice { order } => mine::show_invoice(ctx, &order),
        Command::MyOrders { refresh, all } => mine::my_orders(ctx, refresh, all).await,
        Command::Restore => mine::restore(ctx).await,
        Command::Watch { lookback, duration } => watch::watch(ctx, lookback, duration).await,
        Command::Chat(command) => chat::run(ctx, command).await,
        Command::DisputeChat { order, text } => dispute::chat(ctx, &order, text).await,
        Command::Solver(command) => solver::run(ctx, command).await,
    }
}

/// Prints the result of an order action.
fn emit_reply(ctx: &Context, reply: &OrderReply) -> Result<(), CliError> {
    let view = ActionView {
        update: (&reply.update).into(),
        order: Some((&reply.order).into()),
    };
    emit(ctx.json(), &view)
}
