//! Solver side of §9.4 disclosure: reading the buyer↔seller chat a party
//! handed over.
//!
//! A disclosure gives `K_conv` (read access) and `pub(K_sign)` (locator); it
//! never gives `K_sign`, so the solver cannot write into the conversation.
//! Its `participants` list comes from the disclosing party and is **not**
//! trusted: inner signatures are checked against the buyer and seller trade
//! keys Mostro reported in `admin-took-dispute`, so a message signed by any
//! other key (a forgery placed at the same `#p`, or a fake participant) is
//! rejected.

use std::collections::HashSet;

use nostr::event::EventId;
use nostr::key::PublicKey;
use uuid::Uuid;

use super::solver::DisputeParty;
use super::{MostroClient, PeerChatDisclosure};
use crate::error::ClientError;
use crate::store::SolverCase;

/// One verified message of a disclosed peer chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceMessage {
    /// Who signed it (checked against the trade keys Mostro reported).
    pub from: DisputeParty,
    /// The inner signer's trade key.
    pub sender: PublicKey,
    /// Inner `created_at`, unix seconds.
    pub created_at: u64,
    /// Inner event id (each message appears once).
    pub inner_id: EventId,
    /// The text.
    pub text: String,
}

/// A peer conversation disclosed to us, verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// Who sent the disclosure (the first one, when both sent the same chat).
    pub disclosed_by: DisputeParty,
    /// `pub(K_conv)` of the disclosed conversation.
    pub conversation: PublicKey,
    /// The messages, oldest first.
    pub messages: Vec<EvidenceMessage>,
}

impl MostroClient {
    /// Solver: reads the peer chat of `order_id` through every disclosure
    /// the parties sent us over their dispute channels (newest disclosure of
    /// each party; one [`Evidence`] per distinct conversation). Empty when
    /// nobody disclosed anything yet.
    pub async fn read_evidence(&self, order_id: Uuid) -> Result<Vec<Evidence>, ClientError> {
        let case = self.solver_case(order_id)?;
        let mut out: Vec<Evidence> = Vec::new();
        for party in [DisputeParty::Buyer, DisputeParty::Seller] {
            let Some(disclosure) = self.latest_disclosure(&case, party).await? else {
                continue;
            };
            let conversation = disclosure.disclosure.conv_pubkey();
            if out.iter().any(|e| e.conversation == conversation) {
                continue;
            }
            let messages = self.read_disclosed_for_case(&case, &disclosure).await?;
            out.push(Evidence {
                disclosed_by: party,
                conversation,
                messages,
            });
        }
        Ok(out)
    }

    /// Reads a disclosed peer chat of the dispute in `case`, accepting only
    /// messages signed by the case's buyer or seller trade key, whatever the
    /// disclosure claims.
    pub async fn read_disclosed_for_case(
        &self,
        case: &SolverCase,
        disclosure: &PeerChatDisclosure,
    ) -> Result<Vec<EvidenceMessage>, ClientError> {
        let buyer = case.party_pubkey(DisputeParty::Buyer)?;
        let seller = case.party_pubkey(DisputeParty::Seller)?;
        let claimed: HashSet<PublicKey> = disclosure.participants.into_iter().collect();
        if claimed != HashSet::from([buyer, seller]) {
            tracing::warn!(order = %case.info.id, "disclosure names other participants than the trade's; using the trade keys");
        }
        let trusted = PeerChatDisclosure {
            disclosure: disclosure.disclosure.clone(),
            participants: [buyer, seller],
        };
        let messages = self.read_disclosed_chat(&trusted).await?;
        Ok(messages
            .into_iter()
            .map(|m| EvidenceMessage {
                from: if m.sender() == buyer {
                    DisputeParty::Buyer
                } else {
                    DisputeParty::Seller
                },
                sender: m.sender(),
                created_at: m.created_at().as_secs(),
                inner_id: m.inner_id(),
                text: m.content().to_owned(),
            })
            .collect())
    }

    /// The newest disclosure `party` sent us over its dispute channel.
    async fn latest_disclosure(
        &self,
        case: &SolverCase,
        party: DisputeParty,
    ) -> Result<Option<PeerChatDisclosure>, ClientError> {
        let key = match case.party_pubkey(party) {
            Ok(key) => key.to_hex(),
            Err(ClientError::NoPeer(..)) => return Ok(None),
            Err(error) => return Err(error),
        };
        let messages = self.solver_read(case.info.id, party).await?;
        Ok(messages
            .iter()
            .rev()
            .filter(|m| m.sender == key)
            .find_map(|m| PeerChatDisclosure::from_text(&m.content).ok()))
    }
}
