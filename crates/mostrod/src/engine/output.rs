//! What the engine decides: a refusal, a transition to commit, or a plan that first
//! needs a hold invoice.

use mostro_protocol::cant_do::CantDoReason;
use mostro_protocol::message::Message;
use mostro_protocol::status::Status;
use nostr::key::PublicKey;
use uuid::Uuid;

use crate::model::{Dispute, Order, Transport, User};

use super::input::Request;

/// Why the engine did not act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Answer the sender with `cant-do` and this reason (`id` and `request_id` echoed).
    CantDo(CantDoReason),
    /// The protocol says nothing is answered; the text is for the log only.
    Silent(&'static str),
}

impl Refusal {
    /// The `cant-do` reply to `request`, or `None` for a silent refusal.
    pub fn reply(&self, request: &Request) -> Option<Outgoing> {
        match self {
            Refusal::CantDo(reason) => {
                let mut message =
                    Message::cant_do(request.order_id, request.request_id, Some(*reason));
                message.inner_mut().version = request.transport.version();
                Some(Outgoing::Direct {
                    to: request.sender,
                    transport: request.transport,
                    message,
                })
            }
            Refusal::Silent(_) => None,
        }
    }
}

/// The public `s` bucket a kind-38383 revision carries (PROTOCOL.md §4.2, §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// `pending`.
    Pending,
    /// `in-progress`.
    InProgress,
    /// `success`.
    Success,
    /// `canceled` (also for `expired` and every cancellation).
    Canceled,
}

impl Bucket {
    /// The wire spelling of the `s` tag.
    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::Pending => "pending",
            Bucket::InProgress => "in-progress",
            Bucket::Success => "success",
            Bucket::Canceled => "canceled",
        }
    }
}

/// Something to send once the transition is committed (written to the outbox in the
/// same transaction).
#[derive(Debug, Clone, PartialEq)]
// Almost every value is the large variant; boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum Outgoing {
    /// A direct message to one trade key, in the given transport.
    Direct {
        /// Recipient trade key.
        to: PublicKey,
        /// Transport (the recipient's last one); `message.version` matches it.
        transport: Transport,
        /// The message, built exactly as PROTOCOL.md §5 says.
        message: Message,
    },
    /// A kind-38383 revision of an order, built by the publisher from the committed
    /// record with this `s` bucket.
    OrderEvent {
        /// Which order (the transition's order or one of its new orders).
        order_id: Uuid,
        /// The public status bucket.
        bucket: Bucket,
    },
    /// A kind-38386 revision of the transition's dispute row
    /// ([`Transition::dispute_resolution`]), built by the publisher from that row.
    DisputeEvent {
        /// Which dispute (must be the transition's dispute row).
        dispute_id: Uuid,
    },
    /// A kind-38384 rating publication: `d` = the rated party's trade key
    /// (PROTOCOL.md §11.11 fix), aggregates from the rated identity's updated row.
    RatingEvent {
        /// The rated party's trade key on this order.
        rated_trade_pubkey: PublicKey,
        /// The rated identity's row after the vote.
        user: User,
    },
}

/// A Lightning action to run after commit. The committed record already carries the
/// intent, so recovery can finish or verify it after a crash:
///
/// * `SettleHoldInvoice`: the order is `settled-hold-invoice`;
/// * `CancelHoldInvoice`: the order left the escrow states (or was reset);
/// * `PayBuyer`: `payout` is `InFlight` with the same `payment_hash` and `attempt`,
///   and no other payout of this order is in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Settle the escrow with the stored preimage.
    SettleHoldInvoice {
        /// Hold invoice hash.
        hash: [u8; 32],
        /// Its preimage.
        preimage: [u8; 32],
    },
    /// Cancel the escrow (refunds the seller if paid).
    CancelHoldInvoice {
        /// Hold invoice hash.
        hash: [u8; 32],
    },
    /// Pay the buyer.
    PayBuyer {
        /// Hash of `bolt11`.
        payment_hash: [u8; 32],
        /// The invoice to pay.
        bolt11: String,
        /// Sats to send (`amount − fee`; ignored by the node for fixed-amount invoices).
        amount_sats: u64,
        /// Most that may be spent on routing fees.
        fee_limit_sats: u64,
        /// 1-based attempt number.
        attempt: u32,
    },
}

/// The full result of one accepted input, committed atomically by the store.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// Status before the input (`None` for a new order).
    pub previous_status: Option<Status>,
    /// The next record of the order.
    pub order: Order,
    /// Messages and public events, in sending order.
    pub outbox: Vec<Outgoing>,
    /// Lightning effects to run after commit, in order.
    pub effects: Vec<Effect>,
    /// User rows to upsert (trade index, reputation).
    pub user_updates: Vec<User>,
    /// Orders created by this input (a range child).
    pub new_orders: Vec<Order>,
    /// The order's dispute row as this input leaves it (opened, taken, warned or
    /// closed), committed with the order.
    pub dispute_resolution: Option<Dispute>,
}

impl Transition {
    /// A transition of `before` into `order` with nothing else yet.
    pub(crate) fn from(before: &Order, order: Order) -> Self {
        Self {
            previous_status: Some(before.status),
            order,
            outbox: Vec::new(),
            effects: Vec::new(),
            user_updates: Vec::new(),
            new_orders: Vec::new(),
            dispute_resolution: None,
        }
    }

    /// Sets the order's dispute row and queues its kind-38386 revision.
    pub(crate) fn publish_dispute(&mut self, dispute: Dispute) {
        self.outbox.push(Outgoing::DisputeEvent {
            dispute_id: dispute.id,
        });
        self.dispute_resolution = Some(dispute);
    }

    /// Queues a republication of the order with `bucket`.
    pub(crate) fn publish(&mut self, bucket: Bucket) {
        self.outbox.push(Outgoing::OrderEvent {
            order_id: self.order.id,
            bucket,
        });
    }
}

/// The hold invoice the engine needs before it can finish a step (a take or an
/// `add-invoice`). The runtime creates it with a fresh preimage and calls
/// [`super::complete_hold_invoice`].
#[derive(Debug, Clone, PartialEq)]
pub struct HoldInvoicePlan {
    /// Invoice value in sats (`amount + fee`).
    pub amount_sats: u64,
    /// Invoice description.
    pub memo: String,
    /// CLTV delta of the escrow HTLC, in blocks.
    pub cltv_delta: u32,
    /// Status before the step.
    pub(crate) previous_status: Status,
    /// The record as it will be once the invoice exists (minus the invoice itself).
    pub(crate) order: Order,
    /// `request_id` of the request, echoed by the replies and when the escrow locks.
    pub(crate) request_id: Option<u64>,
    /// `trade_index` of the request, echoed on the requester's reply.
    pub(crate) trade_index: Option<i64>,
    /// The requester's trade key.
    pub(crate) requester: PublicKey,
    /// Messages that go before the invoice messages (taker reputation notice).
    pub(crate) pre_outbox: Vec<Outgoing>,
    /// User rows to upsert with the step (the taker's trade index).
    pub(crate) user_updates: Vec<User>,
}

impl HoldInvoicePlan {
    /// The order this plan is for.
    pub fn order_id(&self) -> Uuid {
        self.order.id
    }
}

/// A hold invoice the runtime created for a [`HoldInvoicePlan`].
#[derive(Clone, PartialEq, Eq)]
pub struct CreatedHoldInvoice {
    /// Payment hash (SHA-256 of `preimage`).
    pub hash: [u8; 32],
    /// The preimage the runtime generated.
    pub preimage: [u8; 32],
    /// The BOLT 11 string for the seller.
    pub bolt11: String,
}

impl std::fmt::Debug for CreatedHoldInvoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedHoldInvoice")
            .field("hash", &hex::encode(self.hash))
            .finish_non_exhaustive()
    }
}

/// What an accepted input leads to.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Commit this transition.
    Commit(Transition),
    /// Create a hold invoice first, then call [`super::complete_hold_invoice`].
    NeedsHoldInvoice(HoldInvoicePlan),
}
