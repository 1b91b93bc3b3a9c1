//! Following everything the daemon tells our trade keys.
//!
//! The set of watched keys is re-read from the store every
//! [`WATCH_KEY_REFRESH_PERIOD`]: another client instance on the same data
//! directory (e.g. `mostro-cli sell` next to a running `mostro-cli watch`) may
//! allocate trade keys at any time. When the set grows the watch re-subscribes with its
//! original window; messages it already applied are skipped by id.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::time::Duration;

use mostro_protocol::envelope::Transport;
use mostro_relay::{Subscription, SubscriptionItem};
use nostr::event::Event;
use nostr::key::{Keys, PublicKey};
use nostr::types::RelayUrl;
use tokio::time::{Instant, Interval, MissedTickBehavior};
use uuid::Uuid;

use super::{unix_now, MostroClient};
use crate::error::ClientError;
use crate::local_order::LocalOrder;
use crate::store::Store;
use crate::update::Update;

/// Default catch-up window of [`MostroClient::watch`] (one day).
pub const DEFAULT_WATCH_LOOKBACK_SECS: u64 = 24 * 60 * 60;

/// How often a running [`Watch`] looks in the store for trade keys allocated
/// since it started (by this or another client instance).
pub const WATCH_KEY_REFRESH_PERIOD: Duration = Duration::from_secs(2);

/// One message from the daemon, applied to local state.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchEvent {
    /// The message's `id` (order id; dispute id for solver messages).
    pub order_id: Option<Uuid>,
    /// Index of the trade key it was addressed to.
    pub trade_index: u32,
    /// What it says.
    pub update: Update,
    /// The local order after applying it, if the order is known.
    pub order: Option<LocalOrder>,
}

/// A live stream of [`WatchEvent`]s for our trade keys. Messages stored on
/// relays from the lookback window are replayed first, oldest first; every
/// message is applied at most once (ids are remembered in the store).
#[derive(Debug)]
pub struct Watch {
    client: MostroClient,
    transport: Transport,
    /// Unix time the watch started: with `lookback_secs`, the window start.
    started_at: u64,
    lookback_secs: u64,
    keys: HashMap<PublicKey, (u32, Keys)>,
    subscription: Subscription,
    /// Stored events being collected, until every relay sent `EOSE`.
    catch_up: Option<CatchUp>,
    ready: VecDeque<WatchEvent>,
    refresh: Interval,
}

/// Progress of replaying stored events. Kept in the [`Watch`] (not in a
/// future) so that dropping a pending [`Watch::next`] loses nothing.
#[derive(Debug)]
struct CatchUp {
    deadline: Instant,
    finished: HashSet<RelayUrl>,
    stored: Vec<Event>,
}

/// Trade key indices a watch follows: every unfinished order's key, reserved
/// range-order keys, the last allocated index (its order is only saved once
/// the daemon replied, possibly by another process still waiting for it) and
/// the next unused one.
fn watched_indices(store: &Store) -> Result<BTreeSet<u32>, ClientError> {
    let mut indices = BTreeSet::new();
    for order in store.orders()? {
        if !order.is_finished() {
            indices.insert(order.trade_index);
        }
        indices.extend(order.next_trade_index);
    }
    let last = store.last_trade_index()?;
    if last >= 1 {
        indices.insert(last);
    }
    if let Some(next) = last.checked_add(1) {
        indices.insert(next);
    }
    Ok(indices)
}

impl MostroClient {
    /// Watches our trade keys (and, see [`WATCH_KEY_REFRESH_PERIOD`], keys
    /// allocated later), replaying what arrived in the last `lookback_secs`.
    pub async fn watch(&self, lookback_secs: u64) -> Result<Watch, ClientError> {
        let transport = self.transport().await;
        let started_at = unix_now();
        let mut keys = HashMap::new();
        for index in watched_indices(&self.inner.store)? {
            let k = self.trade_keys(index)?;
            keys.insert(k.public_key(), (index, k));
        }
        let subscription = self.watch_subscription(transport, &keys, started_at, lookback_secs);
        let mut refresh = tokio::time::interval(WATCH_KEY_REFRESH_PERIOD);
        refresh.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Ok(Watch {
            client: self.clone(),
            transport,
            started_at,
            lookback_secs,
            keys,
            subscription,
            catch_up: Some(CatchUp::new(self.inner.timeouts.fetch)),
            ready: VecDeque::new(),
            refresh,
        })
    }

    /// Subscribes to daemon messages to `keys` since `anchor - lookback_secs`.
    fn watch_subscription(
        &self,
        transport: Transport,
        keys: &HashMap<PublicKey, (u32, Keys)>,
        anchor: u64,
        lookback_secs: u64,
    ) -> Subscription {
        let pubkeys: Vec<PublicKey> = keys.keys().copied().collect();
        let filter = self.reply_filter(transport, &pubkeys, anchor, lookback_secs);
        self.subscribe_replies(transport, filter)
    }
}

impl CatchUp {
    fn new(timeout: Duration) -> Self {
        Self {
            deadline: Instant::now() + timeout,
            finished: HashSet::new(),
            stored: Vec::new(),
        }
    }
}

impl Watch {
    /// Adds the trade key at `index` (e.g. after creating or taking an order)
    /// and re-subscribes, replaying the last `lookback_secs`.
    pub fn track(&mut self, index: u32, lookback_secs: u64) -> Result<(), ClientError> {
        let keys = self.client.trade_keys(index)?;
        self.keys.insert(keys.public_key(), (index, keys));
        self.resubscribe(unix_now(), lookback_secs);
        Ok(())
    }

    /// Indices of the trade keys currently followed, ascending.
    pub fn trade_indices(&self) -> Vec<u32> {
        let indices: BTreeSet<u32> = self.keys.values().map(|(index, _)| *index).collect();
        indices.into_iter().collect()
    }

    fn resubscribe(&mut self, anchor: u64, lookback_secs: u64) {
        self.subscription =
            self.client
                .watch_subscription(self.transport, &self.keys, anchor, lookback_secs);
        self.catch_up = Some(CatchUp::new(self.client.inner.timeouts.fetch));
    }

    /// Follows keys the store gained since the last look; re-subscribes with
    /// the watch's original window if there are any.
    fn refresh_keys(&mut self) -> Result<(), ClientError> {
        let known: HashSet<u32> = self.keys.values().map(|(index, _)| *index).collect();
        let added: Vec<u32> = watched_indices(&self.client.inner.store)?
            .into_iter()
            .filter(|index| !known.contains(index))
            .collect();
        if added.is_empty() {
            return Ok(());
        }
        for &index in &added {
            let keys = self.client.trade_keys(index)?;
            self.keys.insert(keys.public_key(), (index, keys));
        }
        tracing::debug!(
            ?added,
            "watching trade keys allocated since the watch started"
        );
        self.resubscribe(self.started_at, self.lookback_secs);
        Ok(())
    }

    /// The next update; `None` when the relay pool shut down.
    ///
    /// Cancel-safe: dropping the returned future loses no message.
    pub async fn next(&mut self) -> Option<Result<WatchEvent, ClientError>> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Some(Ok(event));
            }
            if self.catch_up.is_some() {
                if let Err(error) = self.catch_up_step().await {
                    return Some(Err(error));
                }
                continue;
            }
            tokio::select! {
                event = self.subscription.next_event() => {
                    match self.handle(&event?) {
                        Ok(Some(update)) => return Some(Ok(update)),
                        Ok(None) => {}
                        Err(error) => return Some(Err(error)),
                    }
                }
                _ = self.refresh.tick() => {
                    if let Err(error) = self.refresh_keys() {
                        return Some(Err(error));
                    }
                }
            }
        }
    }

    /// Collects one stored event (or `EOSE`). Once every connected relay sent
    /// `EOSE` (or the fetch timeout passed, or the subscription ended) queues
    /// what was collected, oldest first, and ends the catch-up.
    async fn catch_up_step(&mut self) -> Result<(), ClientError> {
        let Some(state) = self.catch_up.as_mut() else {
            return Ok(());
        };
        let connected = self.client.inner.pool.connected_relays();
        let all_done =
            !connected.is_empty() && connected.iter().all(|r| state.finished.contains(r));
        if !all_done && Instant::now() < state.deadline {
            match tokio::time::timeout_at(state.deadline, self.subscription.recv()).await {
                Ok(Some(SubscriptionItem::Event { event, .. })) => {
                    state.stored.push(*event);
                    return Ok(());
                }
                Ok(Some(
                    SubscriptionItem::Eose { relay } | SubscriptionItem::Closed { relay, .. },
                )) => {
                    state.finished.insert(relay);
                    return Ok(());
                }
                // Ended or timed out: queue what we have.
                Ok(None) | Err(_) => {}
            }
        }
        let stored = self.catch_up.take().map(|s| s.stored).unwrap_or_default();
        self.replay(stored)
    }

    /// Applies stored events in the order the daemon wrote them.
    fn replay(&mut self, stored: Vec<Event>) -> Result<(), ClientError> {
        let mut opened = Vec::new();
        for event in stored {
            if let Some((at, ev)) = self.open(&event) {
                opened.push((at, event.id, ev));
            }
        }
        opened.sort_by_key(|(at, id, _)| (*at, *id));
        for (_, id, (index, pubkey, message)) in opened {
            if let Some(update) = self.apply(&id.to_hex(), index, &pubkey, &message)? {
                self.ready.push_back(update);
            }
        }
        Ok(())
    }

    /// Opens a daemon message to one of our keys: (inner time, (index, key, message)).
    #[allow(clippy::type_complexity)]
    fn open(&self, event: &Event) -> Option<(u64, (u32, PublicKey, mostro_protocol::Message))> {
        let recipient = event
            .tags
            .iter()
            .filter(|t| t.kind() == "p")
            .filter_map(|t| t.content())
            .filter_map(|hex| PublicKey::from_hex(hex).ok())
            .find(|pk| self.keys.contains_key(pk))?;
        let (index, keys) = self.keys.get(&recipient)?;
        let opened = self.client.open_daemon_message(event, keys)?;
        Some((
            opened.created_at.as_secs(),
            (*index, recipient, opened.message),
        ))
    }

    fn handle(&mut self, event: &Event) -> Result<Option<WatchEvent>, ClientError> {
        let Some((_, (index, pubkey, message))) = self.open(event) else {
            return Ok(None);
        };
        self.apply(&event.id.to_hex(), index, &pubkey, &message)
    }

    fn apply(
        &self,
        event_id: &str,
        index: u32,
        me: &PublicKey,
        message: &mostro_protocol::Message,
    ) -> Result<Option<WatchEvent>, ClientError> {
        let store = &self.client.inner.store;
        let now = unix_now();
        if !store.mark_processed(event_id, now)? {
            return Ok(None);
        }
        let update = Update::from_message(message, me);
        let order_id = message.id();
        let mut order = match order_id {
            Some(id) => store.order(id)?,
            None => None,
        };
        if order.is_none() {
            // A range child handed to a reserved next key (§5.7.1).
            if let (Some(id), Update::NewOrder { order: small }) = (order_id, &update) {
                if let Some(kind) = small.kind {
                    order = Some(LocalOrder::new(id, index, kind, true, now));
                }
            }
        }
        if let Some(local) = order.as_mut() {
            local.apply(&update, now);
            store.save_order(local)?;
        }
        Ok(Some(WatchEvent {
            order_id,
            trade_index: index,
            update,
            order,
        }))
    }
}
