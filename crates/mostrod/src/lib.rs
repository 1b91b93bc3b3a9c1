//! mostrod: the Mostro peer-to-peer exchange daemon.

pub mod admin;
pub mod config;
pub mod engine;
pub mod lightning;
pub mod lnurl;
pub mod model;
pub mod nostr;
pub mod price;
pub mod runtime;
pub mod store;
