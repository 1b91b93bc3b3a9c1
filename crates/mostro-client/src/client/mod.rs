//! [`MostroClient`]: typed async operations against one Mostro daemon.

mod book;
mod builder;
mod chat;
mod evidence;
mod new_order;
mod operations;
mod request;
mod session;
mod solver;
mod watch;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mostro_protocol::envelope::{PrivacyMode, Transport};
use mostro_protocol::events::InfoEvent;
use mostro_protocol::keys::TradeKeys;
use mostro_relay::RelayPool;
use nostr::key::{Keys, PublicKey};
use nostr::types::Timestamp;

use crate::error::ClientError;
use crate::keystore::MnemonicSource;
use crate::local_order::LocalOrder;
use crate::store::Store;
use crate::transport::choose_transport;

pub use self::book::BookFilter;
pub use self::builder::MostroClientBuilder;
pub use self::chat::{ChatFollow, PeerChatDisclosure};
pub use self::evidence::{Evidence, EvidenceMessage};
pub use self::new_order::{NewOrder, OrderAmount};
pub use self::operations::OrderReply;
pub use self::session::RestoreReport;
pub use self::solver::{DisputeParty, SolverRights, SOLVER_NOTES_LOOKBACK_SECS};
pub use self::watch::{Watch, WatchEvent, DEFAULT_WATCH_LOOKBACK_SECS, WATCH_KEY_REFRESH_PERIOD};

/// Whether the user's identity key is ever sent (PROTOCOL.md §1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Privacy {
    /// Prove the identity key (index 0) so reputation accrues; messages carry
    /// a trade signature and a `trade_index`.
    #[default]
    Reputation,
    /// Never send the identity key: the trade key is the identity, no
    /// reputation, no `trade_index`.
    FullPrivacy,
}

/// Time limits of client operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Wait for the daemon's reply to a request.
    pub reply: Duration,
    /// One-shot relay queries (order book, info, chat history).
    pub fetch: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            reply: Duration::from_secs(30),
            fetch: Duration::from_secs(10),
        }
    }
}

/// A client of one Mostro daemon. Cheap to clone (clones share state).
#[derive(Debug, Clone)]
pub struct MostroClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    pool: RelayPool,
    store: Store,
    keys: TradeKeys,
    daemon: PublicKey,
    privacy: Privacy,
    transport_override: Option<Transport>,
    timeouts: Timeouts,
    mnemonic_source: MnemonicSource,
    info: Mutex<Option<InfoEvent>>,
    info_tried: AtomicBool,
}

pub(crate) fn unix_now() -> u64 {
    Timestamp::now().as_secs()
}

impl MostroClient {
    /// Starts building a client.
    pub fn builder() -> MostroClientBuilder {
        MostroClientBuilder::default()
    }

    /// The daemon's public key.
    pub fn daemon(&self) -> PublicKey {
        self.inner.daemon
    }

    /// The privacy mode.
    pub fn privacy(&self) -> Privacy {
        self.inner.privacy
    }

    /// Whether the mnemonic was created when this client was built (show it
    /// to the user for backup) or loaded.
    pub fn mnemonic_source(&self) -> MnemonicSource {
        self.inner.mnemonic_source
    }

    /// The local store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The relay pool.
    pub fn pool(&self) -> &RelayPool {
        &self.inner.pool
    }

    /// The identity public key (index 0). It is only ever sent inside
    /// ciphertext, and never in full-privacy mode.
    pub fn identity_pubkey(&self) -> PublicKey {
        self.inner.keys.identity().public_key()
    }

    /// The trade key at `index` (≥ 1).
    pub fn trade_keys(&self, index: u32) -> Result<Keys, ClientError> {
        Ok(self.inner.keys.trade_key(index)?)
    }

    /// How messages prove who sent them.
    fn privacy_mode(&self) -> PrivacyMode<'_> {
        match self.inner.privacy {
            Privacy::Reputation => PrivacyMode::Reputation {
                identity: self.inner.keys.identity(),
            },
            Privacy::FullPrivacy => PrivacyMode::FullPrivacy,
        }
    }

    /// The cached info event, if one was fetched.
    pub fn cached_info(&self) -> Option<InfoEvent> {
        self.inner
            .info
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn set_cached_info(&self, info: Option<InfoEvent>) {
        *self.inner.info.lock().unwrap_or_else(|p| p.into_inner()) = info;
    }

    /// The transport used with this daemon (fetching its info event once).
    pub async fn transport(&self) -> Transport {
        let info = match self.inner.transport_override {
            Some(_) => None,
            None => self.info_or_fetch().await,
        };
        choose_transport(info.as_ref(), self.inner.transport_override)
    }

    /// The daemon's info event: cached in memory, else fetched from the
    /// relays (once per client; [`MostroClient::fetch_info`] refreshes), else
    /// the copy saved in the store by an earlier session. `None` if there is none.
    async fn info_or_fetch(&self) -> Option<InfoEvent> {
        if let Some(info) = self.cached_info() {
            return Some(info);
        }
        if self.inner.info_tried.swap(true, Ordering::SeqCst) {
            return None;
        }
        match self.fetch_info().await {
            Ok(info) => Some(info),
            Err(error) => {
                let saved = self.saved_info();
                if saved.is_some() {
                    tracing::warn!(daemon = %self.inner.daemon, %error, "using the info event saved by an earlier session");
                } else {
                    tracing::warn!(daemon = %self.inner.daemon, %error, "no usable info event; assuming protocol v1 and no proof of work");
                }
                self.set_cached_info(saved.clone());
                saved
            }
        }
    }

    /// The info event saved in the store, if it still parses.
    fn saved_info(&self) -> Option<InfoEvent> {
        let json = self
            .inner
            .store
            .daemon_info(&self.inner.daemon.to_hex())
            .ok()??;
        let event = nostr::event::Event::from_json(json).ok()?;
        (event.pubkey == self.inner.daemon && event.verify().is_ok())
            .then(|| InfoEvent::parse(&event).ok())
            .flatten()
    }

    /// A local order, or [`ClientError::UnknownOrder`].
    pub fn local_order(&self, id: uuid::Uuid) -> Result<LocalOrder, ClientError> {
        self.inner
            .store
            .order(id)?
            .ok_or(ClientError::UnknownOrder(id))
    }

    /// Every order known locally.
    pub fn local_orders(&self) -> Result<Vec<LocalOrder>, ClientError> {
        Ok(self.inner.store.orders()?)
    }

    /// Closes the relay connections.
    pub async fn shutdown(&self) {
        self.inner.pool.shutdown().await;
    }
}
