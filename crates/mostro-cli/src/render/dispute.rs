//! Output of the dispute commands: the solver's views (`solver …`) and the
//! party's dispute token. JSON fields are only ever added, never renamed.

use std::fmt::Write as _;

use mostro_client::store::SolverCase;
use mostro_client::{DisputeParty, Evidence};
use mostro_protocol::events::DisputeEvent;
use mostro_protocol::UserInfo;
use serde::Serialize;

use super::views::{ActionView, ChatMessageView};
use super::{now, time, Human};

/// One dispute of `solver disputes`.
#[derive(Debug, Clone, Serialize)]
pub struct DisputeItemView {
    /// Dispute id (what `solver take` takes).
    pub id: String,
    /// `initiated`, `in-progress`, `settled`, `seller-refunded`.
    pub status: &'static str,
    /// `buyer`, `seller`, `unknown`, or null when not published.
    pub initiator: Option<&'static str>,
    /// When the dispute was opened (unix seconds), if published.
    pub opened_at: Option<u64>,
}

impl From<&DisputeEvent> for DisputeItemView {
    fn from(d: &DisputeEvent) -> Self {
        Self {
            id: d.id.to_string(),
            status: d.status.as_str(),
            initiator: d.initiator.map(|i| i.as_str()),
            opened_at: d.opened_at.map(|t| t.as_secs()),
        }
    }
}

/// The `solver disputes` document.
#[derive(Debug, Clone, Serialize)]
pub struct DisputeListView {
    /// Disputes, newest first.
    pub disputes: Vec<DisputeItemView>,
}

impl Human for DisputeListView {
    fn human(&self) -> String {
        if self.disputes.is_empty() {
            return "No disputes.\n".to_owned();
        }
        let mut out = String::new();
        for d in &self.disputes {
            let opened = d
                .opened_at
                .map(|t| time::relative(t, now()))
                .unwrap_or_else(|| "-".to_owned());
            let _ = writeln!(
                out,
                "{}  {:<15} opened by {:<7} {}",
                d.id,
                d.status,
                d.initiator.unwrap_or("-"),
                opened
            );
        }
        out
    }
}

/// A party's reputation as Mostro reported it.
#[derive(Debug, Clone, Serialize)]
pub struct ReputationView {
    /// Average rating, 0–5.
    pub rating: f64,
    /// Number of ratings.
    pub reviews: i64,
    /// Days since the party's first trade on this Mostro.
    pub operating_days: u64,
}

impl From<&UserInfo> for ReputationView {
    fn from(u: &UserInfo) -> Self {
        Self {
            rating: u.rating,
            reviews: u.reviews,
            operating_days: u.operating_days,
        }
    }
}

/// One party of a dispute, from the solver's side.
#[derive(Debug, Clone, Serialize)]
pub struct PartyView {
    /// Trade key (hex).
    pub pubkey: Option<String>,
    /// Whether this party opened the dispute.
    pub initiator: bool,
    /// Whether it trades in full privacy (no reputation).
    pub full_privacy: bool,
    /// Its reputation, when known.
    pub reputation: Option<ReputationView>,
}

/// The `solver take` document (and one entry of `solver cases`).
#[derive(Debug, Clone, Serialize)]
pub struct SolverCaseView {
    /// The dispute id.
    pub dispute_id: String,
    /// The order id (what `solver settle/cancel/chat` take).
    pub order_id: String,
    /// `buy` or `sell`.
    pub kind: String,
    /// Order status now (normally `dispute`).
    pub status: String,
    /// Order status when the dispute was opened.
    pub previous_status: String,
    /// Escrowed sats.
    pub amount_sats: i64,
    /// Fiat amount.
    pub fiat_amount: i64,
    /// Payment methods.
    pub payment_method: String,
    /// Premium, percent.
    pub premium: i64,
    /// Mostro fee per party, sats.
    pub fee: i64,
    /// `buyer`, `seller`, or null if the initiator key matches neither.
    pub initiator: Option<&'static str>,
    /// The buyer.
    pub buyer: PartyView,
    /// The seller.
    pub seller: PartyView,
    /// Whether the buyer gave a payout invoice.
    pub buyer_invoice_set: bool,
    /// Texts Mostro sent you about this dispute, e.g. each party's dispute
    /// token: quote a party's token so it knows you are the real solver.
    pub notes: Vec<String>,
}

impl SolverCaseView {
    /// The view of `case`, with Mostro's `notes`.
    pub fn new(case: &SolverCase, notes: Vec<String>) -> Self {
        let info = &case.info;
        let initiator = case.initiator();
        let party = |side: DisputeParty| {
            let is_initiator = initiator == Some(side);
            let (full_privacy, reputation) = if is_initiator {
                (info.initiator_full_privacy, info.initiator_info.as_ref())
            } else {
                (
                    info.counterpart_full_privacy,
                    info.counterpart_info.as_ref(),
                )
            };
            PartyView {
                pubkey: match side {
                    DisputeParty::Buyer => info.buyer_pubkey.clone(),
                    DisputeParty::Seller => info.seller_pubkey.clone(),
                },
                initiator: is_initiator,
                full_privacy,
                reputation: reputation.map(Into::into),
            }
        };
        Self {
            dispute_id: case.dispute_id.to_string(),
            order_id: info.id.to_string(),
            kind: info.kind.clone(),
            status: info.status.clone(),
            previous_status: info.order_previous_status.clone(),
            amount_sats: info.amount,
            fiat_amount: info.fiat_amount,
            payment_method: info.payment_method.clone(),
            premium: info.premium,
            fee: info.fee,
            initiator: initiator.map(DisputeParty::as_str),
            buyer: party(DisputeParty::Buyer),
            seller: party(DisputeParty::Seller),
            buyer_invoice_set: info.buyer_invoice.is_some(),
            notes,
        }
    }
}

fn party_line(name: &str, p: &PartyView) -> String {
    let reputation = match (&p.reputation, p.full_privacy) {
        (_, true) => "full privacy (no reputation)".to_owned(),
        (Some(r), false) => format!(
            "{:.1}/5 from {} rating(s), {} day(s) on this Mostro",
            r.rating, r.reviews, r.operating_days
        ),
        (None, false) => "no reputation yet".to_owned(),
    };
    format!(
        "  {name:<7} {}{}: {reputation}\n",
        p.pubkey.as_deref().unwrap_or("-"),
        if p.initiator { " (opened it)" } else { "" }
    )
}

impl Human for SolverCaseView {
    fn human(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Dispute {} on order {}",
            self.dispute_id, self.order_id
        );
        let _ = writeln!(
            out,
            "  {} order, {} sats for {} fiat ({}), premium {}%, fee {} sats per party",
            self.kind,
            self.amount_sats,
            self.fiat_amount,
            self.payment_method,
            self.premium,
            self.fee
        );
        let _ = writeln!(
            out,
            "  status {} (was {} when the dispute was opened); buyer invoice {}",
            self.status,
            self.previous_status,
            if self.buyer_invoice_set {
                "given"
            } else {
                "missing"
            }
        );
        out.push_str(&party_line("buyer", &self.buyer));
        out.push_str(&party_line("seller", &self.seller));
        if self.notes.is_empty() {
            out.push_str("  No dispute tokens received from Mostro yet.\n");
        }
        for note in &self.notes {
            let _ = writeln!(out, "  Mostro: {note}");
        }
        out
    }
}

/// The `solver cases` document.
#[derive(Debug, Clone, Serialize)]
pub struct SolverCasesView {
    /// Disputes you took, most recent first.
    pub cases: Vec<SolverCaseView>,
}

impl Human for SolverCasesView {
    fn human(&self) -> String {
        if self.cases.is_empty() {
            return "You took no dispute yet.\n".to_owned();
        }
        self.cases.iter().map(Human::human).collect()
    }
}

/// One disclosed conversation of `solver evidence`.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceView {
    /// `buyer` or `seller`: who disclosed it.
    pub disclosed_by: &'static str,
    /// `pub(K_conv)` (hex) of the conversation.
    pub conversation: String,
    /// Verified messages, oldest first (`from` is `buyer` or `seller`).
    pub messages: Vec<ChatMessageView>,
}

impl From<&Evidence> for EvidenceView {
    fn from(e: &Evidence) -> Self {
        Self {
            disclosed_by: e.disclosed_by.as_str(),
            conversation: e.conversation.to_hex(),
            messages: e
                .messages
                .iter()
                .map(|m| ChatMessageView {
                    id: m.inner_id.to_hex(),
                    from: m.from.as_str(),
                    sender: m.sender.to_hex(),
                    created_at: m.created_at,
                    text: m.text.clone(),
                })
                .collect(),
        }
    }
}

/// The `solver evidence` document.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceListView {
    /// The order id.
    pub order: String,
    /// Each disclosed conversation (usually one).
    pub conversations: Vec<EvidenceView>,
}

impl Human for EvidenceListView {
    fn human(&self) -> String {
        if self.conversations.is_empty() {
            return "Neither party disclosed its chat yet (they can run \
                    `mostro-cli chat disclose <order>`).\n"
                .to_owned();
        }
        let mut out = String::new();
        for c in &self.conversations {
            let _ = writeln!(
                out,
                "Chat disclosed by the {} (signatures verified):",
                c.disclosed_by
            );
            if c.messages.is_empty() {
                out.push_str("  (no messages found on the relays)\n");
            }
            out.extend(c.messages.iter().map(Human::human));
        }
        out
    }
}

/// The `dispute` document: the usual action view plus the party's token.
#[derive(Debug, Clone, Serialize)]
pub struct DisputeOpenedView {
    /// What Mostro answered, and the order.
    #[serde(flatten)]
    pub action: ActionView,
    /// Your six-digit dispute token (null if Mostro named no dispute).
    pub dispute_token: Option<String>,
}

/// The token sentence shown to a party.
pub fn token_line(token: &str) -> String {
    format!("Your dispute token: {token} — the real solver will quote it.\n")
}

impl Human for DisputeOpenedView {
    fn human(&self) -> String {
        let mut out = self.action.human();
        if let Some(token) = &self.dispute_token {
            out.push_str(&token_line(token));
        }
        out
    }
}

/// The `dispute-chat` document when reading.
#[derive(Debug, Clone, Serialize)]
pub struct DisputeChatView {
    /// The order id.
    pub order: String,
    /// The solver's key (hex), once one took the dispute.
    pub solver: Option<String>,
    /// Your dispute token.
    pub dispute_token: Option<String>,
    /// Messages, oldest first (`from` is `me` or `solver`).
    pub messages: Vec<ChatMessageView>,
}

impl Human for DisputeChatView {
    fn human(&self) -> String {
        let mut out = String::new();
        match &self.solver {
            Some(solver) => {
                let _ = writeln!(out, "Solver: {solver}");
            }
            None => out.push_str("No solver took the dispute yet.\n"),
        }
        if let Some(token) = &self.dispute_token {
            out.push_str(&token_line(token));
        }
        if self.messages.is_empty() {
            out.push_str("No messages yet.\n");
        }
        out.extend(self.messages.iter().map(Human::human));
        out
    }
}

/// A one-line notice for people (`watch` without `--json`).
#[derive(Debug, Clone, Serialize)]
pub struct NoticeView(pub String);

impl Human for NoticeView {
    fn human(&self) -> String {
        self.0.clone()
    }
}

#[cfg(test)]
mod tests {
    use mostro_protocol::SolverDisputeInfo;
    use uuid::Uuid;

    use super::*;

    fn case(initiator: &str) -> SolverCase {
        let seller = "aa".repeat(32);
        let buyer = "bb".repeat(32);
        SolverCase {
            dispute_id: Uuid::from_u128(1),
            info: SolverDisputeInfo {
                id: Uuid::from_u128(2),
                kind: "sell".into(),
                status: "dispute".into(),
                hash: Some("cc".repeat(32)),
                preimage: Some("dd".repeat(32)),
                order_previous_status: "active".into(),
                initiator_pubkey: initiator
                    .replace("seller", &seller)
                    .replace("buyer", &buyer),
                buyer_pubkey: Some(buyer),
                seller_pubkey: Some(seller),
                initiator_full_privacy: false,
                counterpart_full_privacy: true,
                initiator_info: Some(UserInfo {
                    rating: 4.5,
                    reviews: 8,
                    operating_days: 30,
                }),
                counterpart_info: None,
                premium: 1,
                payment_method: "SEPA".into(),
                amount: 40_000,
                fiat_amount: 100,
                fee: 120,
                routing_fee: 0,
                buyer_invoice: Some("lnbcrt1secret".into()),
                invoice_held_at: 0,
                taken_at: 0,
                created_at: 0,
            },
            taken_at: 5,
        }
    }

    #[test]
    fn reputations_go_to_the_initiator_and_counterpart_sides() {
        let view = SolverCaseView::new(&case("seller"), vec!["buyer token 1".into()]);
        assert_eq!(view.initiator, Some("seller"));
        assert!(view.seller.initiator && !view.buyer.initiator);
        assert_eq!(view.seller.reputation.as_ref().map(|r| r.reviews), Some(8));
        assert!(!view.seller.full_privacy);
        assert!(view.buyer.reputation.is_none() && view.buyer.full_privacy);
        let flipped = SolverCaseView::new(&case("buyer"), Vec::new());
        assert_eq!(flipped.initiator, Some("buyer"));
        assert_eq!(
            flipped.buyer.reputation.as_ref().map(|r| r.reviews),
            Some(8)
        );
        assert!(flipped.seller.full_privacy);
        let unknown = SolverCaseView::new(&case("ee"), Vec::new());
        assert_eq!(unknown.initiator, None);
    }

    #[test]
    fn the_case_view_never_shows_the_preimage_or_the_invoice() {
        let view = SolverCaseView::new(&case("buyer"), vec!["buyer token 1".into()]);
        let json = serde_json::to_string(&view).unwrap_or_default();
        let text = view.human();
        for secret in ["dd".repeat(32), "lnbcrt1secret".to_owned()] {
            assert!(!json.contains(&secret), "{json}");
            assert!(!text.contains(&secret), "{text}");
        }
        assert!(view.buyer_invoice_set);
        assert!(text.contains("Mostro: buyer token 1"), "{text}");
        assert!(text.contains("4.5/5 from 8 rating(s)"), "{text}");
    }

    #[test]
    fn the_opened_dispute_shows_the_token_line() {
        let line = token_line("012345");
        assert!(line.contains("012345") && line.contains("real solver"));
        let chat = DisputeChatView {
            order: "o".into(),
            solver: None,
            dispute_token: Some("012345".into()),
            messages: Vec::new(),
        };
        let text = chat.human();
        assert!(text.contains("No solver took the dispute yet."), "{text}");
        assert!(text.contains("012345"), "{text}");
    }

    fn message(from: &'static str, text: &str) -> ChatMessageView {
        ChatMessageView {
            id: "ee".repeat(32),
            from,
            sender: "ff".repeat(32),
            created_at: now(),
            text: text.to_owned(),
        }
    }

    #[test]
    fn dispute_chat_and_evidence_show_one_line_per_message_sender_right_aligned() {
        let chat = DisputeChatView {
            order: "o".into(),
            solver: Some("ab".repeat(32)),
            dispute_token: None,
            messages: vec![message("me", "hello"), message("solver", "hi")],
        };
        let text = chat.human();
        assert!(!text.contains("No messages yet."), "{text}");
        assert!(text.contains("    me: hello\n"), "{text}");
        assert!(text.contains(" solver: hi\n"), "{text}");
        assert!(text.find("me: hello") < text.find("solver: hi"), "{text}");

        let evidence = EvidenceListView {
            order: "o".into(),
            conversations: vec![EvidenceView {
                disclosed_by: "buyer",
                conversation: "cc".repeat(32),
                messages: vec![message("seller", "paid?"), message("buyer", "yes")],
            }],
        };
        let text = evidence.human();
        assert!(text.starts_with("Chat disclosed by the buyer"), "{text}");
        assert!(!text.contains("no messages found"), "{text}");
        assert!(text.contains(" seller: paid?\n"), "{text}");
        assert!(text.contains("  buyer: yes\n"), "{text}");
    }
}
