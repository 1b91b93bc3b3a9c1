//! The sandbox: a live local Mostro exchange in one command.
//!
//! `./sandbox up` starts a regtest Lightning network (btcd and the LND nodes
//! `mostro`, `seller`, `buyer`), a local relay and `mostrod`, creates two users
//! with `mostro-cli`, runs one complete sell trade through the `mostro-cli`
//! binary (printing a timeline: who did what, order statuses, hold-invoice
//! states, balances and fees) and leaves everything running. `./sandbox test`
//! runs the same trade on fresh state and exits non-zero on any failure.
//! See the README and `docs/operator-guide.md`.

pub mod admin;
pub mod cli;
pub mod commands;
pub mod error;
pub mod guide;
pub mod layout;
pub mod ln;
pub mod services;
pub mod timeline;
pub mod trade;

pub use error::{Result, SandboxError};
