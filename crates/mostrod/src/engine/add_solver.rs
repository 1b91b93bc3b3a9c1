//! `admin-add-solver` (PROTOCOL.md §5.10): the node key registers a dispute solver.
//! It concerns no order, so it is answered without an order lock.

use mostro_protocol::action::Action;
use mostro_protocol::cant_do::CantDoReason;
use mostro_protocol::message::{Message, MessageKind};
use mostro_protocol::payload::Payload;
use nostr::key::PublicKey;
use nostr::nips::nip19::FromBech32;
use nostr::types::Timestamp;

use crate::model::{Solver, SolverRole};

use super::input::Request;
use super::output::{Outgoing, Refusal};

/// The parsed `npub1…[:read|:read-write|:write]` text.
fn parse(text: &str) -> Result<(PublicKey, SolverRole), Refusal> {
    if text.is_empty() {
        return Err(Refusal::CantDo(CantDoReason::InvalidTextMessage));
    }
    let mut parts = text.split(':');
    let npub = parts.next().unwrap_or_default();
    let role = match (parts.next(), parts.next()) {
        (None, _) => SolverRole::ReadWrite,
        (Some("read"), None) => SolverRole::Read,
        (Some("read-write" | "write"), None) => SolverRole::ReadWrite,
        _ => return Err(Refusal::CantDo(CantDoReason::InvalidParameters)),
    };
    let key =
        PublicKey::from_bech32(npub).map_err(|_| Refusal::Silent("unparsable solver npub"))?;
    Ok((key, role))
}

/// Checks an `admin-add-solver` request from `request.identity` against `node`: the
/// solver row to store and the reply to send with it. A missing payload is answered
/// with `invalid_text_message` before the sender is checked; any sender but the node
/// key is ignored silently.
pub fn add_solver(
    request: &Request,
    node: &PublicKey,
    now: Timestamp,
) -> Result<(Solver, Outgoing), Refusal> {
    let text = match &request.payload {
        None => return Err(Refusal::CantDo(CantDoReason::InvalidTextMessage)),
        Some(payload) => payload,
    };
    if &request.identity != node {
        return Err(Refusal::Silent(
            "admin-add-solver from a key that is not the node's",
        ));
    }
    let Payload::TextMessage(text) = text else {
        return Err(Refusal::CantDo(CantDoReason::InvalidTextMessage));
    };
    let (pubkey, role) = parse(text)?;
    let solver = Solver {
        pubkey,
        role,
        last_trade_index: request.trade_index.unwrap_or(0),
        created_at: now,
    };
    let kind = MessageKind::new(Action::AdminAddSolver)
        .with_version(request.transport.version())
        .with_request_id(request.request_id);
    let reply = Outgoing::Direct {
        to: request.sender,
        transport: request.transport,
        message: Message::Dispute(kind),
    };
    Ok((solver, reply))
}
