//! Subscription handles and the subscription table shared with relay tasks.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, Weak};
use std::time::Duration;

use nostr::event::Event;
use nostr::filter::Filter;
use nostr::message::SubscriptionId;
use nostr::types::RelayUrl;
use tokio::sync::{mpsc, watch};

use crate::pool::PoolInner;
use crate::seen::SeenIds;

/// Something a subscription produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubscriptionItem {
    /// A verified event matching the filters, first delivery across relays.
    Event {
        /// Relay that delivered it first.
        relay: RelayUrl,
        /// The event (id and signature checked).
        event: Box<Event>,
    },
    /// `relay` has sent all its stored events (`EOSE`); what follows is live.
    Eose {
        /// The relay that finished.
        relay: RelayUrl,
    },
    /// `relay` closed the subscription (`CLOSED`); it is re-sent after the
    /// next reconnection to that relay.
    Closed {
        /// The relay that closed it.
        relay: RelayUrl,
        /// Its reason.
        message: String,
    },
}

/// One active subscription, as relay tasks see it.
#[derive(Debug)]
pub(crate) struct SubEntry {
    pub(crate) filters: Vec<Filter>,
    pub(crate) overlap: Duration,
    pub(crate) seen: SeenIds,
    pub(crate) sender: mpsc::UnboundedSender<SubscriptionItem>,
}

/// State shared by the pool and its relay tasks.
#[derive(Debug)]
pub(crate) struct Shared {
    subscriptions: Mutex<HashMap<SubscriptionId, SubEntry>>,
    /// Bumped whenever a relay connects or disconnects.
    pub(crate) status: watch::Sender<()>,
}

impl Shared {
    pub(crate) fn new() -> Self {
        Self {
            subscriptions: Mutex::new(HashMap::new()),
            status: watch::Sender::new(()),
        }
    }

    /// The subscription table. Never held across an `.await`.
    pub(crate) fn subscriptions(&self) -> MutexGuard<'_, HashMap<SubscriptionId, SubEntry>> {
        // Entries stay consistent even if a holder panicked: keep going.
        self.subscriptions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Stream of [`SubscriptionItem`]s. Dropping it closes the subscription on
/// every relay.
///
/// Items are buffered without bound so a slow consumer never stalls a relay
/// connection (and thus never delays publish acknowledgements); consume
/// promptly.
#[derive(Debug)]
pub struct Subscription {
    id: SubscriptionId,
    receiver: mpsc::UnboundedReceiver<SubscriptionItem>,
    pool: Weak<PoolInner>,
}

impl Subscription {
    pub(crate) fn new(
        id: SubscriptionId,
        receiver: mpsc::UnboundedReceiver<SubscriptionItem>,
        pool: Weak<PoolInner>,
    ) -> Self {
        Self { id, receiver, pool }
    }

    /// The id sent to relays in `REQ`.
    pub fn id(&self) -> &SubscriptionId {
        &self.id
    }

    /// Next item; `None` once the subscription was closed or the pool shut down.
    pub async fn recv(&mut self) -> Option<SubscriptionItem> {
        self.receiver.recv().await
    }

    /// Next event, skipping `EOSE`/`CLOSED` notifications.
    pub async fn next_event(&mut self) -> Option<Event> {
        loop {
            if let SubscriptionItem::Event { event, .. } = self.recv().await? {
                return Some(*event);
            }
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(pool) = self.pool.upgrade() {
            pool.unsubscribe(&self.id);
        }
    }
}
