//! Handling of messages received from a relay.

use nostr::event::Event;
use nostr::filter::MatchEventOptions;
use nostr::message::{RelayMessage, SubscriptionId};

use super::RelayTask;
use crate::outcome::RelayAck;
use crate::subscription::SubscriptionItem;

impl RelayTask {
    pub(super) fn on_text(&mut self, text: &str) {
        let message = match RelayMessage::from_json(text) {
            Ok(message) => message,
            Err(error) => {
                tracing::debug!(relay = %self.url, %error, "unparsable message from relay");
                return;
            }
        };
        match message {
            RelayMessage::Event {
                subscription_id,
                event,
            } => self.on_event(&subscription_id, event.into_owned()),
            RelayMessage::Ok {
                event_id,
                status,
                message,
            } => {
                let ack = RelayAck::from_ok(status, &message);
                tracing::debug!(relay = %self.url, %event_id, accepted = ack.is_accepted(), %message, "publish acknowledged");
                for waiter in self.pending.remove(&event_id).unwrap_or_default() {
                    let _ = waiter.send(ack.clone());
                }
            }
            RelayMessage::EndOfStoredEvents(subscription_id) => {
                self.mark_caught_up(&subscription_id);
                self.notify(
                    &subscription_id,
                    SubscriptionItem::Eose {
                        relay: self.url.clone(),
                    },
                );
            }
            RelayMessage::Closed {
                subscription_id,
                message,
            } => {
                tracing::info!(relay = %self.url, subscription = %subscription_id, %message, "relay closed subscription");
                self.notify(
                    &subscription_id,
                    SubscriptionItem::Closed {
                        relay: self.url.clone(),
                        message: message.into_owned(),
                    },
                );
            }
            RelayMessage::Notice(notice) => {
                tracing::debug!(relay = %self.url, %notice, "relay notice");
            }
            RelayMessage::Auth { .. } => {
                tracing::debug!(relay = %self.url, "relay asked for NIP-42 auth; not supported");
            }
            _ => tracing::trace!(relay = %self.url, "ignoring relay message"),
        }
    }

    fn notify(&self, subscription_id: &SubscriptionId, item: SubscriptionItem) {
        if let Some(entry) = self.shared.subscriptions().get(subscription_id) {
            let _ = entry.sender.send(item);
        }
    }

    /// Delivers `event` once across relays, after checking its id, signature
    /// and that it matches the subscription (relays may lie).
    fn on_event(&mut self, subscription_id: &SubscriptionId, event: Event) {
        {
            let subscriptions = self.shared.subscriptions();
            let Some(entry) = subscriptions.get(subscription_id) else {
                tracing::trace!(relay = %self.url, subscription = %subscription_id, "event for unknown subscription");
                return;
            };
            if entry.seen.contains(&event.id) {
                drop(subscriptions);
                // Only trust the timestamp if the content hashes to the id.
                if event.verify_id() {
                    self.record_seen(subscription_id, &event);
                }
                return;
            }
        }
        if event.verify().is_err() {
            tracing::trace!(relay = %self.url, event_id = %event.id, "dropping event with bad id or signature");
            return;
        }
        let mut subscriptions = self.shared.subscriptions();
        let Some(entry) = subscriptions.get_mut(subscription_id) else {
            return;
        };
        let matches = entry
            .filters
            .iter()
            .any(|filter| filter.match_event(&event, MatchEventOptions::new()));
        if !matches {
            tracing::trace!(relay = %self.url, event_id = %event.id, "dropping event not matching the subscription");
            return;
        }
        let first = entry.seen.insert(event.id);
        if first {
            let _ = entry.sender.send(SubscriptionItem::Event {
                relay: self.url.clone(),
                event: Box::new(event.clone()),
            });
        }
        drop(subscriptions);
        self.record_seen(subscription_id, &event);
    }

    /// Tracks the newest `created_at` this relay delivered. Stored events
    /// (before `EOSE`) arrive newest first, so they only count once `EOSE`
    /// proves none were cut off by a disconnection.
    fn record_seen(&mut self, subscription_id: &SubscriptionId, event: &Event) {
        let target = if self.caught_up.contains(subscription_id) {
            &mut self.last_seen
        } else {
            &mut self.stored_newest
        };
        let newest = target
            .entry(subscription_id.clone())
            .or_insert(event.created_at);
        if event.created_at > *newest {
            *newest = event.created_at;
        }
    }

    fn mark_caught_up(&mut self, subscription_id: &SubscriptionId) {
        self.caught_up.insert(subscription_id.clone());
        if let Some(stored) = self.stored_newest.remove(subscription_id) {
            let last = self
                .last_seen
                .entry(subscription_id.clone())
                .or_insert(stored);
            if stored > *last {
                *last = stored;
            }
        }
    }
}
