//! The Lightning port and its implementations.
//!
//! [`Lightning`] is the narrow trait the daemon talks to, in domain types
//! only. [`lnd::LndLightning`] implements it over LND's gRPC API;
//! [`fake::FakeLightning`] is a scriptable stand-in for tests. Payout-invoice
//! checks and the routing-fee cap live beside it because they encode
//! Lightning rules, not trade rules.

pub mod balance;
pub mod error;
pub mod fake;
pub mod invoice_validation;
pub mod lnd;
pub mod port;
pub mod routing_fee;
pub mod types;

#[cfg(test)]
mod test_support;

pub use balance::{ChannelSummary, NodeBalance};
pub use error::{BackendError, LightningError};
pub use invoice_validation::{
    validate_payout_invoice, InvoiceRejection, InvoiceRules, ValidatedInvoice,
};
pub use port::{DynLightning, Lightning, LnResult};
pub use routing_fee::max_routing_fee_sat;
pub use types::{
    ChainInfo, HoldInvoice, HoldInvoiceRequest, InvoiceEvent, InvoiceSnapshot, InvoiceState,
    Network, NodeInfo, PayRequest, PaymentFailure, PaymentHash, PaymentOutcome, Preimage,
};
