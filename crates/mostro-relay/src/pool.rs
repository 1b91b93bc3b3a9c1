//! The relay pool: the public entry point.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use nostr::event::Event;
use nostr::filter::Filter;
use nostr::message::SubscriptionId;
use nostr::types::RelayUrl;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::error::RelayError;
use crate::options::{PoolOptions, SubscribeOptions};
use crate::outcome::{PublishOutcome, RelayAck};
use crate::relay::{Command, RelayHandle};
use crate::seen::SeenIds;
use crate::subscription::{Shared, SubEntry, Subscription, SubscriptionItem};

/// Connections to a fixed set of relays. Cheap to clone; clones share the
/// connections. Background tasks stop on [`RelayPool::shutdown`] or when the
/// last clone is dropped.
#[derive(Debug, Clone)]
pub struct RelayPool {
    inner: Arc<PoolInner>,
}

#[derive(Debug)]
pub(crate) struct PoolInner {
    relays: Vec<RelayHandle>,
    shared: Arc<Shared>,
    options: PoolOptions,
    shutdown: CancellationToken,
    tasks: TaskTracker,
}

impl PoolInner {
    /// Forgets a subscription and sends `CLOSE` to every relay.
    pub(crate) fn unsubscribe(&self, id: &SubscriptionId) {
        if self.shared.subscriptions().remove(id).is_some() {
            for relay in &self.relays {
                // A stopped task has no subscription to close.
                let _ = relay.commands.send(Command::Unsubscribe(id.clone()));
            }
        }
    }
}

impl Drop for PoolInner {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl RelayPool {
    /// Parses `urls` and starts one connection task per relay. Must be called
    /// within a Tokio runtime. Connecting happens in the background; see
    /// [`RelayPool::wait_for_connection`].
    pub fn new<I, S>(urls: I, options: PoolOptions) -> Result<Self, RelayError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut parsed: Vec<RelayUrl> = Vec::new();
        for url in urls {
            let url = url.as_ref();
            let relay_url = RelayUrl::parse(url).map_err(|source| RelayError::InvalidUrl {
                url: url.to_owned(),
                source,
            })?;
            if !parsed.contains(&relay_url) {
                parsed.push(relay_url);
            }
        }
        if parsed.is_empty() {
            return Err(RelayError::NoRelays);
        }
        let shared = Arc::new(Shared::new());
        let shutdown = CancellationToken::new();
        let tasks = TaskTracker::new();
        let relays = parsed
            .into_iter()
            .map(|url| {
                let (handle, task) =
                    RelayHandle::new(url, Arc::clone(&shared), options.clone(), shutdown.clone());
                tasks.spawn(task.run());
                handle
            })
            .collect();
        tasks.close();
        Ok(Self {
            inner: Arc::new(PoolInner {
                relays,
                shared,
                options,
                shutdown,
                tasks,
            }),
        })
    }

    /// Every relay of the pool.
    pub fn relays(&self) -> Vec<RelayUrl> {
        self.inner.relays.iter().map(|r| r.url.clone()).collect()
    }

    /// Relays whose WebSocket is currently open (e.g. for a kind 10002 list).
    pub fn connected_relays(&self) -> Vec<RelayUrl> {
        self.inner
            .relays
            .iter()
            .filter(|r| r.is_connected())
            .map(|r| r.url.clone())
            .collect()
    }

    /// Waits until at least one relay is connected.
    pub async fn wait_for_connection(&self, timeout: Duration) -> Result<(), RelayError> {
        let mut status = self.inner.shared.status.subscribe();
        let deadline = Instant::now() + timeout;
        while self.connected_relays().is_empty() {
            tokio::select! {
                changed = status.changed() => {
                    if changed.is_err() {
                        return Err(RelayError::NoConnectedRelay { timeout });
                    }
                }
                () = tokio::time::sleep_until(deadline) => {
                    return Err(RelayError::NoConnectedRelay { timeout });
                }
            }
        }
        Ok(())
    }

    /// Subscribes on every relay with the pool's default options.
    pub fn subscribe(&self, filters: Vec<Filter>) -> Subscription {
        let options = SubscribeOptions {
            catch_up_overlap: self.inner.options.catch_up_overlap,
        };
        self.subscribe_with(filters, options)
    }

    /// Subscribes on every relay (including relays that connect later, and
    /// again after each reconnection).
    pub fn subscribe_with(&self, filters: Vec<Filter>, options: SubscribeOptions) -> Subscription {
        let id = SubscriptionId::generate();
        let (sender, receiver) = mpsc::unbounded_channel();
        self.inner.shared.subscriptions().insert(
            id.clone(),
            SubEntry {
                filters,
                overlap: options.catch_up_overlap,
                seen: SeenIds::new(self.inner.options.dedup_capacity),
                sender,
            },
        );
        for relay in &self.inner.relays {
            let _ = relay.commands.send(Command::Subscribe(id.clone()));
        }
        Subscription::new(id, receiver, Arc::downgrade(&self.inner))
    }

    /// Closes a subscription on every relay; its [`Subscription`] then ends.
    pub fn unsubscribe(&self, id: &SubscriptionId) {
        self.inner.unsubscribe(id);
    }

    /// Sends `event` to every relay and waits (up to
    /// [`PoolOptions::publish_timeout`]) for each relay's `OK`.
    pub async fn publish(&self, event: &Event) -> PublishOutcome {
        let timeout = self.inner.options.publish_timeout;
        let waits = self.inner.relays.iter().map(|relay| {
            let (reply, answer) = oneshot::channel();
            let sent = relay
                .commands
                .send(Command::Publish(Box::new(event.clone()), reply))
                .is_ok();
            let url = relay.url.clone();
            async move {
                if !sent {
                    return (url, RelayAck::NotConnected);
                }
                let ack = match tokio::time::timeout(timeout, answer).await {
                    Ok(Ok(ack)) => ack,
                    Ok(Err(_)) => RelayAck::ConnectionLost,
                    Err(_) => RelayAck::TimedOut,
                };
                (url, ack)
            }
        });
        let acks: BTreeMap<RelayUrl, RelayAck> = join_all(waits).await.into_iter().collect();
        for (url, ack) in &acks {
            if !ack.is_accepted() {
                tracing::debug!(relay = %url, event_id = %event.id, ?ack, "event not accepted");
            }
        }
        PublishOutcome {
            event_id: event.id,
            acks,
        }
    }

    /// One-shot query: collects matching events until every connected relay
    /// sent `EOSE` (or closed the request), or `timeout` elapses. Returns the
    /// events newest first. Fails only if no relay connects within `timeout`.
    pub async fn fetch(
        &self,
        filters: Vec<Filter>,
        timeout: Duration,
    ) -> Result<Vec<Event>, RelayError> {
        let deadline = Instant::now() + timeout;
        self.wait_for_connection(timeout).await?;
        let mut status = self.inner.shared.status.subscribe();
        let mut subscription = self.subscribe(filters);
        let mut finished: HashSet<RelayUrl> = HashSet::new();
        let mut events: Vec<Event> = Vec::new();
        loop {
            let connected = self.connected_relays();
            if connected.iter().all(|url| finished.contains(url)) {
                break;
            }
            tokio::select! {
                item = subscription.recv() => match item {
                    Some(SubscriptionItem::Event { event, .. }) => events.push(*event),
                    Some(SubscriptionItem::Eose { relay } | SubscriptionItem::Closed { relay, .. }) => {
                        finished.insert(relay);
                    }
                    None => break,
                },
                _ = status.changed() => {}
                () = tokio::time::sleep_until(deadline) => {
                    let waiting: Vec<String> = connected
                        .iter()
                        .filter(|url| !finished.contains(*url))
                        .map(ToString::to_string)
                        .collect();
                    tracing::warn!(?waiting, "fetch timed out before EOSE from every relay");
                    break;
                }
            }
        }
        events.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
        Ok(events)
    }

    /// Stops every connection task and waits for them to finish. Open
    /// subscriptions end; later publications report
    /// [`RelayAck::NotConnected`].
    pub async fn shutdown(&self) {
        self.inner.shutdown.cancel();
        self.inner.tasks.wait().await;
        // Dropping the senders ends every open `Subscription`.
        self.inner.shared.subscriptions().clear();
    }
}
