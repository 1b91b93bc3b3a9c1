//! `info` and `orders`: public data of the daemon.

use mostro_client::BookFilter;
use mostro_protocol::events::OrderBucket;
use mostro_protocol::Kind;

use crate::args::{BookArgs, BucketArg, KindArg};
use crate::context::Context;
use crate::error::CliError;
use crate::render::emit;
use crate::render::views::{BookView, InfoView};

/// Shows the daemon's info event.
pub async fn info(ctx: &Context) -> Result<(), CliError> {
    let client = ctx.client()?;
    let result = client.fetch_info().await;
    client.shutdown().await;
    emit(ctx.json(), &InfoView::from(&result?))
}

fn filter(args: &BookArgs) -> BookFilter {
    BookFilter {
        kind: args.kind.map(|k| match k {
            KindArg::Buy => Kind::Buy,
            KindArg::Sell => Kind::Sell,
        }),
        // ISO 4217 codes are upper case; the daemon compares them exactly.
        currency: args.currency.as_deref().map(|c| c.trim().to_uppercase()),
        status: match args.status {
            BucketArg::Pending => Some(OrderBucket::Pending),
            BucketArg::InProgress => Some(OrderBucket::InProgress),
            BucketArg::Success => Some(OrderBucket::Success),
            BucketArg::Canceled => Some(OrderBucket::Canceled),
            BucketArg::All => None,
        },
        payment_method: args.payment_method.clone(),
    }
}

/// Lists the order book.
pub async fn orders(ctx: &Context, args: &BookArgs) -> Result<(), CliError> {
    let client = ctx.client()?;
    let result = client.order_book(&filter(args)).await;
    client.shutdown().await;
    let view = BookView {
        mostro: client.daemon().to_hex(),
        orders: result?.iter().map(Into::into).collect(),
    };
    emit(ctx.json(), &view)
}
