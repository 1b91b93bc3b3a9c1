//! Anti-abuse bond terms advertised in the kind-38385 info event (PROTOCOL.md §7.3).

use nostr::event::Tag;

use super::error::EventError;
use super::tags;

/// Which side of a trade must post a bond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BondApplyTo {
    /// Takers only.
    Take,
    /// Makers only.
    Make,
    /// Both sides.
    Both,
}

impl BondApplyTo {
    /// Wire spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            BondApplyTo::Take => "take",
            BondApplyTo::Make => "make",
            BondApplyTo::Both => "both",
        }
    }

    fn parse(raw: &str) -> Result<Self, EventError> {
        match raw {
            "take" => Ok(BondApplyTo::Take),
            "make" => Ok(BondApplyTo::Make),
            "both" => Ok(BondApplyTo::Both),
            _ => Err(EventError::invalid("bond_apply_to", raw)),
        }
    }
}

/// Bond parameters, advertised only when bonds are enabled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BondTerms {
    /// `bond_amount_pct`: bond as a fraction of the order amount.
    pub amount_pct: f64,
    /// `bond_base_amount_sats`: fixed part of the bond.
    pub base_amount_sats: u64,
    /// `bond_apply_to`.
    pub apply_to: BondApplyTo,
    /// `bond_slash_on_waiting_timeout`.
    pub slash_on_waiting_timeout: bool,
    /// `bond_slash_node_share_pct`: share of a slashed bond kept by the node (0–1).
    pub slash_node_share_pct: f64,
    /// `bond_payout_claim_window_days`.
    pub payout_claim_window_days: u64,
}

/// What an info event says about bonds.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum BondAdvert {
    /// No `bond_enabled` tag: the daemon predates bonds.
    #[default]
    NotAdvertised,
    /// `bond_enabled` = `false`.
    Disabled,
    /// `bond_enabled` = `true` with the terms that follow it.
    Enabled(BondTerms),
}

impl BondAdvert {
    /// Tags emitted after `y`/`z`: `bond_enabled`, then the six terms only when enabled.
    pub(crate) fn to_tags(self) -> Vec<Tag> {
        match self {
            BondAdvert::NotAdvertised => Vec::new(),
            BondAdvert::Disabled => vec![tags::tag("bond_enabled", ["false"])],
            BondAdvert::Enabled(b) => vec![
                tags::tag("bond_enabled", ["true"]),
                tags::tag("bond_amount_pct", [b.amount_pct.to_string()]),
                tags::tag("bond_base_amount_sats", [b.base_amount_sats.to_string()]),
                tags::tag("bond_apply_to", [b.apply_to.as_str()]),
                tags::tag(
                    "bond_slash_on_waiting_timeout",
                    [b.slash_on_waiting_timeout.to_string()],
                ),
                tags::tag(
                    "bond_slash_node_share_pct",
                    [b.slash_node_share_pct.to_string()],
                ),
                tags::tag(
                    "bond_payout_claim_window_days",
                    [b.payout_claim_window_days.to_string()],
                ),
            ],
        }
    }

    /// Whether every advertised number is finite.
    pub(crate) fn is_finite(&self) -> bool {
        match self {
            BondAdvert::Enabled(b) => {
                b.amount_pct.is_finite() && b.slash_node_share_pct.is_finite()
            }
            _ => true,
        }
    }

    /// Reads the bond tags. When `bond_enabled` is `true` every term is required.
    pub(crate) fn from_tags(t: &[Tag]) -> Result<Self, EventError> {
        let Some(raw) = tags::value(t, "bond_enabled") else {
            return Ok(BondAdvert::NotAdvertised);
        };
        if !tags::parse_as::<bool>("bond_enabled", raw)? {
            return Ok(BondAdvert::Disabled);
        }
        Ok(BondAdvert::Enabled(BondTerms {
            amount_pct: tags::parse_finite(
                "bond_amount_pct",
                tags::required(t, "bond_amount_pct")?,
            )?,
            base_amount_sats: tags::required_as(t, "bond_base_amount_sats")?,
            apply_to: BondApplyTo::parse(tags::required(t, "bond_apply_to")?)?,
            slash_on_waiting_timeout: tags::required_as(t, "bond_slash_on_waiting_timeout")?,
            slash_node_share_pct: tags::parse_finite(
                "bond_slash_node_share_pct",
                tags::required(t, "bond_slash_node_share_pct")?,
            )?,
            payout_claim_window_days: tags::required_as(t, "bond_payout_claim_window_days")?,
        }))
    }
}

/// Names of every bond tag, so that the info parser does not report them as extras.
pub(crate) const BOND_TAGS: [&str; 7] = [
    "bond_enabled",
    "bond_amount_pct",
    "bond_base_amount_sats",
    "bond_apply_to",
    "bond_slash_on_waiting_timeout",
    "bond_slash_node_share_pct",
    "bond_payout_claim_window_days",
];
