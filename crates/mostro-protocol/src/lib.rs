//! Mostro wire protocol: messages, envelopes, public events, keys and chat.
//!
//! This crate is pure: it performs no I/O and depends on no async runtime. Everything
//! here follows `PROTOCOL.md` (the wire protocol reference) byte for byte, because
//! existing Mostro clients and daemons must interoperate with ours.

pub mod action;
pub mod cant_do;
pub mod message;
pub mod order;
pub mod payload;
pub mod status;

pub mod envelope;
pub mod sign;

pub mod chat;
pub mod keys;

pub mod dispute_token;
pub mod events;

pub use action::Action;
pub use cant_do::CantDoReason;
pub use message::{
    Message, MessageError, MessageKind, UnknownVariant, Wrapper, PROTOCOL_VERSION,
    PROTOCOL_VERSION_V1,
};
pub use order::{Kind, SmallOrder};
pub use payload::{
    BondPayoutRequest, BondResolution, CashuLockProof, CashuProofSignature, Payload,
    PaymentFailedInfo, Peer, RestoreSessionInfo, RestoredDisputesInfo, RestoredOrdersInfo,
    SolverDisputeInfo, UserInfo,
};
pub use status::{DisputeStatus, Status};
