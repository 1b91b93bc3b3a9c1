//! Client library for Mostro, the peer-to-peer bitcoin/fiat exchange over
//! Lightning and Nostr.
//!
//! * [`MostroClient`] (built by [`MostroClientBuilder`]) performs every user
//!   action as a typed async method, waits for the daemon's reply by
//!   `request_id`, and turns `cant-do` refusals into [`ClientError::CantDo`];
//! * keys come from one BIP-39 mnemonic kept in the data directory
//!   ([`keystore`]): identity at index 0, a fresh trade key per order;
//! * local state (orders, trade index, chat) lives in SQLite ([`store`]);
//! * [`Watch`] follows what the daemon tells our trade keys as [`Update`]s and
//!   [`next_step`] says what the user should do next;
//! * peer and dispute chat follow PROTOCOL.md §9.
//!
//! Both transports are spoken (gift wrap v1 and kind 14 v2), chosen per
//! daemon from its info event ([`choose_transport`]) unless overridden.

mod client;
mod error;
mod explain;
mod fs;
pub mod keystore;
mod local_order;
mod next_step;
pub mod store;
mod transport;
mod update;

pub use crate::client::{
    BookFilter, ChatFollow, MostroClient, MostroClientBuilder, NewOrder, OrderAmount, OrderReply,
    PeerChatDisclosure, Privacy, RestoreReport, Timeouts, Watch, WatchEvent,
    DEFAULT_WATCH_LOOKBACK_SECS, WATCH_KEY_REFRESH_PERIOD,
};
pub use crate::client::{
    DisputeParty, Evidence, EvidenceMessage, SolverRights, SOLVER_NOTES_LOOKBACK_SECS,
};
pub use crate::error::{ClientError, ErrorKind};
pub use crate::explain::explain;
pub use crate::local_order::{CooperativeCancel, LocalOrder, Side};
pub use crate::next_step::{next_step, NextStep};
pub use crate::transport::{choose_transport, pow_for};
pub use crate::update::Update;

pub use mostro_protocol::envelope::Transport;
