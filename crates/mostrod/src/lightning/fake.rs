//! A scriptable in-memory [`Lightning`] for engine and runtime tests.
//!
//! It follows LND's rules for hold invoices (settle needs ACCEPTED, a settled
//! invoice cannot be cancelled, settle and cancel are idempotent) and lets a
//! test play the seller ([`FakeLightning::accept_payment`]), script payout
//! outcomes ([`FakeLightning::script_payment`]) and inject failures
//! ([`FakeLightning::fail_next`]).

use std::collections::{HashMap, HashSet, VecDeque};
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::future::BoxFuture;
use futures::FutureExt;
use lightning_invoice::Bolt11Invoice;
use tokio::sync::broadcast;

use super::balance::{ChannelSummary, NodeBalance};
use super::error::LightningError;
use super::port::{Lightning, LnResult};
use super::types::{
    ChainInfo, HoldInvoice, HoldInvoiceRequest, InvoiceEvent, InvoiceSnapshot, InvoiceState,
    NodeInfo, PayRequest, PaymentHash, PaymentOutcome, Preimage,
};

/// The operations a failure can be injected into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FakeOp {
    /// `create_hold_invoice`.
    CreateHoldInvoice,
    /// `settle_hold_invoice`.
    Settle,
    /// `cancel_hold_invoice`.
    Cancel,
    /// `lookup_invoice`.
    Lookup,
    /// `pay_invoice`.
    Pay,
    /// `track_payment`.
    Track,
    /// `chain_height` and `node_info`.
    NodeInfo,
}

/// The kind of failure to inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FakeFailure {
    /// As if the node were unreachable.
    Unavailable,
    /// As if the node did not answer in time.
    Timeout,
    /// As if the node refused the request.
    Rejected,
}

impl FakeFailure {
    fn into_error(self, operation: &'static str) -> LightningError {
        match self {
            Self::Unavailable => LightningError::Unavailable {
                operation,
                source: "injected: node unreachable".into(),
            },
            Self::Timeout => LightningError::Timeout {
                operation,
                after: Duration::from_secs(30),
            },
            Self::Rejected => LightningError::Rejected {
                operation,
                source: "injected: request refused".into(),
            },
        }
    }
}

#[derive(Debug)]
struct FakeInvoice {
    request: HoldInvoiceRequest,
    state: InvoiceState,
}

#[derive(Debug)]
struct State {
    invoices: HashMap<PaymentHash, FakeInvoice>,
    watched: HashSet<PaymentHash>,
    failures: HashMap<FakeOp, VecDeque<FakeFailure>>,
    payment_script: VecDeque<PaymentOutcome>,
    payments: HashMap<PaymentHash, PaymentOutcome>,
    pay_requests: Vec<PayRequest>,
    node: NodeInfo,
    balance: NodeBalance,
    channels: Vec<ChannelSummary>,
}

/// The fake backend. Clones share their state.
#[derive(Debug, Clone)]
pub struct FakeLightning {
    state: Arc<Mutex<State>>,
    events: broadcast::Sender<InvoiceEvent>,
}

impl Default for FakeLightning {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeLightning {
    /// An empty regtest node at height 100 whose payments succeed by default.
    pub fn new() -> Self {
        let node = NodeInfo {
            pubkey: "02".to_owned() + &"11".repeat(32),
            alias: "fake-lnd".to_owned(),
            version: "0.0.0-fake".to_owned(),
            commit_hash: String::new(),
            chains: vec![ChainInfo {
                chain: "bitcoin".to_owned(),
                network: "regtest".to_owned(),
            }],
            uris: Vec::new(),
            synced_to_chain: true,
            synced_to_graph: true,
            block_height: 100,
        };
        let (events, _) = broadcast::channel(1024);
        Self {
            state: Arc::new(Mutex::new(State {
                invoices: HashMap::new(),
                watched: HashSet::new(),
                failures: HashMap::new(),
                payment_script: VecDeque::new(),
                payments: HashMap::new(),
                pay_requests: Vec::new(),
                node,
                balance: NodeBalance::default(),
                channels: Vec::new(),
            })),
            events,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Makes the next call of `op` fail with `failure` (queued, one per call).
    pub fn fail_next(&self, op: FakeOp, failure: FakeFailure) {
        self.lock()
            .failures
            .entry(op)
            .or_default()
            .push_back(failure);
    }

    /// Queues the outcome of the next new payment. Without a script,
    /// payments succeed with a zero fee.
    pub fn script_payment(&self, outcome: PaymentOutcome) {
        self.lock().payment_script.push_back(outcome);
    }

    /// Sets the final outcome of a payment reported as in flight.
    pub fn complete_payment(&self, hash: PaymentHash, outcome: PaymentOutcome) {
        self.lock().payments.insert(hash, outcome);
    }

    /// Every payment request received, in order (including repeats).
    pub fn pay_requests(&self) -> Vec<PayRequest> {
        self.lock().pay_requests.clone()
    }

    /// Sets what [`Lightning::balance`] answers (zero by default).
    pub fn set_balance(&self, balance: NodeBalance) {
        self.lock().balance = balance;
    }

    /// Sets what [`Lightning::channels`] answers (none by default).
    pub fn set_channels(&self, channels: Vec<ChannelSummary>) {
        self.lock().channels = channels;
    }

    /// Sets the chain height.
    pub fn set_chain_height(&self, height: u32) {
        self.lock().node.block_height = height;
    }

    /// The current state of an invoice, if it exists.
    pub fn invoice_state(&self, hash: PaymentHash) -> Option<InvoiceState> {
        self.lock().invoices.get(&hash).map(|i| i.state.clone())
    }

    /// Plays the seller paying an open hold invoice: its HTLC is accepted and
    /// expires `request.cltv_delta` blocks above the current height.
    pub fn accept_payment(&self, hash: PaymentHash) -> LnResult<()> {
        let mut state = self.lock();
        let height = state.node.block_height;
        let invoice = state
            .invoices
            .get_mut(&hash)
            .ok_or(LightningError::InvoiceNotFound { hash })?;
        if invoice.state != InvoiceState::Open {
            return Err(FakeFailure::Rejected.into_error("accept_payment"));
        }
        invoice.state = InvoiceState::Accepted {
            htlc_expiry_heights: vec![height.saturating_add(invoice.request.cltv_delta)],
        };
        let new_state = invoice.state.clone();
        self.notify(&state, hash, new_state);
        Ok(())
    }

    fn notify(&self, state: &State, hash: PaymentHash, new_state: InvoiceState) {
        if state.watched.contains(&hash) {
            let _ = self.events.send(InvoiceEvent {
                hash,
                state: new_state,
            });
        }
    }

    fn injected(&self, op: FakeOp, operation: &'static str) -> LnResult<()> {
        match self
            .lock()
            .failures
            .get_mut(&op)
            .and_then(VecDeque::pop_front)
        {
            Some(failure) => Err(failure.into_error(operation)),
            None => Ok(()),
        }
    }

    fn set_state(&self, hash: PaymentHash, op: &'static str, settle: bool) -> LnResult<()> {
        let mut state = self.lock();
        let invoice = state
            .invoices
            .get_mut(&hash)
            .ok_or(LightningError::InvoiceNotFound { hash })?;
        let target = if settle {
            InvoiceState::Settled
        } else {
            InvoiceState::Canceled
        };
        let allowed = match (&invoice.state, settle) {
            (current, _) if *current == target => return Ok(()),
            (InvoiceState::Accepted { .. }, _) => true,
            (InvoiceState::Open, false) => true,
            _ => false,
        };
        if !allowed {
            return Err(FakeFailure::Rejected.into_error(op));
        }
        invoice.state = target.clone();
        self.notify(&state, hash, target);
        Ok(())
    }

    fn pay_now(&self, request: PayRequest) -> LnResult<PaymentOutcome> {
        let invoice = Bolt11Invoice::from_str(&request.payment_request).map_err(|e| {
            LightningError::Rejected {
                operation: "pay_invoice",
                source: e.to_string().into(),
            }
        })?;
        let hash = PaymentHash::from_slice(invoice.payment_hash().as_ref()).map_err(|_| {
            LightningError::Protocol {
                operation: "pay_invoice",
                detail: "invoice without payment hash".to_owned(),
            }
        })?;
        let mut state = self.lock();
        state.pay_requests.push(request);
        // Like LND: a hash that succeeded or is in flight is never paid again.
        if let Some(previous @ (PaymentOutcome::Succeeded { .. } | PaymentOutcome::InFlight)) =
            state.payments.get(&hash)
        {
            return Ok(previous.clone());
        }
        let outcome =
            state
                .payment_script
                .pop_front()
                .unwrap_or_else(|| PaymentOutcome::Succeeded {
                    preimage: Preimage::random(),
                    fee_msat: 0,
                });
        state.payments.insert(hash, outcome.clone());
        Ok(outcome)
    }
}

impl Lightning for FakeLightning {
    fn create_hold_invoice(
        &self,
        request: HoldInvoiceRequest,
    ) -> BoxFuture<'_, LnResult<HoldInvoice>> {
        async move {
            self.injected(FakeOp::CreateHoldInvoice, "create_hold_invoice")?;
            let hash = request.hash;
            let mut state = self.lock();
            if state.invoices.contains_key(&hash) {
                return Err(LightningError::InvoiceExists { hash });
            }
            let payment_request = format!("lnbcrt{}fake{}", request.amount_sat, hash.to_hex());
            state.invoices.insert(
                hash,
                FakeInvoice {
                    request,
                    state: InvoiceState::Open,
                },
            );
            state.watched.insert(hash);
            self.notify(&state, hash, InvoiceState::Open);
            Ok(HoldInvoice {
                hash,
                payment_request,
            })
        }
        .boxed()
    }

    fn settle_hold_invoice(&self, preimage: Preimage) -> BoxFuture<'_, LnResult<()>> {
        async move {
            self.injected(FakeOp::Settle, "settle_hold_invoice")?;
            self.set_state(preimage.payment_hash(), "settle_hold_invoice", true)
        }
        .boxed()
    }

    fn cancel_hold_invoice(&self, hash: PaymentHash) -> BoxFuture<'_, LnResult<()>> {
        async move {
            self.injected(FakeOp::Cancel, "cancel_hold_invoice")?;
            self.set_state(hash, "cancel_hold_invoice", false)
        }
        .boxed()
    }

    fn lookup_invoice(&self, hash: PaymentHash) -> BoxFuture<'_, LnResult<InvoiceSnapshot>> {
        async move {
            self.injected(FakeOp::Lookup, "lookup_invoice")?;
            let state = self.lock();
            let invoice = state
                .invoices
                .get(&hash)
                .ok_or(LightningError::InvoiceNotFound { hash })?;
            let paid = match invoice.state {
                InvoiceState::Accepted { .. } | InvoiceState::Settled => {
                    invoice.request.amount_sat.saturating_mul(1000)
                }
                _ => 0,
            };
            Ok(InvoiceSnapshot {
                hash,
                state: invoice.state.clone(),
                amount_sat: invoice.request.amount_sat,
                amount_paid_msat: paid,
                cltv_expiry: u64::from(invoice.request.cltv_delta),
            })
        }
        .boxed()
    }

    fn watch_invoice(&self, hash: PaymentHash) {
        let mut state = self.lock();
        state.watched.insert(hash);
        if let Some(current) = state.invoices.get(&hash).map(|i| i.state.clone()) {
            self.notify(&state, hash, current);
        }
    }

    fn invoice_events(&self) -> broadcast::Receiver<InvoiceEvent> {
        self.events.subscribe()
    }

    fn pay_invoice(&self, request: PayRequest) -> BoxFuture<'_, LnResult<PaymentOutcome>> {
        async move {
            self.injected(FakeOp::Pay, "pay_invoice")?;
            self.pay_now(request)
        }
        .boxed()
    }

    fn track_payment(&self, hash: PaymentHash) -> BoxFuture<'_, LnResult<Option<PaymentOutcome>>> {
        async move {
            self.injected(FakeOp::Track, "track_payment")?;
            Ok(self.lock().payments.get(&hash).cloned())
        }
        .boxed()
    }

    fn chain_height(&self) -> BoxFuture<'_, LnResult<u32>> {
        async move {
            self.injected(FakeOp::NodeInfo, "chain_height")?;
            Ok(self.lock().node.block_height)
        }
        .boxed()
    }

    fn node_info(&self) -> BoxFuture<'_, LnResult<NodeInfo>> {
        async move {
            self.injected(FakeOp::NodeInfo, "node_info")?;
            Ok(self.lock().node.clone())
        }
        .boxed()
    }

    fn balance(&self) -> BoxFuture<'_, LnResult<NodeBalance>> {
        async move {
            self.injected(FakeOp::NodeInfo, "balance")?;
            Ok(self.lock().balance)
        }
        .boxed()
    }

    fn channels(&self) -> BoxFuture<'_, LnResult<Vec<ChannelSummary>>> {
        async move {
            self.injected(FakeOp::NodeInfo, "channels")?;
            Ok(self.lock().channels.clone())
        }
        .boxed()
    }
}

#[cfg(test)]
#[path = "fake_tests.rs"]
mod tests;
