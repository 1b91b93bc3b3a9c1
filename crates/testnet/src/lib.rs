//! Test support: a regtest Lightning network (btcd + three LND nodes).
//!
//! The network has the nodes `mostro`, `seller` and `buyer`, funded on-chain, with
//! active channels seller → mostro and mostro → buyer (so the seller can pay
//! mostro's hold invoices and mostro can pay the buyer). The `regtest` binary
//! builds the Go binaries and starts/stops a network for the sandbox; tests use
//! [`shared_network`] (one network per test binary, torn down at exit) or attach
//! to a running one through `MOSTRO_TESTNET_DIR`. See `docs/testnet.md`.
//!
//! End-to-end tests also get a local relay on a thread of its own
//! ([`RelayThread`]) and `mostrod` as a process on the network's `mostro` node
//! ([`MostrodProcess`]).
//!
//! ```no_run
//! # async fn example() -> testnet::Result<()> {
//! let net = testnet::shared_network().await?;
//! let _guard = net.shared().await;
//! let invoice = net.buyer().create_invoice(1_000, "test").await?;
//! let outcome = net.seller().pay_invoice(&invoice.payment_request).await?;
//! assert!(outcome.is_success());
//! # Ok(()) }
//! ```

pub mod binaries;
pub mod btcd;
mod cli;
pub mod description;
pub mod error;
pub mod mostrod;
pub mod network;
pub mod node;
pub mod node_ops;
pub mod payment;
pub mod ports;
pub mod process;
mod progress;
pub mod records;
pub mod relay_thread;
mod setup;
pub mod shared;

pub use binaries::{cache_root, Binaries, BTCD_VERSION, LND_VERSION};
pub use description::{BtcdInfo, NetworkDescription, NodeInfo, NodeName};
pub use error::{Result, TestnetError};
pub use mostrod::{MostrodProcess, Tuning};
pub use network::{Network, NetworkStatus};
pub use node::{Node, NodeStatus};
pub use node_ops::{Balances, Channel, ChannelBalance, Invoice, WalletBalance};
pub use payment::{PaymentHandle, PaymentOutcome};
pub use ports::PortBlock;
pub use records::{lnd_u64, DecodedInvoice};
pub use relay_thread::RelayThread;
pub use setup::{CHANNEL_CAPACITY_SAT, CHANNEL_PUSH_SAT, USER_FUNDING_SAT};
pub use shared::{shared_network, start_test_network};
