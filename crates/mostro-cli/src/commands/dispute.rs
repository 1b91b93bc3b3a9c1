//! Party side of a dispute: opening it (with the dispute token) and the
//! dispute chat with the solver Mostro announced.

use mostro_client::{MostroClient, Update, WatchEvent};

use crate::context::{resolve_order_id, Context};
use crate::error::CliError;
use crate::render::dispute::{token_line, DisputeChatView, DisputeOpenedView, NoticeView};
use crate::render::emit;
use crate::render::views::ActionView;

use super::chat::{emit_sent, message_view};

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

/// `dispute`: opens a dispute and shows the party's dispute token.
pub async fn open(ctx: &Context, order: &str) -> Result<(), CliError> {
    let view = with_client(ctx, |c| async move {
        let id = resolve_order_id(c.store(), order)?;
        let reply = c.dispute(id).await?;
        let dispute_token = c.dispute_token(id)?;
        Ok(DisputeOpenedView {
            action: ActionView {
                update: (&reply.update).into(),
                order: Some((&reply.order).into()),
            },
            dispute_token,
        })
    })
    .await?;
    emit(ctx.json(), &view)
}

/// `dispute-chat`: sends `text` to the solver, or prints the conversation.
pub async fn chat(ctx: &Context, order: &str, text: Option<String>) -> Result<(), CliError> {
    let json = ctx.json();
    with_client(ctx, |c| async move {
        let id = resolve_order_id(c.store(), order)?;
        let local = c.local_order(id)?;
        if local.solver_pubkey.is_none() {
            return Err(CliError::Usage(format!(
                "no solver took the dispute of order {id} yet; `mostro-cli watch` shows when one does"
            )));
        }
        if let Some(text) = text {
            let event_id = c.send_dispute_chat(id, &text).await?;
            return emit_sent(json, id, event_id);
        }
        let me = c.trade_keys(local.trade_index)?.public_key().to_hex();
        let messages = c
            .read_dispute_chat(id)
            .await?
            .into_iter()
            .map(|m| {
                let from = if m.sender == me { "me" } else { "solver" };
                message_view(m, from)
            })
            .collect();
        emit(
            json,
            &DisputeChatView {
                order: id.to_string(),
                solver: local.solver_pubkey.map(|k| k.to_hex()),
                dispute_token: c.dispute_token(id)?,
                messages,
            },
        )
    })
    .await
}

/// For `watch`: the party's token line when a dispute was opened on one of
/// its orders or a solver took it, so the party can check the solver.
pub fn token_notice(client: &MostroClient, event: &WatchEvent) -> Option<NoticeView> {
    if !matches!(
        event.update,
        Update::DisputeInitiated { .. } | Update::SolverAssigned { .. }
    ) {
        return None;
    }
    let order = event.order.as_ref()?;
    match client.dispute_token(order.id) {
        Ok(token) => token.map(|t| NoticeView(format!("  {}", token_line(&t)))),
        Err(error) => {
            tracing::warn!(%error, order = %order.id, "cannot compute the dispute token");
            None
        }
    }
}
