//! The daemon's Nostr edge: intake of user messages and publication of the outbox.
//!
//! * [`pipeline`]: the pure checks of PROTOCOL.md §1.6, in order, producing an
//!   [`IncomingRequest`] or a [`DropReason`];
//! * [`intake`]: the task that subscribes to both transports (kinds 14 and 1059),
//!   dedupes event ids in the store and hands requests to dispatch;
//! * [`known_keys`]: the first-contact PoW lane's set of known trade keys;
//! * [`wrap`]: the engine's direct messages as signed events (the transport of the
//!   request);
//! * [`public`]: the node's public events (38383, 38384, 38385, 38386, 10002, 0) built
//!   from records and settings;
//! * [`publisher`]: the task that sends outbox rows and deletes them once a relay
//!   acknowledged them.
//!
//! Inside this module tree the `nostr` crate is referred to as `::nostr`.

pub mod intake;
pub mod known_keys;
pub mod metrics;
pub mod pipeline;
pub mod public;
pub mod publisher;
pub mod render;
mod store_adapter;
pub mod transport;
pub mod wrap;

pub use intake::{Intake, IntakeConfig};
pub use known_keys::{refresh_known_keys, KnownKeys, KnownKeysSource};
pub use metrics::{DropReason, IntakeMetrics};
pub use pipeline::{CatchUpWindow, IncomingRequest, IntakePolicy};
pub use public::{InfoSettings, PublicEventError, PublicEvents, PublicSettings};
pub use publisher::{Publisher, PublisherConfig, RoundReport};
pub use render::{RenderError, Rendered, Renderer};
pub use wrap::{ReplyWrapper, WrapError};
