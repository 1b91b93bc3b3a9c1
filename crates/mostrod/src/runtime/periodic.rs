//! Periodic work that does not touch orders one by one (PROTOCOL.md §5.13):
//! the info event (38385), the relay list (10002), the metadata (kind 0, once), the
//! known-key refresh, the price feed with its optional rates event (30078) and the
//! chain-height watch of the escrow guard.
//!
//! Each job is a tracked task with a `select!` on the stop token. Public node events
//! are republished on their own schedule, so they are sent directly rather than
//! through the outbox: a lost one is replaced by the next.

use std::sync::Arc;
use std::time::Duration;

use ::nostr::event::Event;
use ::nostr::types::Timestamp;
use mostro_protocol::events::{next_created_at, InstanceMetadata};
use mostro_protocol::status::Status;
use tokio::sync::watch;

use crate::engine::Input;
use crate::nostr::{refresh_known_keys, PublicEventError};
use crate::price::{rates_event, PriceSettings, RatesSnapshot};

use super::Inner;

/// How often the chain height is read for the escrow deadline guard.
const CHAIN_POLL: Duration = Duration::from_secs(60);

/// Starts every periodic job.
pub(super) fn spawn_all(inner: &Arc<Inner>) {
    let m = &inner.settings.mostro;
    let info_every = Duration::from_secs(m.publish_mostro_info_interval.max(1));
    let relays_every = Duration::from_secs(m.publish_relays_interval.max(1));
    let keys_every = Duration::from_secs(m.active_pubkeys_refresh_interval.max(1));

    spawn_every(inner, info_every, |me| async move {
        let event = me
            .renderer
            .public()
            .info_event(&me.info, &me.lnd_info, me.clock.now());
        me.publish_public("info", event).await;
    });
    spawn_every(inner, relays_every, |me| async move {
        let connected = me.relays.connected_relays();
        if connected.is_empty() {
            return;
        }
        let event = me.renderer.public().relay_list(&connected, me.clock.now());
        me.publish_public("relay list", event).await;
    });
    let me = Arc::clone(inner);
    inner.tasks.spawn(async move {
        let s = &me.settings.mostro;
        let metadata = InstanceMetadata {
            name: s.name.clone(),
            about: s.about.clone(),
            picture: s.picture.clone(),
            website: s.website.clone(),
        };
        match me.renderer.public().metadata(&metadata, me.clock.now()) {
            Ok(Some(event)) => me.publish_public("metadata", Ok(event)).await,
            Ok(None) => {}
            Err(error) => me.publish_public("metadata", Err(error)).await,
        }
    });
    inner.tasks.spawn(refresh_known_keys(
        inner.store.clone(),
        inner.known_keys.clone(),
        keys_every,
        inner.stop.clone(),
    ));
    if let Some(price) = inner.price.clone() {
        if inner.settings.price.publish_to_nostr {
            // Subscribed before the feed starts, so that its first refresh is seen.
            let updates = price.subscribe();
            let settings = *price.settings();
            let me = Arc::clone(inner);
            inner
                .tasks
                .spawn(async move { me.publish_rates(settings, updates).await });
        }
        let stop = inner.stop.clone();
        let clock = Arc::clone(&inner.clock);
        inner.tasks.spawn(async move {
            price
                .run_with_clock(|| clock.now(), stop.cancelled_owned())
                .await
        });
    }
    let me = Arc::clone(inner);
    inner.tasks.spawn(async move { me.watch_chain().await });
}

/// Runs `job` now and then every `every` until stop.
fn spawn_every<F, Fut>(inner: &Arc<Inner>, every: Duration, job: F)
where
    F: Fn(Arc<Inner>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let me = Arc::clone(inner);
    inner.tasks.spawn(async move {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = me.stop.cancelled() => return,
                _ = ticker.tick() => {}
            }
            tokio::select! {
                () = me.stop.cancelled() => return,
                () = job(Arc::clone(&me)) => {}
            }
        }
    });
}

impl Inner {
    async fn publish_public(&self, what: &'static str, event: Result<Event, PublicEventError>) {
        match event {
            Ok(event) => {
                let outcome = self.relays.publish(&event).await;
                if outcome.any_accepted() {
                    tracing::debug!(what, event_id = %event.id, "public event published");
                } else {
                    tracing::warn!(what, "no relay accepted the public event");
                }
            }
            Err(error) => {
                tracing::error!(
                    what,
                    error = &error as &dyn std::error::Error,
                    "cannot build public event"
                );
            }
        }
    }

    /// Publishes a kind 30078 rates event after every refresh that priced an accepted
    /// currency (PROTOCOL.md §7.6), each revision dated strictly after the previous
    /// one. A refresh that priced nothing sends no snapshot, so stale rates are never
    /// republished; a snapshot that is already stale, or empty once narrowed to the
    /// accepted currencies, is skipped.
    async fn publish_rates(
        self: Arc<Self>,
        settings: PriceSettings,
        mut updates: watch::Receiver<Option<RatesSnapshot>>,
    ) {
        let mut last: Option<Timestamp> = None;
        loop {
            tokio::select! {
                () = self.stop.cancelled() => return,
                changed = updates.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
            }
            let Some(snapshot) = updates.borrow_and_update().clone() else {
                continue;
            };
            let created_at = next_created_at(last, self.clock.now());
            let accepted = &self.settings.mostro.fiat_currencies_accepted;
            match rates_event(&snapshot, accepted, &settings, created_at) {
                Ok(rates) => {
                    let event = self.renderer.public().rates_event(&rates, created_at);
                    if event.is_ok() {
                        last = Some(created_at);
                    }
                    self.publish_public("rates", event).await;
                }
                Err(reason) => {
                    tracing::warn!(%reason, "exchange rates not published");
                }
            }
        }
    }

    /// The escrow deadline guard is measured in blocks: whenever the chain height
    /// moves, the trades whose escrow HTLC is within the margin get a deadline input.
    async fn watch_chain(self: Arc<Self>) {
        let mut last = None;
        let mut ticker = tokio::time::interval(CHAIN_POLL);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = self.stop.cancelled() => return,
                _ = ticker.tick() => {}
            }
            let Ok(height) = self
                .ln_call("chain_height", self.lightning.chain_height())
                .await
            else {
                continue;
            };
            if last == Some(height) {
                continue;
            }
            last = Some(height);
            let orders = match self.store.orders().open().await {
                Ok(orders) => orders,
                Err(error) => {
                    tracing::warn!(
                        error = &error as &dyn std::error::Error,
                        "escrow guard cannot read orders"
                    );
                    continue;
                }
            };
            let margin = self.engine.escrow_deadline_margin_blocks;
            for order in orders {
                // Disputes are watched from twice the margin, to warn their solver.
                let watch_from = match order.status {
                    Status::Active | Status::FiatSent => margin,
                    Status::Dispute => margin.saturating_mul(2),
                    _ => continue,
                };
                let expiry = order
                    .hold_invoice
                    .as_ref()
                    .and_then(|h| h.htlc_expiry_height);
                if expiry.is_some_and(|e| height.saturating_add(watch_from) >= e) {
                    tracing::info!(order_id = %order.id, height, "escrow near its expiry");
                    if order.status == Status::Dispute {
                        self.warn_unassigned(&order, height).await;
                    }
                    self.spawn_input(order.id, Input::Deadline);
                }
            }
        }
    }

    /// Logs a disputed order near its escrow deadline that no solver holds: nobody
    /// else can be warned.
    async fn warn_unassigned(&self, order: &crate::model::Order, height: u32) {
        match self.store.disputes().for_order(order.id).await {
            Ok(disputes) => {
                let unassigned = disputes
                    .iter()
                    .any(|d| d.is_open() && d.solver_pubkey.is_none());
                if unassigned {
                    let expiry = order
                        .hold_invoice
                        .as_ref()
                        .and_then(|h| h.htlc_expiry_height);
                    tracing::warn!(
                        order_id = %order.id,
                        height,
                        ?expiry,
                        "dispute near the escrow deadline and no solver has taken it"
                    );
                }
            }
            Err(error) => tracing::warn!(
                order_id = %order.id,
                error = &error as &dyn std::error::Error,
                "cannot read the order's disputes"
            ),
        }
    }
}
