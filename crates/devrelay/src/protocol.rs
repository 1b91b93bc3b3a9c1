//! NIP-01 message handling for one client connection, independent of the socket.

use std::borrow::Cow;
use std::collections::HashMap;

use nostr::event::{Event, EventId};
use nostr::filter::{Filter, MatchEventOptions};
use nostr::message::{ClientMessage, RelayMessage, SubscriptionId};
use nostr::types::Timestamp;
use serde_json::Value;

use crate::store::{EventStore, SaveOutcome};

/// Longest subscription id accepted (NIP-01 suggests 64 characters).
const MAX_SUBSCRIPTION_ID_LEN: usize = 64;

/// What the connection loop must do after a client frame was handled.
#[derive(Debug, Default)]
pub(crate) struct Reaction {
    /// Frames to send back to this client, in order.
    pub replies: Vec<RelayMessage<'static>>,
    /// An accepted event to fan out to every connection's live subscriptions.
    pub broadcast: Option<Event>,
}

impl Reaction {
    fn reply(message: RelayMessage<'static>) -> Self {
        Self {
            replies: vec![message],
            broadcast: None,
        }
    }
}

fn notice(message: &str) -> RelayMessage<'static> {
    RelayMessage::Notice(Cow::Owned(message.to_owned()))
}

fn ok(event_id: EventId, status: bool, message: &str) -> RelayMessage<'static> {
    RelayMessage::Ok {
        event_id,
        status,
        message: Cow::Owned(message.to_owned()),
    }
}

fn closed(subscription_id: SubscriptionId, message: &str) -> RelayMessage<'static> {
    RelayMessage::Closed {
        subscription_id: Cow::Owned(subscription_id),
        message: Cow::Owned(message.to_owned()),
    }
}

/// Subscriptions of one client connection plus the handling of its frames.
#[derive(Debug)]
pub(crate) struct Session {
    store: EventStore,
    subscriptions: HashMap<SubscriptionId, Vec<Filter>>,
}

impl Session {
    pub(crate) fn new(store: EventStore) -> Self {
        Self {
            store,
            subscriptions: HashMap::new(),
        }
    }

    /// Handles one text frame from the client.
    pub(crate) fn handle_text(&mut self, text: &str, now: Timestamp) -> Reaction {
        match ClientMessage::from_json(text) {
            Ok(ClientMessage::Event(event)) => self.handle_event(event.into_owned(), now),
            Ok(ClientMessage::Req {
                subscription_id,
                filters,
            }) => self.handle_req(
                subscription_id.into_owned(),
                filters.into_iter().map(Cow::into_owned).collect(),
                now,
            ),
            Ok(ClientMessage::Close(subscription_id)) => {
                self.subscriptions.remove(subscription_id.as_ref());
                Reaction::default()
            }
            Ok(_) => Reaction::reply(notice("unsupported: message type not supported")),
            Err(error) => {
                tracing::debug!(%error, "unparsable client message");
                Reaction::reply(Self::reply_to_malformed(text))
            }
        }
    }

    /// Best-effort answer to a frame `nostr` could not parse: an `OK false` or a
    /// `CLOSED` when the frame names an event id or a subscription, else a NOTICE.
    fn reply_to_malformed(text: &str) -> RelayMessage<'static> {
        let value: Option<Value> = serde_json::from_str(text).ok();
        let array = value.as_ref().and_then(Value::as_array);
        let verb = array.and_then(|a| a.first()).and_then(Value::as_str);
        let second = array.and_then(|a| a.get(1));
        match verb {
            Some("EVENT") => second
                .and_then(|event| event.get("id"))
                .and_then(Value::as_str)
                .and_then(|id| EventId::from_hex(id).ok())
                .map_or_else(
                    || notice("invalid: malformed EVENT message"),
                    |id| ok(id, false, "invalid: malformed event"),
                ),
            Some("REQ") => match second.and_then(Value::as_str) {
                Some(id) => closed(SubscriptionId::new(id), "invalid: malformed filter"),
                None => notice("invalid: malformed REQ message"),
            },
            Some(_) => notice("invalid: malformed or unsupported message"),
            None => notice("invalid: could not parse message as a JSON array"),
        }
    }

    fn handle_event(&mut self, event: Event, now: Timestamp) -> Reaction {
        if event.verify().is_err() {
            tracing::debug!(event_id = %event.id, "rejecting event with bad id or signature");
            return Reaction::reply(ok(event.id, false, "invalid: bad event id or signature"));
        }
        if event.is_expired_at(now) {
            return Reaction::reply(ok(event.id, false, "invalid: event is expired"));
        }
        let id = event.id;
        if event.kind.is_ephemeral() {
            return Reaction {
                replies: vec![ok(id, true, "")],
                broadcast: Some(event),
            };
        }
        match self.store.insert(event.clone(), now) {
            Ok(SaveOutcome::Stored) => Reaction {
                replies: vec![ok(id, true, "")],
                broadcast: Some(event),
            },
            Ok(SaveOutcome::Duplicate) => {
                Reaction::reply(ok(id, true, "duplicate: already have this event"))
            }
            Ok(SaveOutcome::Superseded) => {
                Reaction::reply(ok(id, true, "duplicate: a newer version is stored"))
            }
            Ok(SaveOutcome::Expired) => Reaction::reply(ok(id, false, "invalid: event is expired")),
            Err(error) => {
                tracing::warn!(%error, event_id = %id, "could not persist event");
                Reaction::reply(ok(id, false, "error: could not store event"))
            }
        }
    }

    fn handle_req(
        &mut self,
        subscription_id: SubscriptionId,
        filters: Vec<Filter>,
        now: Timestamp,
    ) -> Reaction {
        let id_len = subscription_id.as_str().len();
        if id_len == 0 || id_len > MAX_SUBSCRIPTION_ID_LEN {
            return Reaction::reply(closed(subscription_id, "invalid: bad subscription id"));
        }
        if filters.is_empty() {
            return Reaction::reply(closed(subscription_id, "invalid: no filters"));
        }
        let mut replies = Vec::new();
        let mut sent: Vec<EventId> = Vec::new();
        for filter in &filters {
            for event in self.store.query(filter, now) {
                if sent.contains(&event.id) {
                    continue;
                }
                sent.push(event.id);
                replies.push(RelayMessage::Event {
                    subscription_id: Cow::Owned(subscription_id.clone()),
                    event: Cow::Owned(event),
                });
            }
        }
        replies.push(RelayMessage::EndOfStoredEvents(Cow::Owned(
            subscription_id.clone(),
        )));
        self.subscriptions.insert(subscription_id, filters);
        Reaction {
            replies,
            broadcast: None,
        }
    }

    /// Frames delivering a newly accepted `event` to this client's matching
    /// subscriptions.
    pub(crate) fn live_matches(&self, event: &Event, now: Timestamp) -> Vec<RelayMessage<'static>> {
        if event.is_expired_at(now) {
            return Vec::new();
        }
        self.subscriptions
            .iter()
            .filter(|(_, filters)| {
                filters
                    .iter()
                    .any(|filter| filter.match_event(event, MatchEventOptions::new()))
            })
            .map(|(subscription_id, _)| RelayMessage::Event {
                subscription_id: Cow::Owned(subscription_id.clone()),
                event: Cow::Owned(event.clone()),
            })
            .collect()
    }

    /// Number of open subscriptions.
    pub(crate) fn subscription_count(&self) -> usize {
        self.subscriptions.len()
    }
}
