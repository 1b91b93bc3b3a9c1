//! The composition root and the asynchronous shell around the engine.
//!
//! [`Mostro`] is built once by [`MostroBuilder`] from the settings, the store, the
//! Lightning backend, the relay pool and the node keys; nothing is global. Its
//! [`Mostro::run`] starts, in order: start-up recovery, intake, the dispatcher, the
//! outbox publisher, the deadline timers, the invoice-event consumer and the periodic
//! publications. Every task is tracked and stops on shutdown (DESIGN.md invariants 6
//! and 7).
//!
//! * [`dispatcher`](self): one writer per order; engine → hold invoice → render →
//!   commit → publish → effects;
//! * executor: settle, cancel and pay after commit, results fed back as inputs;
//! * [`Timers`]: each order's next deadline, fired as `Input::Deadline`;
//! * recovery: reconcile open orders with Lightning before intake opens.

mod admin;
mod clock;
mod dispatcher;
mod disputes;
mod error;
mod executor;
mod lightning_events;
mod order_locks;
mod payout;
mod periodic;
mod recovery;
mod session;
mod timers;
mod writer;

use std::sync::Arc;
use std::time::Duration;

use ::nostr::key::{Keys, PublicKey};
use mostro_protocol::events::LndInfo;
use mostro_relay::RelayPool;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use uuid::Uuid;

use crate::config::Settings;
use crate::engine::EngineSettings;
use crate::lightning::{DynLightning, InvoiceRules};
use crate::lnurl::LnurlResolver;
use crate::nostr::{
    InfoSettings, IntakeConfig, KnownKeys, PublicEvents, PublicSettings, Publisher,
    PublisherConfig, Renderer, ReplyWrapper,
};
use crate::price::PriceService;
use crate::store::Store;

pub use admin::{AdminError, AdminHandle, AdminOutcome, OrderSnapshot};
pub use clock::{Clock, DynClock, SystemClock, TokioClock};
pub use error::{BuildError, HandleError, RuntimeError};
pub use order_locks::{KeyGuard, KeyedLocks};
pub use timers::Timers;

use payout::Destinations;

/// How long the runtime waits for the Lightning node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Creating, settling, cancelling or looking up an invoice; chain height.
    pub lightning_call: Duration,
    /// How long the node may keep trying routes for one payout attempt.
    pub payment: Duration,
    /// Delay between two `track_payment` polls of a payment still in flight.
    pub track_poll: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            lightning_call: Duration::from_secs(30),
            payment: Duration::from_secs(60),
            track_poll: Duration::from_secs(5),
        }
    }
}

/// The daemon. Cheap to clone: clones share everything.
#[derive(Debug, Clone)]
pub struct Mostro {
    inner: Arc<Inner>,
}

/// Everything the runtime's tasks share.
#[derive(Debug)]
struct Inner {
    settings: Settings,
    engine: EngineSettings,
    keys: Keys,
    store: Store,
    lightning: DynLightning,
    relays: RelayPool,
    renderer: Renderer,
    destinations: Destinations,
    price: Option<PriceService>,
    clock: DynClock,
    order_locks: KeyedLocks<Uuid>,
    identity_locks: KeyedLocks<PublicKey>,
    timers: Timers,
    known_keys: KnownKeys,
    publisher: Publisher,
    publisher_wake: Arc<Notify>,
    intake: IntakeConfig,
    info: InfoSettings,
    lnd_info: LndInfo,
    timeouts: Timeouts,
    tasks: TaskTracker,
    stop: CancellationToken,
}

impl Mostro {
    /// A builder over `settings`.
    pub fn builder(settings: Settings) -> MostroBuilder {
        MostroBuilder::new(settings)
    }

    /// The node's public key.
    pub fn public_key(&self) -> PublicKey {
        self.inner.keys.public_key()
    }

    /// The store the daemon writes.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The queued deadline of `order_id`, if any.
    pub fn deadline_of(&self, order_id: Uuid) -> Option<::nostr::types::Timestamp> {
        self.inner.timers.deadline_of(order_id)
    }

    /// Runs the daemon until `shutdown` is cancelled, then stops every task and waits
    /// for them. Fails only if start-up recovery or intake cannot begin.
    pub async fn run(&self, shutdown: CancellationToken) -> Result<(), RuntimeError> {
        let inner = &self.inner;
        // Subscribed before recovery so that no invoice event is lost in between.
        let invoice_events = inner.lightning.invoice_events();
        let started = async {
            recovery::recover(inner)
                .await
                .map_err(RuntimeError::Recovery)?;
            dispatcher::start_intake(inner).await?;
            tracing::info!(pubkey = %inner.keys.public_key(), "mostrod running");
            Ok::<(), RuntimeError>(())
        };
        let outcome = tokio::select! {
            () = shutdown.cancelled() => Ok(()),
            started = started => started,
        };
        if outcome.is_ok() {
            inner.spawn_background(invoice_events);
            shutdown.cancelled().await;
        }
        tracing::info!("mostrod stopping");
        inner.stop.cancel();
        inner.tasks.close();
        inner.tasks.wait().await;
        outcome
    }
}

impl Inner {
    /// The publisher, timers, invoice events and periodic jobs.
    fn spawn_background(
        self: &Arc<Self>,
        invoice_events: tokio::sync::broadcast::Receiver<crate::lightning::InvoiceEvent>,
    ) {
        let stop = self.stop.clone();
        self.tasks.spawn(self.publisher.clone().run(stop.clone()));
        let me = Arc::clone(self);
        self.tasks.spawn(async move {
            let clock = Arc::clone(&me.clock);
            let timers = me.timers.clone();
            timers
                .run(clock.as_ref(), me.stop.clone(), |order_id| {
                    me.spawn_input(order_id, crate::engine::Input::Deadline);
                })
                .await;
        });
        let me = Arc::clone(self);
        self.tasks
            .spawn(async move { lightning_events::run(&me, invoice_events).await });
        periodic::spawn_all(self);
    }
}

/// Builds a [`Mostro`] (STYLE.md example 5).
#[derive(Debug)]
pub struct MostroBuilder {
    settings: Settings,
    store: Option<Store>,
    lightning: Option<DynLightning>,
    relays: Option<RelayPool>,
    keys: Option<Keys>,
    clock: Option<DynClock>,
    price: Option<PriceService>,
    lnurl: Option<LnurlResolver>,
    publisher: PublisherConfig,
    intake: Option<IntakeConfig>,
    timeouts: Timeouts,
}

impl MostroBuilder {
    /// A builder over `settings`; every other part must be given before
    /// [`MostroBuilder::build`].
    pub fn new(settings: Settings) -> Self {
        Self {
            settings,
            store: None,
            lightning: None,
            relays: None,
            keys: None,
            clock: None,
            price: None,
            lnurl: None,
            publisher: PublisherConfig::default(),
            intake: None,
            timeouts: Timeouts::default(),
        }
    }

    /// The database.
    pub fn store(mut self, store: Store) -> Self {
        self.store = Some(store);
        self
    }

    /// The Lightning backend.
    pub fn lightning(mut self, lightning: DynLightning) -> Self {
        self.lightning = Some(lightning);
        self
    }

    /// The relay pool.
    pub fn relays(mut self, relays: RelayPool) -> Self {
        self.relays = Some(relays);
        self
    }

    /// The node keys.
    pub fn keys(mut self, keys: Keys) -> Self {
        self.keys = Some(keys);
        self
    }

    /// The time source (default: [`SystemClock`]).
    pub fn clock(mut self, clock: DynClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The market price service (without one, market orders are refused as stale).
    pub fn price(mut self, price: PriceService) -> Self {
        self.price = Some(price);
        self
    }

    /// The LNURL resolver (without one, Lightning addresses are refused).
    pub fn lnurl(mut self, lnurl: LnurlResolver) -> Self {
        self.lnurl = Some(lnurl);
        self
    }

    /// Publisher tunables.
    pub fn publisher_config(mut self, config: PublisherConfig) -> Self {
        self.publisher = config;
        self
    }

    /// Intake tunables (default: PoW from the settings, protocol defaults otherwise).
    pub fn intake_config(mut self, config: IntakeConfig) -> Self {
        self.intake = Some(config);
        self
    }

    /// Lightning timeouts.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Asks the Lightning node for its network and assembles the daemon.
    pub async fn build(self) -> Result<Mostro, BuildError> {
        let store = self.store.ok_or(BuildError::Missing("store"))?;
        let lightning = self.lightning.ok_or(BuildError::Missing("lightning"))?;
        let relays = self.relays.ok_or(BuildError::Missing("relays"))?;
        let keys = self.keys.ok_or(BuildError::Missing("keys"))?;
        let settings = self.settings;

        let after = self.timeouts.lightning_call;
        let node = tokio::time::timeout(after, lightning.node_info())
            .await
            .map_err(|_| BuildError::NodeInfoTimeout(after))?
            .map_err(BuildError::NodeInfo)?;
        let network = node.network().ok_or_else(|| {
            BuildError::UnknownNetwork(
                node.chains
                    .first()
                    .map(|c| c.network.clone())
                    .unwrap_or_default(),
            )
        })?;
        let networks: Vec<String> = node.chains.iter().map(|c| c.network.clone()).collect();
        let lnd_info = LndInfo {
            version: node.version.clone(),
            node_pubkey: node.pubkey.clone(),
            commit_hash: node.commit_hash.clone(),
            node_alias: node.alias.clone(),
            chains: node.chains.iter().map(|c| c.chain.clone()).collect(),
            networks: networks.clone(),
            uris: node.uris.clone(),
        };

        let m = &settings.mostro;
        let l = &settings.lightning;
        let x = &settings.expiration;
        let engine = settings.to_engine_settings();
        let public = PublicEvents::new(
            keys.clone(),
            PublicSettings {
                relays: settings.nostr.relays.clone(),
                instance_name: m.name.clone().filter(|n| !n.trim().is_empty()),
                networks,
                order_days: x.order_days,
                rating_days: x.rating_days,
                dispute_days: x.dispute_days,
            },
        );
        let dm_days = u32::try_from(x.dm_days).unwrap_or(u32::MAX);
        let renderer = Renderer::new(ReplyWrapper::new(keys.clone(), dm_days), public);
        let rules = InvoiceRules {
            network,
            min_payment_amount_sat: m.min_payment_amount,
            invoice_expiration_window: Duration::from_secs(l.invoice_expiration_window),
            max_final_cltv_expiry_delta: u64::from(l.max_final_cltv_expiry_delta),
        };
        let intake = self.intake.unwrap_or_else(|| IntakeConfig {
            pow: m.pow,
            pow_first_contact: m.pow_first_contact(),
            ..IntakeConfig::default()
        });
        let info = InfoSettings {
            mostro_version: env!("CARGO_PKG_VERSION").to_owned(),
            mostro_commit_hash: option_env!("MOSTROD_COMMIT_HASH").unwrap_or("").to_owned(),
            engine: engine.clone(),
            pow: intake.pow,
            pow_first_contact: intake.pow_first_contact,
            preferred_transport: m.transport.transport(),
            hold_invoice_expiration_window: l.hold_invoice_expiration_window,
            invoice_expiration_window: l.invoice_expiration_window,
        };
        let publisher = Publisher::new(store.outbox(), relays.clone(), self.publisher);
        let publisher_wake = publisher.waker();
        let inner = Inner {
            engine,
            keys,
            lightning,
            relays,
            renderer,
            destinations: Destinations::new(rules, self.lnurl),
            price: self.price,
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            order_locks: KeyedLocks::new(),
            identity_locks: KeyedLocks::new(),
            timers: Timers::new(),
            known_keys: KnownKeys::new(),
            publisher,
            publisher_wake,
            intake,
            info,
            lnd_info,
            timeouts: self.timeouts,
            tasks: TaskTracker::new(),
            stop: CancellationToken::new(),
            store,
            settings,
        };
        Ok(Mostro {
            inner: Arc::new(inner),
        })
    }
}
