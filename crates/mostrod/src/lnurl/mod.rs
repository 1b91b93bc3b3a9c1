//! Lightning address (LUD-16) and LNURL-pay (LUD-01, LUD-06) payout destinations,
//! resolved safely (PROTOCOL.md §5.5, §5.7).
//!
//! A buyer may name a Lightning address or an LNURL instead of an invoice. At order
//! creation / `add-invoice` the daemon checks it resolves
//! ([`LnurlResolver::check_reachable`]); at payout it asks the service for an invoice
//! of exactly `amount − fee` ([`LnurlResolver::resolve_payout`]).
//!
//! These requests go to addresses chosen by strangers, so [`policy`] applies: `https`
//! only, no private, loopback, link-local or otherwise reserved targets, one DNS
//! resolution per request whose vetted addresses the connection is pinned to, no
//! redirects, short timeouts and a body cap. [`LnurlOptions::allow_insecure_localhost`]
//! admits `127.0.0.1` for tests only.

pub mod error;
mod fetch;
pub mod options;
pub mod pay;
pub mod policy;
pub mod resolver;
pub mod target;

pub use error::LnurlError;
pub use options::LnurlOptions;
pub use pay::{verify_invoice, PayParams};
pub use policy::{classify, ForbiddenRange};
pub use resolver::LnurlResolver;
pub use target::{endpoint_url, is_lnurl_destination};
