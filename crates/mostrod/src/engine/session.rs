//! Session actions, answered without an order lock (PROTOCOL.md §5.11, §8.4): `orders`,
//! `last-trade-index` and `restore-session`. Pure functions over the rows the runtime
//! loads for the requester.

use mostro_protocol::action::Action;
use mostro_protocol::cant_do::CantDoReason;
use mostro_protocol::message::{Message, MessageKind};
use mostro_protocol::payload::{
    Payload, RestoreSessionInfo, RestoredDisputesInfo, RestoredOrdersInfo,
};
use mostro_protocol::status::{DisputeStatus, Status};
use nostr::key::PublicKey;

use crate::model::{Dispute, Order, Party, Side, User};

use super::input::Request;
use super::messages::{small_order, Shown};
use super::output::{Outgoing, Refusal};
use super::settings::EngineSettings;

fn reply(request: &Request, message: Message) -> Outgoing {
    Outgoing::Direct {
        to: request.sender,
        transport: request.transport,
        message,
    }
}

fn body(request: &Request, action: Action) -> MessageKind {
    MessageKind::new(action).with_version(request.transport.version())
}

/// The requester's side of `order`, matched by identity.
fn party_of<'o>(order: &'o Order, identity: &PublicKey) -> Option<&'o Party> {
    [order.buyer(), order.seller()]
        .into_iter()
        .flatten()
        .find(|p| &p.identity_pubkey == identity)
}

/// `orders`: the requester's orders among `loaded` (the rows the runtime found for the
/// requested ids), in request order, without payout destinations.
pub fn orders(
    request: &Request,
    loaded: &[Order],
    settings: &EngineSettings,
) -> Result<Outgoing, Refusal> {
    let Some(Payload::Ids(ids)) = &request.payload else {
        return Err(Refusal::CantDo(CantDoReason::InvalidParameters));
    };
    if ids.is_empty() {
        return Err(Refusal::CantDo(CantDoReason::InvalidParameters));
    }
    if ids.len() > settings.max_orders_per_response {
        return Err(Refusal::CantDo(CantDoReason::TooManyRequests));
    }
    let found: Vec<_> = ids
        .iter()
        .filter_map(|id| loaded.iter().find(|o| &o.id == id))
        .filter(|o| party_of(o, &request.identity).is_some())
        .map(|o| small_order(o, Shown::Raw, true))
        .collect();
    if found.is_empty() {
        return Err(Refusal::CantDo(CantDoReason::NotFound));
    }
    let kind = body(request, Action::Orders)
        .with_request_id(request.request_id)
        .with_payload(Payload::Orders(found));
    Ok(reply(request, Message::Order(kind)))
}

/// `last-trade-index`: the stored index of the requester's identity, in `trade_index`.
pub fn last_trade_index(request: &Request, user: Option<&User>) -> Result<Outgoing, Refusal> {
    let Some(user) = user.filter(|u| u.identity_pubkey == request.identity) else {
        return Err(Refusal::CantDo(CantDoReason::NotFound));
    };
    if user.last_trade_index <= 0 {
        return Err(Refusal::CantDo(CantDoReason::InvalidTradeIndex));
    }
    let kind = body(request, Action::LastTradeIndex)
        .with_request_id(request.request_id)
        .with_trade_index(user.last_trade_index);
    Ok(reply(request, Message::Restore(kind)))
}

/// True for statuses a restored session still cares about (§8: terminal and disputed
/// orders are left out, with the §11.8 fix for the hyphenated cancellations).
fn restorable(status: Status) -> bool {
    !matches!(
        status,
        Status::Expired
            | Status::Success
            | Status::Canceled
            | Status::CooperativelyCanceled
            | Status::CanceledByAdmin
            | Status::SettledByAdmin
            | Status::CompletedByAdmin
            | Status::Dispute
    )
}

/// `restore-session`: the requester's open orders and disputes. `orders` are the rows
/// where the identity is a party; `disputes` those on such orders. `request_id` is not
/// echoed.
pub fn restore_session(
    request: &Request,
    orders: &[Order],
    disputes: &[Dispute],
) -> Result<Outgoing, Refusal> {
    if request.payload.is_some() {
        return Err(Refusal::Silent("restore-session with a payload"));
    }
    let identity = request.identity;
    let restored_orders = orders
        .iter()
        .filter(|o| restorable(o.status))
        .filter_map(|o| {
            party_of(o, &identity).map(|p| RestoredOrdersInfo {
                order_id: o.id,
                trade_index: p.trade_index,
                status: o.status.as_str().to_owned(),
            })
        })
        .collect();
    let restored_disputes = disputes
        .iter()
        .filter(|d| {
            matches!(
                d.status,
                DisputeStatus::Initiated | DisputeStatus::InProgress
            )
        })
        .filter_map(|d| {
            let order = orders.iter().find(|o| o.id == d.order_id)?;
            let party = party_of(order, &identity)?;
            Some(RestoredDisputesInfo {
                dispute_id: d.id,
                order_id: d.order_id,
                trade_index: party.trade_index,
                status: d.status.as_str().to_owned(),
                initiator: Some(
                    match d.initiator {
                        Side::Buyer => "buyer",
                        Side::Seller => "seller",
                    }
                    .to_owned(),
                ),
                solver_pubkey: d.solver_pubkey.map(|k| k.to_hex()),
            })
        })
        .collect();
    let kind = body(request, Action::RestoreSession).with_payload(Payload::RestoreData(
        RestoreSessionInfo {
            orders: restored_orders,
            disputes: restored_disputes,
        },
    ));
    Ok(reply(request, Message::Restore(kind)))
}
