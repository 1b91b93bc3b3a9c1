//! A `Lightning` wrapper around [`FakeLightning`] that misbehaves on purpose for hold
//! invoices of chosen amounts: it waits for a gate, panics or never answers. Every
//! other call goes straight to the fake.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::future::{BoxFuture, FutureExt};
use mostrod::lightning::fake::FakeLightning;
use mostrod::lightning::{
    HoldInvoice, HoldInvoiceRequest, InvoiceEvent, InvoiceSnapshot, Lightning, LnResult, NodeInfo,
    PayRequest, PaymentHash, PaymentOutcome, Preimage,
};
use tokio::sync::{broadcast, watch};

/// What `create_hold_invoice` does for one amount.
#[derive(Debug, Clone)]
enum Rule {
    /// Waits until the gate opens, then answers normally.
    Gate(watch::Receiver<bool>),
    /// Panics (a bug in a handler).
    Panic,
    /// Never answers (a node that hangs).
    Hang,
}

/// Opens one gate set with [`GatedLightning::gate`].
#[derive(Debug)]
pub struct Gate(watch::Sender<bool>);

impl Gate {
    /// Lets the waiting call (and any later one) through.
    pub fn open(&self) {
        self.0.send_replace(true);
    }
}

/// The misbehaving node. Clones share everything.
#[derive(Debug, Clone)]
pub struct GatedLightning {
    fake: FakeLightning,
    rules: Arc<Mutex<HashMap<u64, Rule>>>,
    entered: Arc<Mutex<Vec<u64>>>,
}

impl GatedLightning {
    /// Wraps `fake`; no rule yet.
    pub fn new(fake: FakeLightning) -> Self {
        Self {
            fake,
            rules: Arc::default(),
            entered: Arc::default(),
        }
    }

    /// Hold invoices of `amount_sat` wait for the returned gate.
    pub fn gate(&self, amount_sat: u64) -> Gate {
        let (open, wait) = watch::channel(false);
        self.rules
            .lock()
            .unwrap()
            .insert(amount_sat, Rule::Gate(wait));
        Gate(open)
    }

    /// Hold invoices of `amount_sat` panic.
    pub fn panic_on(&self, amount_sat: u64) {
        self.rules.lock().unwrap().insert(amount_sat, Rule::Panic);
    }

    /// Hold invoices of `amount_sat` never answer.
    pub fn hang_on(&self, amount_sat: u64) {
        self.rules.lock().unwrap().insert(amount_sat, Rule::Hang);
    }

    /// Amounts of every `create_hold_invoice` call received so far, in order.
    pub fn entered(&self) -> Vec<u64> {
        self.entered.lock().unwrap().clone()
    }
}

impl Lightning for GatedLightning {
    fn create_hold_invoice(
        &self,
        request: HoldInvoiceRequest,
    ) -> BoxFuture<'_, LnResult<HoldInvoice>> {
        let amount = request.amount_sat;
        self.entered.lock().unwrap().push(amount);
        let rule = self.rules.lock().unwrap().get(&amount).cloned();
        async move {
            match rule {
                Some(Rule::Gate(mut wait)) => {
                    // An error means the gate was dropped: let the call through.
                    let _ = wait.wait_for(|open| *open).await;
                }
                Some(Rule::Panic) => panic!("injected panic creating a hold invoice of {amount}"),
                Some(Rule::Hang) => std::future::pending::<()>().await,
                None => {}
            }
            self.fake.create_hold_invoice(request).await
        }
        .boxed()
    }

    fn settle_hold_invoice(&self, preimage: Preimage) -> BoxFuture<'_, LnResult<()>> {
        self.fake.settle_hold_invoice(preimage)
    }

    fn cancel_hold_invoice(&self, hash: PaymentHash) -> BoxFuture<'_, LnResult<()>> {
        self.fake.cancel_hold_invoice(hash)
    }

    fn lookup_invoice(&self, hash: PaymentHash) -> BoxFuture<'_, LnResult<InvoiceSnapshot>> {
        self.fake.lookup_invoice(hash)
    }

    fn watch_invoice(&self, hash: PaymentHash) {
        self.fake.watch_invoice(hash);
    }

    fn invoice_events(&self) -> broadcast::Receiver<InvoiceEvent> {
        self.fake.invoice_events()
    }

    fn pay_invoice(&self, request: PayRequest) -> BoxFuture<'_, LnResult<PaymentOutcome>> {
        self.fake.pay_invoice(request)
    }

    fn track_payment(&self, hash: PaymentHash) -> BoxFuture<'_, LnResult<Option<PaymentOutcome>>> {
        self.fake.track_payment(hash)
    }

    fn chain_height(&self) -> BoxFuture<'_, LnResult<u32>> {
        self.fake.chain_height()
    }

    fn node_info(&self) -> BoxFuture<'_, LnResult<NodeInfo>> {
        self.fake.node_info()
    }
}
