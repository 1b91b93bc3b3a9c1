//! `chat`: talk with the counterparty or the dispute solver.

use std::time::Duration;

use mostro_client::store::StoredChatMessage;
use mostro_client::{LocalOrder, MostroClient};
use mostro_protocol::Status;
use nostr::event::EventId;
use nostr::key::PublicKey;
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
    let from = sender_label(
        &m.sender,
        &me,
        [("solver", order.solver_pubkey), ("peer", order.peer_pubkey)],
    );
    message_view(m, from)
}

/// Names the writer of a message sent by `sender` (hex): `me` when it is `me`,
/// else the label of the first of `others` whose key it is, else `unknown`.
pub(super) fn sender_label(
    sender: &str,
    me: &str,
    others: [(&'static str, Option<PublicKey>); 2],
) -> &'static str {
    if sender == me {
        return "me";
    }
    others
        .into_iter()
        .find(|(_, key)| key.is_some_and(|k| k.to_hex() == sender))
        .map_or("unknown", |(label, _)| label)
}

/// A stored message as shown, written by `from`.
pub(super) fn message_view(m: StoredChatMessage, from: &'static str) -> ChatMessageView {
    ChatMessageView {
        id: m.inner_id,
        from,
        sender: m.sender,
        created_at: m.created_at,
        text: m.content,
    }
}

/// Emits that a message was sent on `order` as event `event_id`.
pub(super) fn emit_sent(json: bool, order: Uuid, event_id: EventId) -> Result<(), CliError> {
    emit(
        json,
        &ChatSentView {
            order: order.to_string(),
            event_id: Some(event_id.to_hex()),
            key: None,
        },
    )
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
            emit_sent(ctx.json(), id, event_id)
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
            emit_sent(ctx.json(), id, event_id)
        }
        ChatCommand::ExportKey {
            order,
            send_to_solver,
        } => {
            let (id, local) = order_of(client, &order)?;
            let key = client.chat_disclosure(id)?.to_text();
            if send_to_solver {
                let event_id = client.send_dispute_chat(id, &key).await?;
                return emit_sent(ctx.json(), id, event_id);
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

#[cfg(test)]
mod tests {
    use nostr::key::Keys;

    use super::*;

    #[test]
    fn sender_label_prefers_me_then_the_first_matching_key() {
        let me = Keys::generate().public_key();
        let a = Keys::generate().public_key();
        let b = Keys::generate().public_key();
        let others = |x, y| [("solver", x), ("peer", y)];
        let hex = |k: PublicKey| k.to_hex();
        assert_eq!(
            sender_label(&hex(me), &hex(me), others(Some(me), None)),
            "me"
        );
        assert_eq!(
            sender_label(&hex(a), &hex(me), others(Some(a), Some(b))),
            "solver"
        );
        assert_eq!(
            sender_label(&hex(b), &hex(me), others(Some(a), Some(b))),
            "peer"
        );
        // The first match wins when both labels carry the same key.
        assert_eq!(
            sender_label(&hex(a), &hex(me), others(Some(a), Some(a))),
            "solver"
        );
        assert_eq!(
            sender_label(&hex(b), &hex(me), others(None, None)),
            "unknown"
        );
        assert_eq!(
            sender_label(&hex(b), &hex(me), others(Some(a), None)),
            "unknown"
        );
    }
}
