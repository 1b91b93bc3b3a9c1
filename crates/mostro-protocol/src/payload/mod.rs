//! Message payloads (PROTOCOL.md §3).
//!
//! [`Payload`] is an externally tagged enum with snake_case keys. Tuple
//! variants travel as JSON arrays of exactly the declared length: a
//! `payment_request` with two elements, for instance, fails to parse (§11.1).

mod bond;
mod cashu;
mod dispute;
mod restore;
mod user;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::cant_do::CantDoReason;
use crate::order::SmallOrder;

pub use bond::{BondPayoutRequest, BondResolution};
pub use cashu::{CashuLockProof, CashuProofSignature};
pub use dispute::SolverDisputeInfo;
pub use restore::{RestoreSessionInfo, RestoredDisputesInfo, RestoredOrdersInfo};
pub use user::{PaymentFailedInfo, Peer, UserInfo};

/// The typed content of a message body (PROTOCOL.md §3, table of shapes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payload {
    /// `{"order": SmallOrder}`.
    Order(SmallOrder),
    /// `{"payment_request": [SmallOrder|null, "<bolt11|address|LNURL>", amount|null]}`.
    ///
    /// Mostro → user: order, hold invoice, `null`. User → Mostro: `null`,
    /// payout destination, and the fiat amount for a range `take-sell` (§3.1).
    PaymentRequest(Option<SmallOrder>, String, Option<i64>),
    /// `{"text_message": "…"}`.
    TextMessage(String),
    /// `{"peer": Peer}`.
    Peer(Peer),
    /// `{"rating_user": n}`; valid ratings are `1..=5` (see `MessageKind::rating`).
    RatingUser(u8),
    /// `{"amount": n}`: the fiat amount a taker wants from a range order.
    Amount(i64),
    /// `{"dispute": ["<dispute uuid>", SolverDisputeInfo|null]}`.
    Dispute(Uuid, Option<SolverDisputeInfo>),
    /// `{"cant_do": reason|null}`.
    CantDo(Option<CantDoReason>),
    /// `{"next_trade": ["<trade pubkey hex>", index]}`.
    NextTrade(String, u32),
    /// `{"payment_failed": PaymentFailedInfo}`.
    PaymentFailed(PaymentFailedInfo),
    /// `{"restore_data": RestoreSessionInfo}`.
    RestoreData(RestoreSessionInfo),
    /// `{"ids": ["<uuid>", …]}`.
    Ids(Vec<Uuid>),
    /// `{"orders": [SmallOrder, …]}`.
    Orders(Vec<SmallOrder>),
    /// `{"bond_resolution": BondResolution}`.
    BondResolution(BondResolution),
    /// `{"bond_payout_request": BondPayoutRequest}`.
    BondPayoutRequest(BondPayoutRequest),
    /// `{"cashu_lock_proof": CashuLockProof}`.
    CashuLockProof(CashuLockProof),
    /// `{"cashu_signatures": [CashuProofSignature, …]}`.
    CashuSignatures(Vec<CashuProofSignature>),
}
