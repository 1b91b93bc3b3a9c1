//! The intake task: subscribes to user messages of both transports, runs the §1.6
//! pipeline with the persisted replay dedupe, and hands requests to dispatch.
//!
//! Subscription (both transports at once; each request is answered in its own):
//!
//! * `{"kinds":[14],   "#p":[node], "since": resume − margin}`
//! * `{"kinds":[1059], "#p":[node], "since": resume − margin − 2 days}`: gift wraps
//!   are backdated by up to two days (PROTOCOL.md §1.3), so their `since` must be too.
//!
//! `resume` is the store's last processed time (or now on a first start). This differs
//! from the reference daemon (`limit: 0`, live only) on purpose: a message sent while
//! the daemon was down is still handled within the catch-up window
//! ([`CatchUpWindow`]) and a replayed one never acts twice (the dedupe is persisted).
//!
//! # When an event counts as processed (DESIGN.md invariant 4)
//!
//! Intake does not write the durable mark of an accepted request: the dispatcher commits
//! it ([`crate::store::Change::processed`]) in the same transaction as the state change,
//! reply or refusal the request causes. A daemon that stops in between has not marked the
//! event, so it is handled when a relay delivers it again (catch-up after a restart).
//! Intake only drops events already marked, and keeps an in-memory set of events in
//! flight ([`InFlightEvents`]) so that the same event arriving twice at once (from two
//! relays) is handled once. An event dropped after its signature verified (it cannot be
//! opened, is stale, ...) causes nothing and is marked on its own.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ::nostr::event::{Event, EventId, Kind};
use ::nostr::filter::Filter;
use ::nostr::key::Keys;
use ::nostr::types::Timestamp;
use mostro_protocol::envelope::MAX_TIMESTAMP_TWEAK_SECS;
use mostro_relay::{RelayPool, SubscribeOptions, SubscriptionItem};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::known_keys::KnownKeys;
use super::metrics::{DropReason, IntakeMetrics};
use super::pipeline::{self, CatchUpWindow, IncomingRequest, IntakePolicy};
use crate::store::{ProcessedEvents, Store, StoreError};

/// Settings of the intake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeConfig {
    /// `mostro.pow`: bits every inbound event needs.
    pub pow: u8,
    /// `mostro.pow_first_contact` (enforced as `max(pow, pow_first_contact)`).
    pub pow_first_contact: u8,
    /// Oldest message accepted after a restart (see [`CatchUpWindow`]); default 1 h.
    pub max_catchup_age: Duration,
    /// Safety margin subtracted from the resume time in `since`; default 60 s.
    pub since_margin: Duration,
}

impl Default for IntakeConfig {
    fn default() -> Self {
        Self {
            pow: 0,
            pow_first_contact: 0,
            max_catchup_age: Duration::from_secs(pipeline::DEFAULT_MAX_CATCHUP_AGE_SECS),
            since_margin: Duration::from_secs(60),
        }
    }
}

/// Ids of accepted events whose handling has not finished yet (shared by intake and
/// the dispatcher). Clones share one set.
#[derive(Debug, Clone, Default)]
pub struct InFlightEvents {
    ids: Arc<Mutex<HashSet<EventId>>>,
}

impl InFlightEvents {
    /// The set stays usable even if a holder panicked: every critical section is a
    /// single insert, lookup or remove.
    fn ids(&self) -> MutexGuard<'_, HashSet<EventId>> {
        self.ids
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Claims `id`; false when it is already in flight.
    pub fn begin(&self, id: EventId) -> bool {
        self.ids().insert(id)
    }

    /// Releases `id`: its handling ended (committed, failed or abandoned).
    pub fn finish(&self, id: EventId) {
        self.ids().remove(&id);
    }

    /// A guard that releases `id` when dropped (also when its task panics).
    pub fn guard(&self, id: EventId) -> InFlightGuard {
        InFlightGuard {
            set: Some(self.clone()),
            id,
        }
    }

    /// True while `id` is being handled.
    pub fn contains(&self, id: EventId) -> bool {
        self.ids().contains(&id)
    }

    /// Number of events in flight.
    pub fn len(&self) -> usize {
        self.ids().len()
    }

    /// True when no event is in flight.
    pub fn is_empty(&self) -> bool {
        self.ids().is_empty()
    }
}

/// Releases one in-flight event id on drop.
#[derive(Debug)]
pub struct InFlightGuard {
    set: Option<InFlightEvents>,
    id: EventId,
}

impl InFlightGuard {
    /// Leaves the id in flight: whoever handles the event releases it.
    fn keep(mut self) {
        self.set = None;
    }
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        if let Some(set) = &self.set {
            set.finish(self.id);
        }
    }
}

/// The intake pipeline bound to the node keys and the store.
#[derive(Debug, Clone)]
pub struct Intake {
    keys: Keys,
    processed: ProcessedEvents,
    in_flight: InFlightEvents,
    known_keys: KnownKeys,
    policy: IntakePolicy,
    resume_from: Timestamp,
    since_margin: Duration,
    metrics: Arc<IntakeMetrics>,
}

impl Intake {
    /// Prepares intake at `now`: reads the last processed time from the store and, if
    /// there is one, opens the catch-up window up to `now`.
    pub async fn new(
        keys: Keys,
        store: &Store,
        known_keys: KnownKeys,
        config: &IntakeConfig,
        now: Timestamp,
    ) -> Result<Self, StoreError> {
        let processed = store.processed_events();
        let last = processed.last_processed_at().await?;
        let mut policy = IntakePolicy::new(config.pow, config.pow_first_contact);
        // The window starts `since_margin` before the newest committed event: requests
        // handled concurrently commit in any order, so an older one may have been cut
        // off by the stop while a newer one was already marked.
        policy.catch_up = last.map(|last_processed_at| CatchUpWindow {
            last_processed_at: last_processed_at - config.since_margin.as_secs(),
            resumed_at: now,
            max_age_secs: config.max_catchup_age.as_secs(),
        });
        Ok(Self {
            keys,
            processed,
            in_flight: InFlightEvents::default(),
            known_keys,
            policy,
            resume_from: last.unwrap_or(now),
            since_margin: config.since_margin,
            metrics: Arc::new(IntakeMetrics::default()),
        })
    }

    /// The checks in force.
    pub fn policy(&self) -> &IntakePolicy {
        &self.policy
    }

    /// The events accepted and not yet finished. The dispatcher releases each one
    /// ([`InFlightEvents::guard`]) when its handling ends.
    pub fn in_flight(&self) -> InFlightEvents {
        self.in_flight.clone()
    }

    /// Outcome counters, shared with the running task.
    pub fn metrics(&self) -> Arc<IntakeMetrics> {
        Arc::clone(&self.metrics)
    }

    /// The subscription filters (see the module docs).
    pub fn filters(&self) -> Vec<Filter> {
        let node = self.keys.public_key();
        let v2_since = self.resume_from - self.since_margin.as_secs();
        let v1_since = v2_since - MAX_TIMESTAMP_TWEAK_SECS;
        vec![
            Filter::new()
                .kind(Kind::PrivateDirectMessage)
                .pubkey(node)
                .since(v2_since),
            Filter::new()
                .kind(Kind::GiftWrap)
                .pubkey(node)
                .since(v1_since),
        ]
    }

    /// Subscription options: after a reconnection, look back far enough to cover
    /// backdated gift wraps.
    pub fn subscribe_options(&self) -> SubscribeOptions {
        SubscribeOptions {
            catch_up_overlap: Duration::from_secs(MAX_TIMESTAMP_TWEAK_SECS) + self.since_margin,
        }
    }

    /// Runs one event through the whole pipeline at `now`. An accepted event stays in
    /// flight ([`Intake::in_flight`]) until the dispatcher releases it; one dropped after
    /// its signature verified is marked processed. Counts and logs (at debug, id only) a
    /// drop.
    pub async fn process(
        &self,
        event: &Event,
        now: Timestamp,
    ) -> Result<IncomingRequest, DropReason> {
        let outcome = self.check(event, now).await;
        match &outcome {
            Ok(_) => self.metrics.record_accepted(),
            Err(reason) => {
                self.metrics.record_drop(*reason);
                tracing::debug!(event_id = %event.id, %reason, "incoming event dropped");
            }
        }
        outcome
    }

    async fn check(&self, event: &Event, now: Timestamp) -> Result<IncomingRequest, DropReason> {
        pipeline::screen(event, &self.policy)?;
        // Claimed before the durable lookup: a copy that finished in between has
        // committed its mark before releasing the claim, so the lookup sees it.
        if !self.in_flight.begin(event.id) {
            return Err(DropReason::Replayed);
        }
        let guard = self.in_flight.guard(event.id);
        match self.processed.contains(event.id).await {
            Ok(false) => {}
            Ok(true) => return Err(DropReason::Replayed),
            Err(error) => {
                tracing::warn!(
                    event_id = %event.id,
                    error = &error as &dyn std::error::Error,
                    "cannot look up incoming event; left for catch-up"
                );
                return Err(DropReason::StoreUnavailable);
            }
        }
        match pipeline::open(event, &self.keys, &self.known_keys, &self.policy, now) {
            Ok(request) => {
                // Released by the dispatcher once the request is handled.
                guard.keep();
                Ok(request)
            }
            Err(reason) => {
                // Nothing else will record it: it causes no change.
                if let Err(error) = self
                    .processed
                    .mark_processed(event.id, event.created_at, now)
                    .await
                {
                    tracing::warn!(
                        event_id = %event.id,
                        error = &error as &dyn std::error::Error,
                        "cannot record dropped event"
                    );
                }
                Err(reason)
            }
        }
    }

    /// Subscribes on `pool` and forwards every accepted request to `sink` until
    /// `cancel` fires, the pool shuts down or the sink is closed.
    pub async fn run(
        self,
        pool: RelayPool,
        sink: mpsc::Sender<IncomingRequest>,
        cancel: CancellationToken,
    ) {
        let mut subscription = pool.subscribe_with(self.filters(), self.subscribe_options());
        loop {
            let item = tokio::select! {
                () = cancel.cancelled() => return,
                item = subscription.recv() => item,
            };
            let event = match item {
                Some(SubscriptionItem::Event { event, .. }) => event,
                Some(SubscriptionItem::Eose { relay }) => {
                    tracing::debug!(%relay, "intake caught up with relay");
                    continue;
                }
                Some(SubscriptionItem::Closed { relay, message }) => {
                    tracing::warn!(%relay, %message, "relay closed the intake subscription");
                    continue;
                }
                None => {
                    tracing::info!("intake subscription ended");
                    return;
                }
            };
            if let Ok(request) = self.process(&event, Timestamp::now()).await {
                tokio::select! {
                    () = cancel.cancelled() => return,
                    sent = sink.send(request) => if sent.is_err() {
                        tracing::info!("dispatch closed; intake stops");
                        return;
                    },
                }
            }
        }
    }
}
