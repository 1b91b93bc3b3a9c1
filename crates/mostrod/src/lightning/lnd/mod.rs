//! The [`Lightning`] port over LND's gRPC API.
//!
//! One connection ([`connect`]) is shared by every call and stream; each
//! unary call has a deadline; LND's errors are mapped once ([`status`]); the
//! invoice event stream is one tracked task ([`subscription`]).

pub mod connect;
mod invoices;
mod node;
mod payments;
mod status;
mod subscription;
mod wallet;

use std::sync::Arc;

use futures::future::BoxFuture;
use futures::FutureExt;
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use connect::{ensure_crypto_provider, Backoff, LndConfig};

use self::connect::Connection;
use self::subscription::Command;
use super::balance::{ChannelSummary, NodeBalance};
use super::port::{Lightning, LnResult};
use super::types::{
    HoldInvoice, HoldInvoiceRequest, InvoiceEvent, InvoiceSnapshot, NodeInfo, PayRequest,
    PaymentHash, PaymentOutcome, Preimage,
};

/// The LND backend. Cheap to clone; clones share the connection and the
/// invoice watcher.
#[derive(Debug, Clone)]
pub struct LndLightning {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    conn: Arc<Connection>,
    events: broadcast::Sender<InvoiceEvent>,
    commands: mpsc::UnboundedSender<Command>,
}

impl LndLightning {
    /// Loads the credentials, checks that LND answers (`GetInfo`), and starts
    /// the invoice watcher on `tasks`. The watcher stops when `shutdown` is
    /// cancelled or the last clone is dropped.
    #[tracing::instrument(skip_all, fields(address = %config.address))]
    pub async fn connect(
        config: LndConfig,
        shutdown: CancellationToken,
        tasks: &TaskTracker,
    ) -> LnResult<Self> {
        let conn = Arc::new(Connection::open(config).await?);
        let info = node::get_info(&conn).await?;
        tracing::info!(
            pubkey = %info.pubkey,
            alias = %info.alias,
            version = %info.version,
            network = ?info.network(),
            "connected to LND"
        );
        let (events, _) = broadcast::channel(subscription::EVENT_CAPACITY);
        let commands = subscription::spawn(Arc::clone(&conn), events.clone(), shutdown, tasks);
        Ok(Self {
            inner: Arc::new(Inner {
                conn,
                events,
                commands,
            }),
        })
    }

    fn conn(&self) -> &Connection {
        &self.inner.conn
    }
}

impl Lightning for LndLightning {
    fn create_hold_invoice(
        &self,
        request: HoldInvoiceRequest,
    ) -> BoxFuture<'_, LnResult<HoldInvoice>> {
        async move {
            let invoice = invoices::add_hold_invoice(self.conn(), &request).await?;
            tracing::debug!(payment_hash = %invoice.hash, amount_sat = request.amount_sat, "hold invoice created");
            self.watch_invoice(invoice.hash);
            Ok(invoice)
        }
        .boxed()
    }

    fn settle_hold_invoice(&self, preimage: Preimage) -> BoxFuture<'_, LnResult<()>> {
        async move {
            invoices::settle(self.conn(), &preimage).await?;
            tracing::debug!(payment_hash = %preimage.payment_hash(), "hold invoice settled");
            Ok(())
        }
        .boxed()
    }

    fn cancel_hold_invoice(&self, hash: PaymentHash) -> BoxFuture<'_, LnResult<()>> {
        async move {
            invoices::cancel(self.conn(), hash).await?;
            tracing::debug!(payment_hash = %hash, "hold invoice cancelled");
            Ok(())
        }
        .boxed()
    }

    fn lookup_invoice(&self, hash: PaymentHash) -> BoxFuture<'_, LnResult<InvoiceSnapshot>> {
        invoices::lookup(self.conn(), hash).boxed()
    }

    fn watch_invoice(&self, hash: PaymentHash) {
        if self.inner.commands.send(Command::Watch(hash)).is_err() {
            tracing::warn!(payment_hash = %hash, "invoice watcher is stopped; cannot watch");
        }
    }

    fn invoice_events(&self) -> broadcast::Receiver<InvoiceEvent> {
        self.inner.events.subscribe()
    }

    fn pay_invoice(&self, request: PayRequest) -> BoxFuture<'_, LnResult<PaymentOutcome>> {
        async move {
            let outcome = payments::pay(self.conn(), &request).await?;
            tracing::debug!(outcome = ?outcome_kind(&outcome), "payment finished");
            Ok(outcome)
        }
        .boxed()
    }

    fn track_payment(&self, hash: PaymentHash) -> BoxFuture<'_, LnResult<Option<PaymentOutcome>>> {
        payments::track(self.conn(), hash).boxed()
    }

    fn chain_height(&self) -> BoxFuture<'_, LnResult<u32>> {
        async move { Ok(node::get_info(self.conn()).await?.block_height) }.boxed()
    }

    fn node_info(&self) -> BoxFuture<'_, LnResult<NodeInfo>> {
        node::get_info(self.conn()).boxed()
    }

    fn balance(&self) -> BoxFuture<'_, LnResult<NodeBalance>> {
        wallet::balance(self.conn()).boxed()
    }

    fn channels(&self) -> BoxFuture<'_, LnResult<Vec<ChannelSummary>>> {
        wallet::channels(self.conn()).boxed()
    }
}

/// The outcome without its preimage, for logs.
fn outcome_kind(outcome: &PaymentOutcome) -> &'static str {
    match outcome {
        PaymentOutcome::Succeeded { .. } => "succeeded",
        PaymentOutcome::Failed { .. } => "failed",
        PaymentOutcome::InFlight => "in_flight",
    }
}
