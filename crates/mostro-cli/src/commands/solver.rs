//! `solver`: list, take and resolve disputes, talk to the parties and read
//! the evidence they disclose. The solver key is this data directory's
//! identity key, which the node operator registered.

use std::time::Duration;

use mostro_client::store::{SolverCase, StoredChatMessage};
use mostro_client::{DisputeParty, MostroClient, SOLVER_NOTES_LOOKBACK_SECS};
use mostro_protocol::DisputeStatus;
use uuid::Uuid;

use crate::args::{DisputeStatusArg, PartyArg, SolverCommand};
use crate::context::Context;
use crate::error::CliError;
use crate::render::dispute::{
    DisputeItemView, DisputeListView, EvidenceListView, EvidenceView, SolverCaseView,
    SolverCasesView,
};
use crate::render::emit;
use crate::render::views::{ActionView, ChatMessageView, ChatView};

use super::chat::{self, emit_sent, sender_label};

/// How long `solver take` waits for Mostro's notes (the dispute tokens),
/// which may arrive just after the reply.
const NOTES_WAIT: Duration = Duration::from_secs(3);

/// Runs a solver subcommand.
pub async fn run(ctx: &Context, command: SolverCommand) -> Result<(), CliError> {
    let client = ctx.client()?;
    let result = dispatch(ctx, &client, command).await;
    client.shutdown().await;
    result
}

fn status_filter(arg: DisputeStatusArg) -> Option<DisputeStatus> {
    match arg {
        DisputeStatusArg::Initiated => Some(DisputeStatus::Initiated),
        DisputeStatusArg::InProgress => Some(DisputeStatus::InProgress),
        DisputeStatusArg::Settled => Some(DisputeStatus::Settled),
        DisputeStatusArg::SellerRefunded => Some(DisputeStatus::SellerRefunded),
        DisputeStatusArg::All => None,
    }
}

fn party(arg: PartyArg) -> DisputeParty {
    match arg {
        PartyArg::Buyer => DisputeParty::Buyer,
        PartyArg::Seller => DisputeParty::Seller,
    }
}

/// Resolves an order id of a dispute we took: a full UUID, or a unique
/// prefix (at least 4 characters) of one.
fn resolve_case(client: &MostroClient, raw: &str) -> Result<SolverCase, CliError> {
    let raw = raw.trim();
    if let Ok(id) = Uuid::parse_str(raw) {
        return match client.solver_case(id) {
            Err(mostro_client::ClientError::UnknownOrder(_)) => Err(not_taken(raw)),
            other => Ok(other?),
        };
    }
    let prefix = raw.to_ascii_lowercase();
    if prefix.len() < 4 {
        return Err(CliError::Usage(format!(
            "`{raw}` is not an order id (give the full id, or at least 4 of its first characters)"
        )));
    }
    let mut matches: Vec<SolverCase> = client
        .solver_cases()?
        .into_iter()
        .filter(|c| c.info.id.to_string().starts_with(&prefix))
        .collect();
    match matches.len() {
        1 => Ok(matches.remove(0)),
        0 => Err(not_taken(raw)),
        n => Err(CliError::Usage(format!(
            "`{raw}` matches {n} of your disputes; give more characters"
        ))),
    }
}

fn not_taken(raw: &str) -> CliError {
    CliError::Usage(format!(
        "you took no dispute on order `{raw}`; see `mostro-cli solver cases` \
         (take one with `mostro-cli solver take <dispute-id>`)"
    ))
}

fn dispute_id(raw: &str) -> Result<Uuid, CliError> {
    Uuid::parse_str(raw.trim()).map_err(|_| {
        CliError::Usage(format!(
            "`{raw}` is not a dispute id; copy it from `mostro-cli solver disputes`"
        ))
    })
}

/// A chat message as the solver sees it.
fn message_view(client: &MostroClient, case: &SolverCase, m: StoredChatMessage) -> ChatMessageView {
    let me = client.identity_pubkey().to_hex();
    let key = |p: DisputeParty| case.party_pubkey(p).ok();
    let from = sender_label(
        &m.sender,
        &me,
        [
            ("buyer", key(DisputeParty::Buyer)),
            ("seller", key(DisputeParty::Seller)),
        ],
    );
    chat::message_view(m, from)
}

/// The conversation of `case` made of `messages`, as the solver sees it.
fn case_chat_view(
    client: &MostroClient,
    case: &SolverCase,
    messages: Vec<StoredChatMessage>,
) -> ChatView {
    ChatView {
        order: case.info.id.to_string(),
        messages: messages
            .into_iter()
            .map(|m| message_view(client, case, m))
            .collect(),
    }
}

async fn dispatch(
    ctx: &Context,
    client: &MostroClient,
    command: SolverCommand,
) -> Result<(), CliError> {
    match command {
        SolverCommand::Disputes { status } => {
            let disputes = client.list_disputes(status_filter(status)).await?;
            let view = DisputeListView {
                disputes: disputes.iter().map(DisputeItemView::from).collect(),
            };
            emit(ctx.json(), &view)
        }
        SolverCommand::Take { dispute } => {
            let case = client.take_dispute(dispute_id(&dispute)?).await?;
            let mut notes = client
                .solver_notes(&case, SOLVER_NOTES_LOOKBACK_SECS)
                .await?;
            if notes.is_empty() {
                tokio::time::sleep(NOTES_WAIT).await;
                notes = client
                    .solver_notes(&case, SOLVER_NOTES_LOOKBACK_SECS)
                    .await?;
            }
            emit(ctx.json(), &SolverCaseView::new(&case, notes))
        }
        SolverCommand::Cases => {
            let cases = client
                .solver_cases()?
                .iter()
                .map(|c| SolverCaseView::new(c, Vec::new()))
                .collect();
            emit(ctx.json(), &SolverCasesView { cases })
        }
        SolverCommand::Settle { order } => {
            let id = order_id(client, &order)?;
            let update = client.admin_settle(id).await?;
            emit(
                ctx.json(),
                &ActionView {
                    update: (&update).into(),
                    order: None,
                },
            )
        }
        SolverCommand::Cancel { order } => {
            let id = order_id(client, &order)?;
            let update = client.admin_cancel(id).await?;
            emit(
                ctx.json(),
                &ActionView {
                    update: (&update).into(),
                    order: None,
                },
            )
        }
        SolverCommand::Chat { order, to, text } => {
            let case = resolve_case(client, &order)?;
            let id = case.info.id;
            match text {
                Some(text) => {
                    let event_id = client.solver_send(id, party(to), &text).await?;
                    emit_sent(ctx.json(), id, event_id)
                }
                None => {
                    let messages = client.solver_read(id, party(to)).await?;
                    emit(ctx.json(), &case_chat_view(client, &case, messages))
                }
            }
        }
        SolverCommand::Read { order } => {
            let case = resolve_case(client, &order)?;
            let id = case.info.id;
            let mut messages = Vec::new();
            for side in [DisputeParty::Buyer, DisputeParty::Seller] {
                if case.party_pubkey(side).is_ok() {
                    messages.extend(client.solver_read(id, side).await?);
                }
            }
            messages.sort_by(|a, b| (a.created_at, &a.inner_id).cmp(&(b.created_at, &b.inner_id)));
            messages.dedup_by(|a, b| a.inner_id == b.inner_id);
            emit(ctx.json(), &case_chat_view(client, &case, messages))
        }
        SolverCommand::Evidence { order } => {
            let case = resolve_case(client, &order)?;
            let evidence = client.read_evidence(case.info.id).await?;
            let view = EvidenceListView {
                order: case.info.id.to_string(),
                conversations: evidence.iter().map(EvidenceView::from).collect(),
            };
            emit(ctx.json(), &view)
        }
    }
}

/// The order id for settle/cancel: a dispute we took (prefix allowed), or
/// any full order id (Mostro decides whether we may act on it).
fn order_id(client: &MostroClient, raw: &str) -> Result<Uuid, CliError> {
    match Uuid::parse_str(raw.trim()) {
        Ok(id) => Ok(id),
        Err(_) => Ok(resolve_case(client, raw)?.info.id),
    }
}
