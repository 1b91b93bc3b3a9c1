//! Kind 10002 (relay list) and kind 0 (instance metadata), PROTOCOL.md §7.7.

use nostr::event::{Event, Kind, Tag};
use nostr::key::Keys;
use nostr::types::{RelayUrl, Timestamp};
use serde::{Deserialize, Serialize};

use super::error::EventError;
use super::tags;

/// Tags of the kind-10002 relay list: one `["r","<url>"]` per relay, no
/// read/write marker, in the given order.
pub fn relay_list_tags(relays: &[RelayUrl]) -> Vec<Tag> {
    relays
        .iter()
        .map(|url| tags::tag("r", [url.as_str()]))
        .collect()
}

/// Signs the kind-10002 relay list of the currently connected relays.
///
/// Refuses an empty list (it would tell clients the node reads nowhere).
pub fn build_relay_list(
    relays: &[RelayUrl],
    keys: &Keys,
    created_at: Timestamp,
) -> Result<Event, EventError> {
    if relays.is_empty() {
        return Err(EventError::NotPublishable("empty relay list"));
    }
    tags::sign(
        Kind::RelayList,
        "",
        relay_list_tags(relays),
        keys,
        created_at,
    )
}

/// Reads the relay URLs of a kind-10002 event, skipping entries that are not
/// valid relay URLs (lenient, for clients).
pub fn parse_relay_list(event: &Event) -> Result<Vec<RelayUrl>, EventError> {
    tags::expect_kind(event, Kind::RelayList)?;
    Ok(event
        .tags
        .iter()
        .filter(|t| t.kind() == "r")
        .filter_map(|t| t.content())
        .filter_map(|raw| RelayUrl::parse(raw).ok())
        .collect())
}

/// Instance metadata published as kind 0 (`[mostro] name/about/picture/website`).
///
/// Serialised as a JSON object in this field order; unset fields are omitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceMetadata {
    /// Instance name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Free-form description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    /// Picture URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// Website URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
}

impl InstanceMetadata {
    /// Drops blank (whitespace-only) fields, which count as unset.
    pub fn normalized(&self) -> Self {
        let keep = |v: &Option<String>| v.as_ref().filter(|s| !s.trim().is_empty()).cloned();
        Self {
            name: keep(&self.name),
            about: keep(&self.about),
            picture: keep(&self.picture),
            website: keep(&self.website),
        }
    }

    /// Whether no field is set (blank fields count as unset). The daemon then
    /// publishes no kind-0 event at all.
    pub fn is_empty(&self) -> bool {
        self.normalized() == Self::default()
    }

    /// The kind-0 `content`: JSON of the set fields.
    pub fn to_content(&self) -> Result<String, EventError> {
        serde_json::to_string(&self.normalized()).map_err(EventError::InvalidContent)
    }

    /// Signs the kind-0 event. Refuses metadata with no field set.
    pub fn build(&self, keys: &Keys, created_at: Timestamp) -> Result<Event, EventError> {
        if self.is_empty() {
            return Err(EventError::NotPublishable("metadata has no field set"));
        }
        tags::sign(
            Kind::Metadata,
            &self.to_content()?,
            Vec::new(),
            keys,
            created_at,
        )
    }

    /// Parses a kind-0 event's content, ignoring unknown keys.
    pub fn parse(event: &Event) -> Result<Self, EventError> {
        tags::expect_kind(event, Kind::Metadata)?;
        serde_json::from_str(&event.content).map_err(EventError::InvalidContent)
    }
}
