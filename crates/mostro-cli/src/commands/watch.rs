//! `watch`: follow my trades live, one line per update with the next step.

use std::time::Duration;

use crate::context::Context;
use crate::error::CliError;
use crate::render::emit_line;
use crate::render::views::ActionView;

/// Waits for `secs` seconds, or forever.
async fn stop_after(secs: Option<u64>) {
    match secs {
        Some(secs) => tokio::time::sleep(Duration::from_secs(secs)).await,
        None => std::future::pending().await,
    }
}

/// Prints every update for my orders until Ctrl-C (or `duration` seconds).
pub async fn watch(
    ctx: &Context,
    lookback_hours: u64,
    duration: Option<u64>,
) -> Result<(), CliError> {
    let client = ctx.client()?;
    let result = follow(ctx, &client, lookback_hours, duration).await;
    client.shutdown().await;
    result
}

async fn follow(
    ctx: &Context,
    client: &mostro_client::MostroClient,
    lookback_hours: u64,
    duration: Option<u64>,
) -> Result<(), CliError> {
    let mut watch = client.watch(lookback_hours.saturating_mul(3600)).await?;
    if !ctx.json() {
        eprintln!("Watching your orders (Ctrl-C to stop)...");
    }
    let stop = stop_after(duration);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(()),
            () = &mut stop => return Ok(()),
            item = watch.next() => match item {
                None => return Ok(()),
                Some(Err(error)) => return Err(error.into()),
                Some(Ok(event)) => {
                    let view = ActionView {
                        update: (&event.update).into(),
                        order: event.order.as_ref().map(Into::into),
                    };
                    emit_line(ctx.json(), &view)?;
                    if !ctx.json() {
                        if let Some(notice) = super::dispute::token_notice(client, &event) {
                            emit_line(false, &notice)?;
                        }
                    }
                }
            },
        }
    }
}
