//! Solver operations (PROTOCOL.md §5.10, §7.4, §9.4).
//!
//! A solver is a user whose **identity** key (index 0) the node operator
//! registered with `admin-add-solver`. Mostro identifies solvers by identity,
//! so every solver request is authored by the identity key itself (no trade
//! key, §8.2) and every reply — `admin-took-dispute`, `admin-settled`,
//! `cant-do` — comes back to that key.
//!
//! Taking a dispute stores its [`SolverCase`] locally: later commands need the
//! buyer's and seller's trade keys from it to open the §9.4 chat channels
//! (`ECDH(solver_secret, party_trade_pubkey)`) and to check the evidence.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use mostro_protocol::events::{DisputeEvent, DISPUTE_KIND};
use mostro_protocol::{Action, DisputeStatus, MessageKind, Payload, Wrapper};
use nostr::event::EventId;
use nostr::filter::{Filter, SingleLetterTag};
use nostr::key::{Keys, PublicKey};
use nostr::nips::nip19::ToBech32;
use nostr::types::Timestamp;
use uuid::Uuid;

use super::chat::Conversation;
use super::request::Request;
use super::{unix_now, MostroClient};
use crate::error::ClientError;
use crate::store::{SolverCase, StoredChatMessage};
use crate::update::Update;

/// How far back [`MostroClient::solver_notes`] looks by default (one day).
pub const SOLVER_NOTES_LOOKBACK_SECS: u64 = 24 * 60 * 60;

/// One side of a disputed trade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisputeParty {
    /// The buyer (receives the sats).
    Buyer,
    /// The seller (locked the sats in the hold invoice).
    Seller,
}

impl DisputeParty {
    /// `"buyer"` or `"seller"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Buyer => "buyer",
            Self::Seller => "seller",
        }
    }

    /// The other side.
    pub const fn other(self) -> Self {
        match self {
            Self::Buyer => Self::Seller,
            Self::Seller => Self::Buyer,
        }
    }
}

impl fmt::Display for DisputeParty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a solver registered by the operator may do (`admin-add-solver`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SolverRights {
    /// Take disputes and talk to the parties, but not settle or cancel.
    Read,
    /// Also settle or cancel (the daemon's default).
    #[default]
    ReadWrite,
}

impl SolverRights {
    /// The suffix `admin-add-solver` appends to the npub.
    pub const fn suffix(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::ReadWrite => "read-write",
        }
    }
}

impl FromStr for SolverRights {
    type Err = ClientError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "read" => Ok(Self::Read),
            "read-write" | "write" => Ok(Self::ReadWrite),
            other => Err(ClientError::InvalidInput(format!(
                "solver rights are `read` or `read-write`, not `{other}`"
            ))),
        }
    }
}

impl SolverCase {
    /// The trade key of `party`, as Mostro reported it.
    pub fn party_pubkey(&self, party: DisputeParty) -> Result<PublicKey, ClientError> {
        let raw = match party {
            DisputeParty::Buyer => self.info.buyer_pubkey.as_deref(),
            DisputeParty::Seller => self.info.seller_pubkey.as_deref(),
        };
        let raw = raw.ok_or(ClientError::NoPeer(self.info.id, party.as_str()))?;
        PublicKey::from_hex(raw).map_err(|_| {
            ClientError::InvalidInput(format!("Mostro sent a malformed {party} trade key"))
        })
    }

    /// Which party opened the dispute, from the initiator's trade key.
    pub fn initiator(&self) -> Option<DisputeParty> {
        let initiator = Some(self.info.initiator_pubkey.as_str());
        if initiator == self.info.buyer_pubkey.as_deref() {
            Some(DisputeParty::Buyer)
        } else if initiator == self.info.seller_pubkey.as_deref() {
            Some(DisputeParty::Seller)
        } else {
            None
        }
    }
}

impl MostroClient {
    /// The solver's key: the identity key, which also authors its requests.
    pub(super) fn solver_keys(&self) -> Keys {
        self.inner.keys.identity().clone()
    }

    /// Sends a solver (or operator) request authored by `keys`, proving
    /// `keys` as the identity.
    async fn solver_request(
        &self,
        keys: &Keys,
        wrapper: Wrapper,
        body: MessageKind,
    ) -> Result<mostro_protocol::Message, ClientError> {
        let reply = self
            .request_proving(
                Request {
                    keys,
                    wrapper,
                    body,
                    // A solver key is only "known" to the node while it holds
                    // a dispute: always mine the first-contact difficulty.
                    first_contact: true,
                    unsolicited: &[],
                },
                Some(keys.clone()),
            )
            .await?;
        Ok(reply.message)
    }

    /// Disputes published by the daemon (kind 38386), newest revision per
    /// dispute, optionally only those in `status`. Newest first.
    pub async fn list_disputes(
        &self,
        status: Option<DisputeStatus>,
    ) -> Result<Vec<DisputeEvent>, ClientError> {
        let mut filter = Filter::new().kind(DISPUTE_KIND).author(self.inner.daemon);
        if let Some(status) = status {
            filter = filter.custom_tag(SingleLetterTag::LOWERCASE_S, status.as_str());
        }
        let events = self
            .inner
            .pool
            .fetch(vec![filter], self.inner.timeouts.fetch)
            .await?;
        let now = Timestamp::now();
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        // `fetch` returns newest first: the first revision of a dispute wins.
        for event in events {
            if event.pubkey != self.inner.daemon || event.is_expired_at(now) {
                continue;
            }
            match DisputeEvent::parse(&event) {
                Ok(dispute) => {
                    // A relay keeping old revisions may answer `#s` with a
                    // stale one: check the newest revision's status again.
                    if seen.insert(dispute.id) && status.is_none_or(|s| dispute.status == s) {
                        out.push(dispute);
                    }
                }
                Err(error) => {
                    tracing::debug!(event_id = %event.id, %error, "skipping malformed dispute event");
                }
            }
        }
        Ok(out)
    }

    /// Takes dispute `dispute_id` (`admin-take-dispute`) and stores the
    /// returned context as a [`SolverCase`].
    pub async fn take_dispute(&self, dispute_id: Uuid) -> Result<SolverCase, ClientError> {
        let keys = self.solver_keys();
        let body = MessageKind::new(Action::AdminTakeDispute).with_id(dispute_id);
        let reply = self.solver_request(&keys, Wrapper::Dispute, body).await?;
        let unexpected = ClientError::UnexpectedReply {
            request: Action::AdminTakeDispute,
            action: reply.action(),
        };
        if reply.action() != Action::AdminTookDispute {
            return Err(unexpected);
        }
        let info = match reply.payload() {
            Some(Payload::Dispute(id, Some(info))) if *id == dispute_id => info.clone(),
            _ => return Err(unexpected),
        };
        let case = SolverCase {
            dispute_id,
            info,
            taken_at: unix_now(),
        };
        self.inner.store.save_solver_case(&case)?;
        Ok(case)
    }

    /// The stored case of a dispute we took about `order_id`.
    pub fn solver_case(&self, order_id: Uuid) -> Result<SolverCase, ClientError> {
        self.inner
            .store
            .solver_case(order_id)?
            .ok_or(ClientError::UnknownOrder(order_id))
    }

    /// Every dispute we took, most recent first.
    pub fn solver_cases(&self) -> Result<Vec<SolverCase>, ClientError> {
        Ok(self.inner.store.solver_cases()?)
    }

    /// Settles the escrow of `order_id` to the buyer (`admin-settle`).
    /// Refusals come back as [`ClientError::CantDo`] (`is_not_your_dispute`,
    /// `not_authorized`, `invalid_order_status`, …).
    pub async fn admin_settle(&self, order_id: Uuid) -> Result<Update, ClientError> {
        self.resolve(order_id, Action::AdminSettle).await
    }

    /// Cancels the trade of `order_id`, refunding the seller (`admin-cancel`).
    pub async fn admin_cancel(&self, order_id: Uuid) -> Result<Update, ClientError> {
        self.resolve(order_id, Action::AdminCancel).await
    }

    async fn resolve(&self, order_id: Uuid, action: Action) -> Result<Update, ClientError> {
        let keys = self.solver_keys();
        let body = MessageKind::new(action).with_id(order_id);
        let reply = self.solver_request(&keys, Wrapper::Order, body).await?;
        Ok(Update::from_message(&reply, &keys.public_key()))
    }

    /// Operator only: registers `solver` (an identity key) with `rights`,
    /// signing with the node key `node` (`admin-add-solver`). Mostro drops the
    /// request silently when `node` is not its key, so that ends in a timeout.
    pub async fn add_solver(
        &self,
        node: &Keys,
        solver: PublicKey,
        rights: SolverRights,
    ) -> Result<(), ClientError> {
        let npub = solver
            .to_bech32()
            .map_err(|_| ClientError::InvalidInput("cannot encode the solver npub".into()))?;
        // The id is meaningless but required by §2.3.
        let body = MessageKind::new(Action::AdminAddSolver)
            .with_id(Uuid::new_v4())
            .with_payload(Payload::TextMessage(format!("{npub}:{}", rights.suffix())));
        let reply = self.solver_request(node, Wrapper::Order, body).await?;
        match reply.action() {
            Action::AdminAddSolver => Ok(()),
            action => Err(ClientError::UnexpectedReply {
                request: Action::AdminAddSolver,
                action,
            }),
        }
    }

    /// Texts Mostro sent the solver (`send-dm`) about the dispute of
    /// `case` (message id = dispute or order id) in the last
    /// `lookback_secs`, oldest first: e.g. each party's dispute token.
    pub async fn solver_notes(
        &self,
        case: &SolverCase,
        lookback_secs: u64,
    ) -> Result<Vec<String>, ClientError> {
        let keys = self.solver_keys();
        let transport = self.transport().await;
        let filter = self.reply_filter(transport, &[keys.public_key()], unix_now(), lookback_secs);
        let events = self
            .inner
            .pool
            .fetch(vec![filter], self.inner.timeouts.fetch)
            .await?;
        let ids = [Some(case.dispute_id), Some(case.info.id)];
        let mut seen = HashSet::new();
        let mut notes: Vec<(u64, EventId, String)> = events
            .iter()
            .filter_map(|event| {
                let opened = self.open_daemon_message(event, &keys)?;
                let message = &opened.message;
                match message.payload() {
                    Some(Payload::TextMessage(text))
                        if message.action() == Action::SendDm && ids.contains(&message.id()) =>
                    {
                        Some((opened.created_at.as_secs(), event.id, text.clone()))
                    }
                    _ => None,
                }
            })
            .filter(|(_, _, text)| seen.insert(text.clone()))
            .collect();
        notes.sort();
        Ok(notes.into_iter().map(|(_, _, text)| text).collect())
    }

    /// The §9.4 channel between us (the solver) and `party` of `order_id`.
    pub(super) fn solver_conversation(
        &self,
        order_id: Uuid,
        party: DisputeParty,
    ) -> Result<Conversation, ClientError> {
        let case = self.solver_case(order_id)?;
        Conversation::between(self.solver_keys(), case.party_pubkey(party)?)
    }

    /// Solver: sends `text` to `party` of the dispute about `order_id`.
    pub async fn solver_send(
        &self,
        order_id: Uuid,
        party: DisputeParty,
        text: &str,
    ) -> Result<EventId, ClientError> {
        let conv = self.solver_conversation(order_id, party)?;
        self.send_in(&conv, text).await
    }

    /// Solver: fetches and returns the conversation with `party`, oldest
    /// first. Only messages signed by that party's trade key or by us count.
    pub async fn solver_read(
        &self,
        order_id: Uuid,
        party: DisputeParty,
    ) -> Result<Vec<StoredChatMessage>, ClientError> {
        let conv = self.solver_conversation(order_id, party)?;
        self.read_in(&conv).await
    }

    /// Party side: our dispute token for the dispute on `order_id` (six
    /// digits; the genuine solver receives the same one from Mostro and
    /// quotes it). `None` while no dispute id is known for the order.
    pub fn dispute_token(&self, order_id: Uuid) -> Result<Option<String>, ClientError> {
        let order = self.local_order(order_id)?;
        let Some(dispute_id) = order.dispute_id else {
            return Ok(None);
        };
        let keys = self.trade_keys(order.trade_index)?;
        let token = mostro_protocol::dispute_token::dispute_token(
            keys.secret_key(),
            &self.inner.daemon,
            &dispute_id,
        )?;
        Ok(Some(token))
    }
}
