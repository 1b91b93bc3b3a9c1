//! Sending one request to the daemon and waiting for its reply.
//!
//! Every request carries a fresh `request_id`. We subscribe for replies to the
//! sending trade key *before* publishing, build (and mine) the event right
//! before publishing it (the daemon drops events older than 10 s), and wait
//! for the reply that echoes our `request_id` — or, for the few replies that
//! never echo it (`restore-session`), for the expected action. Silence is a
//! failure: after [`super::Timeouts::reply`] the caller gets
//! [`ClientError::Timeout`] naming the daemon and the relays.

use std::time::Duration;

use mostro_protocol::envelope::{
    unwrap_incoming, wrap_message, PrivacyMode, Transport, WrapOptions,
};
use mostro_protocol::{
    Action, Message, MessageKind, Payload, Wrapper, PROTOCOL_VERSION, PROTOCOL_VERSION_V1,
};
use mostro_relay::{SubscribeOptions, Subscription};
use nostr::event::Event;
use nostr::filter::Filter;
use nostr::key::Keys;
use nostr::types::Timestamp;
use tokio::time::Instant;

use super::{unix_now, MostroClient};
use crate::error::ClientError;
use crate::transport::pow_for;

/// Lifetime (NIP-40) of our request events on relays.
const REQUEST_EXPIRATION_SECS: u64 = 24 * 60 * 60;
/// How far back v1 gift wraps may be dated (2 days) plus margin.
const V1_BACKDATE_SECS: u64 = 2 * 24 * 60 * 60 + 60;
/// The daemon drops requests older than 10 s; warn when mining ate most of it.
const FRESHNESS_MARGIN_SECS: u64 = 7;
/// Clock slack accepted between our send time and a reply's time.
const REPLY_SLACK_SECS: u64 = 10;

/// A reply from the daemon.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    /// The logical message.
    pub(crate) message: Message,
}

/// What to send.
#[derive(Debug)]
pub(crate) struct Request<'a> {
    /// The sending trade key.
    pub(crate) keys: &'a Keys,
    /// Wrapper key.
    pub(crate) wrapper: Wrapper,
    /// Body (its `request_id` and `version` are set here).
    pub(crate) body: MessageKind,
    /// The daemon may not know this trade key yet (mine `pow_first_contact`).
    pub(crate) first_contact: bool,
    /// Actions accepted as the reply even without our `request_id`.
    pub(crate) unsolicited: &'a [Action],
}

/// A fresh request id, kept below 2^53 so clients in any language can echo it.
fn fresh_request_id() -> u64 {
    uuid::Uuid::new_v4().as_u64_pair().0 & ((1 << 53) - 1)
}

fn mode_for<'a>(identity: Option<&'a Keys>) -> PrivacyMode<'a> {
    match identity {
        Some(identity) => PrivacyMode::Reputation { identity },
        None => PrivacyMode::FullPrivacy,
    }
}

impl MostroClient {
    /// The subscription filter for daemon messages addressed to `keys`.
    /// `lookback` is how far before `now` to start; v1 adds the two days by
    /// which gift wraps are backdated.
    pub(crate) fn reply_filter(
        &self,
        transport: Transport,
        keys: &[nostr::key::PublicKey],
        now: u64,
        lookback: u64,
    ) -> Filter {
        let back = match transport {
            Transport::V2 => lookback,
            Transport::V1 => lookback.saturating_add(V1_BACKDATE_SECS),
        };
        let filter = Filter::new()
            .kind(transport.kind())
            .pubkeys(keys.iter().copied())
            .since(Timestamp::from(now.saturating_sub(back)));
        match transport {
            Transport::V2 => filter.author(self.inner.daemon),
            // v1 wraps are signed by ephemeral keys: the author is checked after unwrapping.
            Transport::V1 => filter,
        }
    }

    /// Subscribes to daemon messages with `filter` (from
    /// [`MostroClient::reply_filter`]). On v1 the catch-up overlap used after a
    /// reconnection covers the gift-wrap backdating: a wrap sent later may be
    /// dated up to two days before one already received, and a `since` moved
    /// up to the newest date seen would make the relay drop it.
    pub(crate) fn subscribe_replies(&self, transport: Transport, filter: Filter) -> Subscription {
        match transport {
            Transport::V2 => self.inner.pool.subscribe(vec![filter]),
            Transport::V1 => self.inner.pool.subscribe_with(
                vec![filter],
                SubscribeOptions {
                    catch_up_overlap: Duration::from_secs(V1_BACKDATE_SECS),
                },
            ),
        }
    }

    /// Opens `event` with `keys` if it is a genuine daemon message to them.
    pub(crate) fn open_daemon_message(
        &self,
        event: &Event,
        keys: &Keys,
    ) -> Option<mostro_protocol::envelope::Unwrapped> {
        match unwrap_incoming(event, keys) {
            Ok(Some(u)) if u.sender == self.inner.daemon && u.identity == self.inner.daemon => {
                Some(u)
            }
            Ok(Some(u)) => {
                tracing::debug!(sender = %u.sender, "ignoring message not from the daemon");
                None
            }
            Ok(None) => None,
            Err(error) => {
                tracing::debug!(event_id = %event.id, %error, "ignoring undecodable event");
                None
            }
        }
    }

    /// Builds, mines and publishes `request`, then waits for the reply.
    ///
    /// A `cant-do` reply becomes [`ClientError::CantDo`].
    pub(crate) async fn request(&self, request: Request<'_>) -> Result<Reply, ClientError> {
        let identity = match self.privacy_mode() {
            PrivacyMode::Reputation { identity } => Some(identity.clone()),
            PrivacyMode::FullPrivacy => None,
        };
        self.request_proving(request, identity).await
    }

    /// Like [`MostroClient::request`], but proving `identity` (`None`: full
    /// privacy) instead of the client's own. Solvers and the node operator
    /// send from the key that identifies them (PROTOCOL.md §8.2), so they pass
    /// the sending key itself.
    pub(crate) async fn request_proving(
        &self,
        request: Request<'_>,
        identity: Option<Keys>,
    ) -> Result<Reply, ClientError> {
        let info = self.info_or_fetch().await;
        let transport =
            crate::transport::choose_transport(info.as_ref(), self.inner.transport_override);
        let pow = pow_for(info.as_ref(), request.first_contact);
        let request_id = fresh_request_id();
        let version = match transport {
            Transport::V2 => PROTOCOL_VERSION,
            Transport::V1 => PROTOCOL_VERSION_V1,
        };
        let action = request.body.action;
        let message = Message::from_parts(
            request.wrapper,
            request
                .body
                .with_request_id(request_id)
                .with_version(version),
        );
        let sender = request.keys.clone();
        let recipients = [sender.public_key()];
        let mut subscription = self.subscribe_replies(
            transport,
            self.reply_filter(transport, &recipients, unix_now(), REPLY_SLACK_SECS),
        );

        let daemon = self.inner.daemon;
        let built = tokio::task::spawn_blocking(move || {
            let now = Timestamp::now();
            let options = WrapOptions {
                pow,
                expiration: Some(now + REQUEST_EXPIRATION_SECS),
            };
            wrap_message(
                transport,
                &message,
                &sender,
                mode_for(identity.as_ref()),
                &daemon,
                &options,
                now,
            )
            .map(|event| (event, now))
        })
        .await
        .map_err(ClientError::Mining)??;
        let (event, built_at) = built;
        let age = unix_now().saturating_sub(built_at.as_secs());
        if age > FRESHNESS_MARGIN_SECS {
            tracing::warn!(%action, pow, age, "mining took long; the daemon may drop the request as stale");
        }
        tracing::debug!(%action, request_id, event_id = %event.id, pow, ?transport, "publishing request");
        let outcome = self.inner.pool.publish(&event).await;
        if !outcome.any_accepted() {
            return Err(ClientError::NotPublished {
                rejections: outcome
                    .acks
                    .iter()
                    .map(|(url, ack)| format!("{url}: {ack:?}"))
                    .collect(),
            });
        }
        let unacknowledged_relays: Vec<String> = outcome
            .acks
            .iter()
            .filter(|(_, ack)| !ack.is_accepted())
            .map(|(url, _)| url.to_string())
            .collect();

        let deadline = Instant::now() + self.inner.timeouts.reply;
        let earliest = built_at.as_secs().saturating_sub(REPLY_SLACK_SECS);
        loop {
            let event = match tokio::time::timeout_at(deadline, subscription.next_event()).await {
                Ok(Some(event)) => event,
                Ok(None) | Err(_) => break,
            };
            let Some(reply) = self.open_daemon_message(&event, request.keys) else {
                continue;
            };
            let matches = reply.message.request_id() == Some(request_id)
                || (request.unsolicited.contains(&reply.message.action())
                    && reply.created_at.as_secs() >= earliest);
            if !matches {
                continue;
            }
            self.inner
                .store
                .mark_processed(&event.id.to_hex(), unix_now())?;
            if reply.message.action() == Action::CantDo {
                let reason = match reply.message.payload() {
                    Some(Payload::CantDo(reason)) => *reason,
                    _ => None,
                };
                return Err(ClientError::CantDo { action, reason });
            }
            return Ok(Reply {
                message: reply.message,
            });
        }
        Err(ClientError::Timeout {
            daemon: self.inner.daemon,
            action,
            waited: self.inner.timeouts.reply,
            silent_relays: self
                .inner
                .pool
                .relays()
                .iter()
                .map(ToString::to_string)
                .collect(),
            unacknowledged_relays,
        })
    }
}
