//! `chat`: talk with the counterparty or the dispute solver.

use std::time::Duration;

use mostro_client::store::StoredChatMessage;
use mostro_client::{LocalOrder, MostroClient};
use mostro_protocol::Status;
use uuid::Uuid;

use crate::args::ChatCommand;
use crate::context::{resolve_order_id, Context};
use crate::error::CliError;
use crate::render::views::{ChatMessageView, ChatSentView, ChatView};
use crate::render::{emit, emit_line};

/// Who wrote a message, from the order's keys.
fn view(client: &MostroClient, order: &LocalOrder, m: StoredChatMessage) -> ChatMessageView {
    let me = client
        .trade_keys(order.trade_index)
        .map(|k| k.public_key().to_hex())
        .unwrap_or_default();
    let is = |key: Option<nostr::key::PublicKey>| key.is_some_and(|k| k.to_hex() == m.sender);
    let from = if m.sender == me {
        "me"
    } else if is(order.solver_pubkey) {
        "solver"
    } else if is(order.peer_pubkey) {
        "peer"
    } else {
        "unknown"
    };
    ChatMessageView {
        id: m.inner_id,
        from,
        sender: m.sender,
        created_at: m.created_at,
        text: m.content,
    }
}

/// Runs a chat subcommand.
pub async fn run(ctx: &Context, command: ChatCommand) -> Result<(), CliError> {
    let client = ctx.client()?;
    let result = dispatch(ctx, &client, command).await;
    client.shutdown().await;
    result
}

fn order_of(client: &MostroClient, raw: &str) -> Result<(Uuid, LocalOrder), CliError> {
    let id = resolve_order_id(client.store(), raw)?;
    Ok((id, client.local_order(id)?))
}

async fn dispatch(
    ctx: &Context,
    client: &MostroClient,
    command: ChatCommand,
) -> Result<(), CliError> {
    match command {
        ChatCommand::Send {
            order,
            text,
            solver,
        } => {
            let (id, _) = order_of(client, &order)?;
            let event_id = if solver {
                client.send_dispute_chat(id, &text).await?
            } else {
                client.send_chat(id, &text).await?
            };
            emit(
                ctx.json(),
                &ChatSentView {
                    order: id.to_string(),
                    event_id: Some(event_id.to_hex()),
                    key: None,
                },
            )
        }
        ChatCommand::Read { order, solver } => {
            let (id, local) = order_of(client, &order)?;
            let messages = if solver {
                client.read_dispute_chat(id).await?
            } else {
                client.read_chat(id).await?
            };
            let view = ChatView {
                order: id.to_string(),
                messages: messages
                    .into_iter()
                    .map(|m| view(client, &local, m))
                    .collect(),
            };
            emit(ctx.json(), &view)
        }
        ChatCommand::Follow {
            order,
            solver,
            duration,
        } => follow(ctx, client, &order, solver, duration).await,
        ChatCommand::Disclose { order } => {
            let (id, _) = order_of(client, &order)?;
            let key = client.chat_disclosure(id)?.to_text();
            let event_id = client.send_dispute_chat(id, &key).await?;
            emit(
                ctx.json(),
                &ChatSentView {
                    order: id.to_string(),
                    event_id: Some(event_id.to_hex()),
                    key: None,
                },
            )
        }
        ChatCommand::ExportKey {
            order,
            send_to_solver,
        } => {
            let (id, local) = order_of(client, &order)?;
            let key = client.chat_disclosure(id)?.to_text();
            if send_to_solver {
                let event_id = client.send_dispute_chat(id, &key).await?;
                return emit(
                    ctx.json(),
                    &ChatSentView {
                        order: id.to_string(),
                        event_id: Some(event_id.to_hex()),
                        key: None,
                    },
                );
            }
            if local.status != Some(Status::Dispute) {
                eprintln!(
                    "Warning: no dispute is open on this order. This key lets its holder read \
                     your chat; give it only to the solver of a dispute."
                );
            }
            emit(
                ctx.json(),
                &ChatSentView {
                    order: id.to_string(),
                    event_id: None,
                    key: Some(key),
                },
            )
        }
    }
}

async fn follow(
    ctx: &Context,
    client: &MostroClient,
    order: &str,
    solver: bool,
    duration: Option<u64>,
) -> Result<(), CliError> {
    let (id, local) = order_of(client, order)?;
    let mut stream = if solver {
        client.follow_dispute_chat(id)?
    } else {
        client.follow_chat(id)?
    };
    if !ctx.json() {
        eprintln!("Following the chat of order {id} (Ctrl-C to stop)...");
    }
    let stop = async {
        match duration {
            Some(secs) => tokio::time::sleep(Duration::from_secs(secs)).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(()),
            () = &mut stop => return Ok(()),
            item = stream.next() => match item {
                None => return Ok(()),
                Some(Err(error)) => return Err(error.into()),
                Some(Ok(message)) => emit_line(ctx.json(), &view(client, &local, message))?,
            },
        }
    }
}
