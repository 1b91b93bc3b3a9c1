//! The `Lightning` port: everything the daemon needs from a Lightning node.

use std::fmt::Debug;
use std::sync::Arc;

use futures::future::BoxFuture;
use tokio::sync::broadcast;

use super::balance::{ChannelSummary, NodeBalance};
use super::error::LightningError;
use super::types::{
    HoldInvoice, HoldInvoiceRequest, InvoiceEvent, InvoiceSnapshot, NodeInfo, PayRequest,
    PaymentHash, PaymentOutcome, Preimage,
};

/// Result of a Lightning call.
pub type LnResult<T> = Result<T, LightningError>;

/// A shared, dynamically dispatched Lightning backend.
pub type DynLightning = Arc<dyn Lightning>;

/// The daemon's view of its Lightning node.
///
/// Methods return boxed futures so the trait stays usable as `dyn Lightning`.
/// Implementations: the LND backend ([`super::lnd::LndLightning`]) and a
/// scriptable fake for tests ([`super::fake::FakeLightning`]).
///
/// # Invoice events
///
/// [`Lightning::invoice_events`] hands out receivers of one shared stream of
/// state changes for the *watched* invoices. Invoices created through
/// [`Lightning::create_hold_invoice`] are watched automatically; after a
/// restart the daemon calls [`Lightning::watch_invoice`] for every hold
/// invoice it still cares about, and the current state of each is reported.
/// The stream survives node restarts: on reconnection the current state of
/// every watched invoice is reported again, so consumers must treat events as
/// idempotent. A receiver that lags (`RecvError::Lagged`) must reconcile with
/// [`Lightning::lookup_invoice`].
pub trait Lightning: Send + Sync + Debug {
    /// Creates a hold invoice for `request.hash` and starts watching it.
    fn create_hold_invoice(
        &self,
        request: HoldInvoiceRequest,
    ) -> BoxFuture<'_, LnResult<HoldInvoice>>;

    /// Settles an accepted hold invoice with its preimage (escrow released to
    /// the node). Settling an already settled invoice succeeds.
    fn settle_hold_invoice(&self, preimage: Preimage) -> BoxFuture<'_, LnResult<()>>;

    /// Cancels a hold invoice, failing back any accepted HTLCs. Cancelling an
    /// already cancelled invoice succeeds; a settled one is refused.
    fn cancel_hold_invoice(&self, hash: PaymentHash) -> BoxFuture<'_, LnResult<()>>;

    /// The invoice's true current state, with its accepted HTLCs' expiries.
    /// Unknown invoices give [`LightningError::InvoiceNotFound`].
    fn lookup_invoice(&self, hash: PaymentHash) -> BoxFuture<'_, LnResult<InvoiceSnapshot>>;

    /// Adds an invoice to the watched set; its current state is reported on
    /// the event stream shortly after. Watching a watched invoice is harmless.
    fn watch_invoice(&self, hash: PaymentHash);

    /// A new receiver of the shared invoice event stream.
    fn invoice_events(&self) -> broadcast::Receiver<InvoiceEvent>;

    /// Pays a BOLT 11 invoice within the fee limit.
    ///
    /// `Ok(InFlight)` means the final answer did not arrive in time. An `Err`
    /// means the payment may or may not have started: call
    /// [`Lightning::track_payment`] before trying again.
    fn pay_invoice(&self, request: PayRequest) -> BoxFuture<'_, LnResult<PaymentOutcome>>;

    /// The current state of an outgoing payment, or `None` when the node never
    /// started a payment with this hash (so paying it now cannot pay twice).
    fn track_payment(&self, hash: PaymentHash) -> BoxFuture<'_, LnResult<Option<PaymentOutcome>>>;

    /// The best block height the node knows.
    fn chain_height(&self) -> BoxFuture<'_, LnResult<u32>>;

    /// Identity, version and sync status of the node.
    fn node_info(&self) -> BoxFuture<'_, LnResult<NodeInfo>>;

    /// On-chain and channel balances (operator information only). Backends that
    /// cannot tell answer [`LightningError::InvalidRequest`].
    fn balance(&self) -> BoxFuture<'_, LnResult<NodeBalance>> {
        Box::pin(async {
            Err(LightningError::InvalidRequest {
                operation: "balance",
                detail: "not supported by this backend".to_owned(),
            })
        })
    }

    /// The node's open channels (operator information only). Backends that cannot
    /// tell answer [`LightningError::InvalidRequest`].
    fn channels(&self) -> BoxFuture<'_, LnResult<Vec<ChannelSummary>>> {
        Box::pin(async {
            Err(LightningError::InvalidRequest {
                operation: "channels",
                detail: "not supported by this backend".to_owned(),
            })
        })
    }
}
