//! The one gRPC connection to LND, its settings and its reconnection.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Once, RwLock};
use std::time::Duration;

use fedimint_tonic_lnd::Client;

use crate::lightning::error::LightningError;

/// Default deadline of a single unary call.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Default period of the safety-net reconciliation of watched invoices.
pub const DEFAULT_RECONCILE_INTERVAL: Duration = Duration::from_secs(60);

/// Exponential backoff between reconnection attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Delay after the first failure.
    pub initial: Duration,
    /// Largest delay.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(250),
            max: Duration::from_secs(10),
        }
    }
}

impl Backoff {
    /// Delay before retry number `attempt` (0-based): doubles each time, up to `max`.
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(20)).unwrap_or(u32::MAX);
        self.initial.saturating_mul(factor).min(self.max)
    }
}

/// Where LND is and how to authenticate to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LndConfig {
    /// gRPC address, `https://host:port`.
    pub address: String,
    /// The node's `tls.cert`; only this certificate is trusted.
    pub tls_cert_path: PathBuf,
    /// The macaroon file (sent hex-encoded in the `macaroon` header).
    pub macaroon_path: PathBuf,
    /// Deadline of each unary call.
    pub call_timeout: Duration,
    /// Backoff of the invoice stream's reconnection.
    pub backoff: Backoff,
    /// How often watched invoices are looked up as a safety net, in case a
    /// state change was missed (for instance a silently dropped connection).
    pub reconcile_interval: Duration,
}

impl LndConfig {
    /// Settings with the default timeouts.
    pub fn new(
        address: impl Into<String>,
        tls_cert_path: impl Into<PathBuf>,
        macaroon_path: impl Into<PathBuf>,
    ) -> Self {
        Self {
            address: address.into(),
            tls_cert_path: tls_cert_path.into(),
            macaroon_path: macaroon_path.into(),
            call_timeout: DEFAULT_CALL_TIMEOUT,
            backoff: Backoff::default(),
            reconcile_interval: DEFAULT_RECONCILE_INTERVAL,
        }
    }
}

static CRYPTO_PROVIDER: Once = Once::new();

/// Installs rustls' `ring` provider as the process default, once. The LND
/// client's certificate pinning needs a default provider; if another one was
/// installed first it is kept.
pub fn ensure_crypto_provider() {
    CRYPTO_PROVIDER.call_once(|| {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Losing a race with another installer is fine: either provider works.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
    });
}

/// The shared LND client.
///
/// All calls and streams share one HTTP/2 connection (cloning the client
/// clones a handle to the same connection pool); the transport re-dials by
/// itself when the connection breaks. [`Connection::reconnect`] additionally
/// rebuilds the client from the files, which picks up a regenerated TLS
/// certificate or macaroon.
#[derive(Debug)]
pub(crate) struct Connection {
    config: LndConfig,
    client: RwLock<ClientSlot>,
    generation: AtomicU64,
    rebuild: tokio::sync::Mutex<()>,
}

struct ClientSlot(Client);

impl std::fmt::Debug for ClientSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LndClient")
    }
}

async fn build_client(config: &LndConfig) -> Result<Client, LightningError> {
    if !config.address.starts_with("https://") {
        return Err(LightningError::Config {
            what: format!("LND address must start with https://: {}", config.address),
            source: None,
        });
    }
    ensure_crypto_provider();
    fedimint_tonic_lnd::connect(
        config.address.clone(),
        config.tls_cert_path.clone(),
        config.macaroon_path.clone(),
    )
    .await
    .map_err(|e| LightningError::Config {
        what: "cannot load LND credentials".to_owned(),
        source: Some(Box::new(e)),
    })
}

impl Connection {
    /// Loads the credentials and prepares the client (no network traffic yet).
    pub(crate) async fn open(config: LndConfig) -> Result<Self, LightningError> {
        let client = build_client(&config).await?;
        Ok(Self {
            config,
            client: RwLock::new(ClientSlot(client)),
            generation: AtomicU64::new(0),
            rebuild: tokio::sync::Mutex::new(()),
        })
    }

    /// The settings.
    pub(crate) fn config(&self) -> &LndConfig {
        &self.config
    }

    /// A handle to the client and the generation it belongs to.
    pub(crate) fn client(&self) -> (Client, u64) {
        let slot = self.client.read().unwrap_or_else(|p| p.into_inner());
        (slot.0.clone(), self.generation.load(Ordering::Acquire))
    }

    /// Rebuilds the client from the files, unless someone already did since
    /// generation `seen` was handed out.
    pub(crate) async fn reconnect(&self, seen: u64) -> Result<(), LightningError> {
        let _guard = self.rebuild.lock().await;
        if self.generation.load(Ordering::Acquire) != seen {
            return Ok(());
        }
        let client = build_client(&self.config).await?;
        let mut slot = self.client.write().unwrap_or_else(|p| p.into_inner());
        slot.0 = client;
        self.generation.fetch_add(1, Ordering::AcqRel);
        tracing::debug!(address = %self.config.address, "rebuilt LND client");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let b = Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(1),
        };
        assert_eq!(b.delay(0), Duration::from_millis(100));
        assert_eq!(b.delay(1), Duration::from_millis(200));
        assert_eq!(b.delay(3), Duration::from_millis(800));
        assert_eq!(b.delay(4), Duration::from_secs(1));
        assert_eq!(b.delay(u32::MAX), Duration::from_secs(1));
    }

    #[tokio::test]
    async fn rejects_plain_http_address() {
        let config = LndConfig::new("http://127.0.0.1:10009", "/nonexistent", "/nonexistent");
        let err = Connection::open(config).await.unwrap_err();
        assert!(matches!(err, LightningError::Config { .. }), "{err:?}");
    }

    #[tokio::test]
    async fn missing_certificate_is_a_config_error() {
        let config = LndConfig::new(
            "https://127.0.0.1:1",
            "/nonexistent/tls.cert",
            "/nonexistent",
        );
        let err = Connection::open(config).await.unwrap_err();
        assert!(
            matches!(
                err,
                LightningError::Config {
                    source: Some(_),
                    ..
                }
            ),
            "{err:?}"
        );
    }
}
