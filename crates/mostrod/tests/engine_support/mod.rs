//! Shared fixtures for the engine tests: actors, a fake payout validator, request
//! builders and a harness that checks every status change against the table.
#![allow(dead_code)]

use mostro_protocol::action::Action;
use mostro_protocol::message::Message;
use mostro_protocol::order::{Kind, SmallOrder};
use mostro_protocol::payload::Payload;
use mostro_protocol::status::Status;
use mostrod::engine::transitions::{check_initial, check_transition};
use mostrod::engine::{
    self, complete_hold_invoice, CreatedHoldInvoice, Ctx, Decision, DisputeFacts, DisputeTokens,
    EngineSettings, Input, InvoiceRefused, Outgoing, PayoutValidator, PriceQuote, Refusal, Request,
    ResolvedPayout, Transition,
};
use mostrod::model::{Dispute, Order, Solver, Transport, User};
use nostr::key::{Keys, PublicKey, SecretKey};
use nostr::types::Timestamp;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Start of test time.
pub const T0: u64 = 1_700_000_000;

pub fn ts(secs: u64) -> Timestamp {
    Timestamp::from_secs(secs)
}

pub fn key(seed: u8) -> PublicKey {
    let secret = SecretKey::from_slice(&[seed; 32]).expect("valid secret");
    Keys::new(secret).public_key()
}

/// A user: a trade key and an identity key.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub trade: PublicKey,
    pub identity: PublicKey,
    pub transport: Transport,
}

impl Actor {
    pub fn new(trade_seed: u8, identity_seed: u8) -> Self {
        Self {
            trade: key(trade_seed),
            identity: key(identity_seed),
            transport: Transport::Nip44,
        }
    }

    pub fn full_privacy(seed: u8) -> Self {
        Self {
            trade: key(seed),
            identity: key(seed),
            transport: Transport::GiftWrap,
        }
    }

    pub fn request(
        &self,
        action: Action,
        order_id: Option<Uuid>,
        payload: Option<Payload>,
    ) -> Request {
        Request {
            sender: self.trade,
            identity: self.identity,
            transport: self.transport,
            request_id: Some(77),
            trade_index: None,
            order_id,
            action,
            payload,
        }
    }

    pub fn indexed(
        &self,
        action: Action,
        order_id: Option<Uuid>,
        payload: Option<Payload>,
        index: i64,
    ) -> Request {
        Request {
            trade_index: Some(index),
            ..self.request(action, order_id, payload)
        }
    }
}

pub fn maker() -> Actor {
    Actor::new(1, 11)
}
pub fn taker() -> Actor {
    Actor::new(2, 12)
}
pub fn stranger() -> Actor {
    Actor::new(3, 13)
}

/// Accepts `ok…` destinations whatever the amount, `amt:<n>` only when `n` is owed,
/// and refuses everything else.
#[derive(Debug, Default)]
pub struct FakeValidator;

impl PayoutValidator for FakeValidator {
    fn validate(
        &self,
        destination: &str,
        expected: Option<u64>,
        _now: Timestamp,
    ) -> Result<(), InvoiceRefused> {
        let refused = || InvoiceRefused {
            reason: "fake refusal".into(),
            source: None,
        };
        if destination.starts_with("ok") {
            return Ok(());
        }
        match destination.strip_prefix("amt:").map(str::parse::<u64>) {
            Some(Ok(n)) if Some(n) == expected => Ok(()),
            _ => Err(refused()),
        }
    }
}

pub fn settings() -> EngineSettings {
    EngineSettings {
        fee: 0.006,
        ..EngineSettings::default()
    }
}

/// Owned facts from which a [`Ctx`] is borrowed.
pub struct World {
    pub settings: EngineSettings,
    pub validator: FakeValidator,
    pub users: Vec<User>,
    pub pending_order_exists: bool,
    pub price: Option<PriceQuote>,
    pub payout: Option<ResolvedPayout>,
    pub chain_height: Option<u32>,
    pub fresh_id: Uuid,
    pub disputes: Vec<Dispute>,
    pub solvers: Vec<Solver>,
    pub node: Option<PublicKey>,
    pub tokens: Option<DisputeTokens>,
}

impl Default for World {
    fn default() -> Self {
        Self {
            settings: settings(),
            validator: FakeValidator,
            users: Vec::new(),
            pending_order_exists: false,
            price: Some(PriceQuote {
                price: 50_000.0,
                fetched_at: ts(T0),
            }),
            payout: None,
            chain_height: None,
            fresh_id: Uuid::from_u128(0xc41d),
            disputes: Vec::new(),
            solvers: Vec::new(),
            node: None,
            tokens: None,
        }
    }
}

impl World {
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            settings: &self.settings,
            validator: &self.validator,
            users: &self.users,
            pending_order_exists: self.pending_order_exists,
            price: self.price,
            payout: self.payout.as_ref(),
            chain_height: self.chain_height,
            fresh_id: self.fresh_id,
            dispute: DisputeFacts {
                disputes: &self.disputes,
                solvers: &self.solvers,
                node_pubkey: self.node,
                tokens: self.tokens.as_ref(),
            },
        }
    }
}

pub fn wire_order(kind: Kind, amount: i64, fiat_amount: i64, premium: i64) -> SmallOrder {
    let mut o = SmallOrder::new(amount, "USD", fiat_amount, "bank transfer", premium);
    o.kind = Some(kind);
    o.status = Some(Status::Pending);
    o
}

pub const ORDER_ID: Uuid = Uuid::from_u128(0x0123_4567_89ab_cdef);

/// Creates an order through the engine; panics if refused.
pub fn create(world: &World, wire: SmallOrder, maker: &Actor) -> Order {
    let req = maker.indexed(Action::NewOrder, None, Some(Payload::Order(wire)), 1);
    let t = engine::new_order(&req, &world.ctx(), ORDER_ID, ts(T0)).expect("order created");
    assert!(check_initial(t.order.status).is_ok());
    t.order
}

/// The preimage/hash pair the fake runtime uses.
pub fn hold_invoice(seed: u8) -> CreatedHoldInvoice {
    let preimage = [seed; 32];
    CreatedHoldInvoice {
        hash: Sha256::digest(preimage).into(),
        preimage,
        bolt11: format!("lnbcrt-hold-{seed}"),
    }
}

/// Asserts that the transition's status change is allowed by the table.
pub fn assert_legal(t: &Transition) {
    if let Some(from) = t.previous_status {
        assert!(
            check_transition(from, t.order.status).is_ok(),
            "illegal {from} -> {}",
            t.order.status
        );
    }
    for child in &t.new_orders {
        assert!(check_initial(child.status).is_ok());
    }
}

/// Runs an input; completes a hold-invoice plan with `hold_invoice(9)`.
pub fn step(order: &Order, input: Input, world: &World, now: u64) -> Result<Transition, Refusal> {
    let t = match engine::handle(order, input, &world.ctx(), ts(now))? {
        Decision::Commit(t) => t,
        Decision::NeedsHoldInvoice(plan) => complete_hold_invoice(plan, hold_invoice(9), ts(now))?,
    };
    assert_legal(&t);
    Ok(t)
}

/// The direct messages of a transition as (recipient, message).
pub fn directs(t: &Transition) -> Vec<(PublicKey, Message)> {
    t.outbox
        .iter()
        .filter_map(|o| match o {
            Outgoing::Direct { to, message, .. } => Some((*to, message.clone())),
            _ => None,
        })
        .collect()
}

/// (recipient, action) of each direct message, in order.
pub fn actions(t: &Transition) -> Vec<(PublicKey, Action)> {
    directs(t)
        .into_iter()
        .map(|(k, m)| (k, m.action()))
        .collect()
}

/// The single direct message with `action` to `to`.
pub fn message_to(t: &Transition, to: PublicKey, action: Action) -> Message {
    let found: Vec<_> = directs(t)
        .into_iter()
        .filter(|(k, m)| *k == to && m.action() == action)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one {action} to the key, got {found:?}"
    );
    found[0].1.clone()
}

/// The order payload of a message.
pub fn order_payload(m: &Message) -> SmallOrder {
    match m.payload() {
        Some(Payload::Order(o)) => o.clone(),
        other => panic!("expected an order payload, got {other:?}"),
    }
}

/// The published buckets, in order.
pub fn buckets(t: &Transition) -> Vec<(Uuid, &'static str)> {
    t.outbox
        .iter()
        .filter_map(|o| match o {
            Outgoing::OrderEvent { order_id, bucket } => Some((*order_id, bucket.as_str())),
            _ => None,
        })
        .collect()
}

pub fn cant_do(reason: mostro_protocol::cant_do::CantDoReason) -> Result<Transition, Refusal> {
    Err(Refusal::CantDo(reason))
}

/// A fixed 100 000-sat sell order taken by `taker()` with invoice `ok-buyer` and the
/// escrow locked: status `active`.
pub fn active_sell(world: &World) -> Order {
    let order = create(world, wire_order(Kind::Sell, 100_000, 50, 0), &maker());
    let take = taker().indexed(
        Action::TakeSell,
        Some(order.id),
        Some(Payload::PaymentRequest(None, "ok-buyer".into(), None)),
        1,
    );
    let order = step(&order, Input::Request(take), world, T0 + 10)
        .expect("taken")
        .order;
    step(
        &order,
        Input::HoldInvoiceAccepted {
            htlc_expiry_height: Some(1_000),
        },
        world,
        T0 + 20,
    )
    .expect("locked")
    .order
}

/// [`active_sell`] after the buyer's `fiat-sent`.
pub fn fiat_sent_sell(world: &World) -> Order {
    let order = active_sell(world);
    let req = taker().request(Action::FiatSent, Some(order.id), None);
    step(&order, Input::Request(req), world, T0 + 30)
        .expect("fiat sent")
        .order
}

/// The resolved payout for the `ok-buyer` destination.
pub fn resolved(seed: u8) -> ResolvedPayout {
    ResolvedPayout {
        destination: "ok-buyer".into(),
        bolt11: format!("lnbcrt-payout-{seed}"),
        payment_hash: [seed; 32],
    }
}
