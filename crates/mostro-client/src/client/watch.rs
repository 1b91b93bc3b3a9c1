//! Following everything the daemon tells our trade keys.

use std::collections::{HashMap, HashSet, VecDeque};

use mostro_protocol::envelope::Transport;
use mostro_relay::{Subscription, SubscriptionItem};
use nostr::event::Event;
use nostr::key::{Keys, PublicKey};
use tokio::time::Instant;
use uuid::Uuid;

use super::{unix_now, MostroClient};
use crate::error::ClientError;
use crate::local_order::LocalOrder;
use crate::update::Update;

/// Default catch-up window of [`MostroClient::watch`] (one day).
pub const DEFAULT_WATCH_LOOKBACK_SECS: u64 = 24 * 60 * 60;

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
    keys: HashMap<PublicKey, (u32, Keys)>,
    subscription: Subscription,
    caught_up: bool,
    ready: VecDeque<WatchEvent>,
}

impl MostroClient {
    /// Watches every unfinished local order's trade key (plus reserved
    /// range-order keys and the next unused key), replaying what arrived in
    /// the last `lookback_secs`.
    pub async fn watch(&self, lookback_secs: u64) -> Result<Watch, ClientError> {
        let transport = self.transport().await;
        let mut indices: HashSet<u32> = HashSet::new();
        for order in self.inner.store.orders()? {
            if !order.is_finished() {
                indices.insert(order.trade_index);
            }
            indices.extend(order.next_trade_index);
        }
        indices.insert(self.inner.store.last_trade_index()?.saturating_add(1));
        let mut keys = HashMap::new();
        for index in indices {
            let k = self.trade_keys(index)?;
            keys.insert(k.public_key(), (index, k));
        }
        let subscription = self.watch_subscription(transport, &keys, lookback_secs);
        Ok(Watch {
            client: self.clone(),
            transport,
            keys,
            subscription,
            caught_up: false,
            ready: VecDeque::new(),
        })
    }

    fn watch_subscription(
        &self,
        transport: Transport,
        keys: &HashMap<PublicKey, (u32, Keys)>,
        lookback_secs: u64,
    ) -> Subscription {
        let pubkeys: Vec<PublicKey> = keys.keys().copied().collect();
        self.inner.pool.subscribe(vec![self.reply_filter(
            transport,
            &pubkeys,
            unix_now(),
            lookback_secs,
        )])
    }
}

impl Watch {
    /// Adds the trade key at `index` (e.g. after creating or taking an order)
    /// and re-subscribes, replaying the last `lookback_secs`.
    pub fn track(&mut self, index: u32, lookback_secs: u64) -> Result<(), ClientError> {
        let keys = self.client.trade_keys(index)?;
        self.keys.insert(keys.public_key(), (index, keys));
        self.subscription =
            self.client
                .watch_subscription(self.transport, &self.keys, lookback_secs);
        self.caught_up = false;
        Ok(())
    }

    /// The next update; `None` when the relay pool shut down.
    pub async fn next(&mut self) -> Option<Result<WatchEvent, ClientError>> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Some(Ok(event));
            }
            if !self.caught_up {
                if let Err(error) = self.catch_up().await {
                    return Some(Err(error));
                }
                continue;
            }
            let event = self.subscription.next_event().await?;
            match self.handle(&event) {
                Ok(Some(update)) => return Some(Ok(update)),
                Ok(None) => {}
                Err(error) => return Some(Err(error)),
            }
        }
    }

    /// Reads stored events until every connected relay sent `EOSE` (or the
    /// fetch timeout passes) and queues them oldest first.
    async fn catch_up(&mut self) -> Result<(), ClientError> {
        self.caught_up = true;
        let deadline = Instant::now() + self.client.inner.timeouts.fetch;
        let mut finished = HashSet::new();
        let mut stored: Vec<Event> = Vec::new();
        loop {
            let connected = self.client.inner.pool.connected_relays();
            if !connected.is_empty() && connected.iter().all(|r| finished.contains(r)) {
                break;
            }
            match tokio::time::timeout_at(deadline, self.subscription.recv()).await {
                Ok(Some(SubscriptionItem::Event { event, .. })) => stored.push(*event),
                Ok(Some(
                    SubscriptionItem::Eose { relay } | SubscriptionItem::Closed { relay, .. },
                )) => {
                    finished.insert(relay);
                }
                Ok(None) | Err(_) => break,
            }
        }
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
