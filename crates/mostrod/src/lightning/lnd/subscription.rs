//! The invoice event stream: one tracked task that follows every watched
//! invoice over the shared connection.
//!
//! LND's `lnrpc.SubscribeInvoices` only reports added and settled invoices,
//! never the ACCEPTED state of a hold invoice nor cancellations (lnd issues
//! #3120, #4544, #7735). So the task follows each watched invoice with
//! `invoicesrpc.SubscribeSingleInvoice`. All these streams are multiplexed on
//! the one HTTP/2 connection and polled by this one task: no connection and no
//! task per invoice. A stream ends when its invoice reaches a final state.
//!
//! Recovery: when a stream breaks (LND restarted, connection lost) it
//! re-subscribes with exponential backoff; LND answers every new subscription
//! with the invoice's current state first, so each watched invoice is
//! reconciled on reconnection. As a safety net against a silently dead
//! connection, every `reconcile_interval` the task also looks up every
//! watched invoice. Events are only emitted when the state differs from the
//! last one emitted for that invoice.

use std::collections::HashMap;
use std::sync::Arc;

use fedimint_tonic_lnd::invoicesrpc::SubscribeSingleInvoiceRequest;
use fedimint_tonic_lnd::lnrpc::Invoice;
use fedimint_tonic_lnd::tonic::Streaming;
use futures::stream::{BoxStream, SelectAll};
use futures::StreamExt;
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::connect::Connection;
use super::invoices::{lookup, state_of};
use super::status::{is_invoice_not_found, is_transient};
use crate::lightning::error::LightningError;
use crate::lightning::types::{InvoiceEvent, InvoiceState, PaymentHash};

/// Capacity of the broadcast channel of invoice events.
pub(crate) const EVENT_CAPACITY: usize = 1024;

/// From this many failed attempts in a row on, each retry first rebuilds the
/// client from its files (in case LND regenerated its certificate); the
/// generation check keeps concurrent streams from rebuilding it twice.
const REBUILD_AFTER_ATTEMPTS: u32 = 4;

/// A request to the watcher task.
#[derive(Debug)]
pub(crate) enum Command {
    /// Start following an invoice.
    Watch(PaymentHash),
}

/// What one invoice's stream reports.
enum Item {
    /// The invoice is in this state.
    State(InvoiceState),
    /// LND does not know the invoice; the stream ended.
    NotFound,
}

/// Starts the watcher task on `tasks`; it stops when `shutdown` is cancelled
/// or every command sender is dropped.
pub(crate) fn spawn(
    conn: Arc<Connection>,
    events: broadcast::Sender<InvoiceEvent>,
    shutdown: CancellationToken,
    tasks: &TaskTracker,
) -> mpsc::UnboundedSender<Command> {
    let (commands, receiver) = mpsc::unbounded_channel();
    let watcher = Watcher {
        conn,
        events,
        last: HashMap::new(),
        streams: SelectAll::new(),
    };
    tasks.spawn(watcher.run(receiver, shutdown));
    commands
}

struct Watcher {
    conn: Arc<Connection>,
    events: broadcast::Sender<InvoiceEvent>,
    /// Watched invoices with a live stream, and the last state emitted.
    last: HashMap<PaymentHash, Option<InvoiceState>>,
    streams: SelectAll<BoxStream<'static, (PaymentHash, Item)>>,
}

impl Watcher {
    async fn run(
        mut self,
        mut commands: mpsc::UnboundedReceiver<Command>,
        shutdown: CancellationToken,
    ) {
        let period = self.conn.config().reconcile_interval;
        let mut reconcile = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        reconcile.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                command = commands.recv() => match command {
                    Some(Command::Watch(hash)) => self.watch(hash),
                    None => break,
                },
                Some((hash, item)) = self.streams.next(), if !self.streams.is_empty() => {
                    self.on_item(hash, item);
                }
                _ = reconcile.tick() => self.reconcile().await,
            }
        }
        tracing::debug!("invoice watcher stopped");
    }

    fn watch(&mut self, hash: PaymentHash) {
        if self.last.contains_key(&hash) {
            return;
        }
        tracing::debug!(payment_hash = %hash, "watching invoice");
        self.last.insert(hash, None);
        self.streams
            .push(invoice_stream(Arc::clone(&self.conn), hash).boxed());
    }

    fn on_item(&mut self, hash: PaymentHash, item: Item) {
        match item {
            Item::State(state) => self.emit(hash, state),
            Item::NotFound => {
                tracing::warn!(payment_hash = %hash, "watched invoice unknown to LND");
                self.last.remove(&hash);
            }
        }
    }

    fn emit(&mut self, hash: PaymentHash, state: InvoiceState) {
        let Some(last) = self.last.get_mut(&hash) else {
            return;
        };
        if last.as_ref() == Some(&state) {
            return;
        }
        let is_final = state.is_final();
        *last = Some(state.clone());
        if is_final {
            // Its stream ends by itself after a final state.
            self.last.remove(&hash);
        }
        tracing::debug!(payment_hash = %hash, state = ?state, "invoice state changed");
        // No receiver is not an error: nobody is listening right now.
        let _ = self.events.send(InvoiceEvent { hash, state });
    }

    async fn reconcile(&mut self) {
        let hashes: Vec<PaymentHash> = self.last.keys().copied().collect();
        for hash in hashes {
            match lookup(&self.conn, hash).await {
                Ok(snapshot) => self.emit(hash, snapshot.state),
                Err(LightningError::InvoiceNotFound { .. }) => {
                    tracing::warn!(payment_hash = %hash, "watched invoice unknown to LND");
                }
                Err(error) => {
                    tracing::debug!(%error, "invoice reconciliation skipped");
                    return;
                }
            }
        }
    }
}

/// Where one invoice's stream is.
enum Phase {
    Connect { attempt: u32 },
    Streaming(Box<Streaming<Invoice>>),
    Done,
}

/// Follows one invoice: subscribes, forwards each state, re-subscribes with
/// backoff when the stream breaks, ends after a final state.
fn invoice_stream(
    conn: Arc<Connection>,
    hash: PaymentHash,
) -> impl futures::Stream<Item = (PaymentHash, Item)> + Send + 'static {
    futures::stream::unfold(Phase::Connect { attempt: 0 }, move |mut phase| {
        let conn = Arc::clone(&conn);
        async move {
            loop {
                phase = match phase {
                    Phase::Done => return None,
                    Phase::Connect { attempt } => match subscribe(&conn, hash, attempt).await {
                        Ok(stream) => Phase::Streaming(Box::new(stream)),
                        Err(Some(item)) => return Some(((hash, item), Phase::Done)),
                        Err(None) => Phase::Connect {
                            attempt: attempt.saturating_add(1),
                        },
                    },
                    Phase::Streaming(mut stream) => match stream.message().await {
                        Ok(Some(invoice)) => match state_of("subscribe_invoice", &invoice) {
                            Ok(state) => {
                                let next = if state.is_final() {
                                    Phase::Done
                                } else {
                                    Phase::Streaming(stream)
                                };
                                return Some(((hash, Item::State(state)), next));
                            }
                            Err(error) => {
                                tracing::warn!(%error, payment_hash = %hash, "bad invoice update");
                                Phase::Streaming(stream)
                            }
                        },
                        Ok(None) => {
                            tracing::debug!(payment_hash = %hash, "invoice stream closed; resubscribing");
                            Phase::Connect { attempt: 1 }
                        }
                        Err(status) => {
                            tracing::debug!(payment_hash = %hash, code = ?status.code(), "invoice stream broke; resubscribing");
                            Phase::Connect { attempt: 1 }
                        }
                    },
                };
            }
        }
    })
}

/// One subscription attempt, after the backoff delay for `attempt`.
/// `Err(None)`: retry; `Err(Some(item))`: report and stop.
async fn subscribe(
    conn: &Connection,
    hash: PaymentHash,
    attempt: u32,
) -> Result<Streaming<Invoice>, Option<Item>> {
    let config = conn.config();
    if attempt > 0 {
        tokio::time::sleep(config.backoff.delay(attempt - 1)).await;
    }
    let (mut client, generation) = conn.client();
    if attempt >= REBUILD_AFTER_ATTEMPTS {
        if let Err(error) = conn.reconnect(generation).await {
            tracing::warn!(%error, "cannot rebuild the LND client");
        }
        (client, _) = conn.client();
    }
    let request = SubscribeSingleInvoiceRequest {
        r_hash: hash.0.to_vec(),
    };
    let opened = tokio::time::timeout(
        config.call_timeout,
        client.invoices().subscribe_single_invoice(request),
    )
    .await;
    match opened {
        Ok(Ok(response)) => Ok(response.into_inner()),
        Ok(Err(status)) if is_invoice_not_found(&status) => Err(Some(Item::NotFound)),
        Ok(Err(status)) => {
            if is_transient(&status) {
                tracing::debug!(payment_hash = %hash, attempt, "LND unreachable; will retry");
            } else {
                tracing::warn!(payment_hash = %hash, attempt, code = ?status.code(), message = status.message(), "invoice subscription refused; will retry");
            }
            Err(None)
        }
        Err(_) => {
            tracing::debug!(payment_hash = %hash, attempt, "invoice subscription timed out; will retry");
            Err(None)
        }
    }
}
