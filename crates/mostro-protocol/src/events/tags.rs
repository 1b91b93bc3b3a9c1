//! Small helpers shared by the public-event parsers and builders: tag look-up,
//! number parsing with typed errors, and the `y` (platform) tag.

use std::str::FromStr;

use nostr::event::{Event, EventBuilder, FinalizeEvent, Kind, Tag};
use nostr::key::Keys;
use nostr::types::Timestamp;

use super::error::EventError;

/// Platform name Mostro puts first in its `y` tag.
pub const MOSTRO_PLATFORM: &str = "mostro";

/// Returns the first tag named `name`, if any.
pub(crate) fn find<'a>(tags: &'a [Tag], name: &str) -> Option<&'a Tag> {
    tags.iter().find(|t| t.kind() == name)
}

/// Returns the first value of the first tag named `name`, if any.
pub(crate) fn value<'a>(tags: &'a [Tag], name: &str) -> Option<&'a str> {
    find(tags, name).and_then(Tag::content)
}

/// Returns the first value of the first tag named `name`, or `MissingTag`.
pub(crate) fn required<'a>(tags: &'a [Tag], name: &'static str) -> Result<&'a str, EventError> {
    value(tags, name).ok_or(EventError::MissingTag(name))
}

/// Parses `raw` with [`FromStr`], mapping a failure to [`EventError::InvalidTag`].
pub(crate) fn parse_as<T>(tag: &'static str, raw: &str) -> Result<T, EventError>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    raw.parse::<T>()
        .map_err(|e| EventError::invalid_because(tag, raw, e))
}

/// Parses an optional tag's first value with [`FromStr`].
pub(crate) fn optional<T>(tags: &[Tag], name: &'static str) -> Result<Option<T>, EventError>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    value(tags, name).map(|raw| parse_as(name, raw)).transpose()
}

/// Parses a required tag's first value with [`FromStr`].
pub(crate) fn required_as<T>(tags: &[Tag], name: &'static str) -> Result<T, EventError>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    parse_as(name, required(tags, name)?)
}

/// Parses a finite float (`NaN` and infinities are refused).
pub(crate) fn parse_finite(tag: &'static str, raw: &str) -> Result<f64, EventError> {
    let v: f64 = parse_as(tag, raw)?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(EventError::invalid(tag, raw))
    }
}

/// Parses a unix timestamp in seconds.
pub(crate) fn parse_timestamp(tag: &'static str, raw: &str) -> Result<Timestamp, EventError> {
    parse_as::<u64>(tag, raw).map(Timestamp::from_secs)
}

/// Builds a tag from a name and values.
pub(crate) fn tag<I, S>(name: &str, values: I) -> Tag
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    Tag::custom(name, values)
}

/// Refuses events of another kind.
pub(crate) fn expect_kind(event: &Event, expected: Kind) -> Result<(), EventError> {
    if event.kind == expected {
        Ok(())
    } else {
        Err(EventError::WrongKind {
            expected,
            actual: event.kind,
        })
    }
}

/// Signs `tags` as an event of `kind` with empty content at `created_at`.
pub(crate) fn sign(
    kind: Kind,
    content: &str,
    tags: Vec<Tag>,
    keys: &Keys,
    created_at: Timestamp,
) -> Result<Event, EventError> {
    EventBuilder::new(kind, content)
        .tags(tags)
        .custom_created_at(created_at)
        .finalize(keys)
        .map_err(EventError::Sign)
}

/// The `y` tag: publishing platform plus an optional instance name.
///
/// Mostro emits `["y","mostro"]` or `["y","mostro","<name>"]`; other NIP-69
/// publishers use their own platform name (e.g. `lnp2pbot`, `robosats`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    /// Platform name (first value).
    pub platform: String,
    /// Instance name (second value), if any.
    pub name: Option<String>,
}

impl Platform {
    /// Mostro's `y` tag. `name` is trimmed; a blank name is dropped.
    pub fn mostro(name: Option<&str>) -> Self {
        let name = name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        Self {
            platform: MOSTRO_PLATFORM.to_owned(),
            name,
        }
    }

    /// Whether this is a Mostro publication.
    pub fn is_mostro(&self) -> bool {
        self.platform == MOSTRO_PLATFORM
    }

    /// Renders the `y` tag.
    pub fn to_tag(&self) -> Tag {
        let mut values = vec![self.platform.clone()];
        values.extend(self.name.clone());
        tag("y", values)
    }

    /// Reads the first `y` tag, if present with a value.
    pub(crate) fn from_tags(tags: &[Tag]) -> Option<Self> {
        let y = find(tags, "y")?;
        let values = y.as_slice();
        let platform = values.get(1)?.clone();
        Some(Self {
            platform,
            name: values.get(2).cloned(),
        })
    }
}
