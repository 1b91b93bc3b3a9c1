//! The message body shared by every wrapper (PROTOCOL.md §2.2).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::MessageError;
use crate::action::Action;
use crate::payload::Payload;

/// Protocol version stamped on messages carried by the v2 (kind 14) transport.
pub const PROTOCOL_VERSION: u8 = 2;

/// Protocol version stamped on messages carried by the v1 gift wrap transport.
pub const PROTOCOL_VERSION_V1: u8 = 1;

/// The body of a [`super::Message`] (PROTOCOL.md §2.2).
///
/// Serialisation order is field order. `request_id`, `trade_index` and
/// `payload` are always emitted (`null` when absent) and may be missing on
/// input; `id` is omitted when absent. Unknown keys are ignored on input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageKind {
    /// Protocol version (`2` on kind 14, `1` on gift wrap).
    pub version: u8,
    /// Client correlation id, echoed on the direct reply.
    pub request_id: Option<u64>,
    /// The user's trade index (§8.3), or the index a reply tells the client to use.
    pub trade_index: Option<i64>,
    /// Order id, or dispute id for `admin-take-dispute`/`admin-took-dispute`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// The verb.
    pub action: Action,
    /// Typed content, if any.
    pub payload: Option<Payload>,
}

impl MessageKind {
    /// A body for `action` at [`PROTOCOL_VERSION`], with every optional field absent.
    ///
    /// Chain the `with_*` helpers to fill in the rest.
    pub fn new(action: Action) -> Self {
        Self {
            version: PROTOCOL_VERSION,
            request_id: None,
            trade_index: None,
            id: None,
            action,
            payload: None,
        }
    }

    /// Sets `version`.
    #[must_use]
    pub fn with_version(mut self, version: u8) -> Self {
        self.version = version;
        self
    }

    /// Sets `id` (order or dispute id).
    #[must_use]
    pub fn with_id(mut self, id: impl Into<Option<Uuid>>) -> Self {
        self.id = id.into();
        self
    }

    /// Sets `request_id`.
    #[must_use]
    pub fn with_request_id(mut self, request_id: impl Into<Option<u64>>) -> Self {
        self.request_id = request_id.into();
        self
    }

    /// Sets `trade_index`.
    #[must_use]
    pub fn with_trade_index(mut self, trade_index: impl Into<Option<i64>>) -> Self {
        self.trade_index = trade_index.into();
        self
    }

    /// Sets `payload`.
    #[must_use]
    pub fn with_payload(mut self, payload: impl Into<Option<Payload>>) -> Self {
        self.payload = payload.into();
        self
    }

    /// The `rating_user` value, if it is a valid rating (`1..=5`, PROTOCOL.md §5.8).
    ///
    /// # Errors
    ///
    /// [`MessageError::MissingRating`] when the payload is not `rating_user`,
    /// [`MessageError::InvalidRating`] when the value is out of range.
    pub fn rating(&self) -> Result<u8, MessageError> {
        match self.payload {
            Some(Payload::RatingUser(value)) if (1..=5).contains(&value) => Ok(value),
            Some(Payload::RatingUser(value)) => Err(MessageError::InvalidRating(value)),
            _ => Err(MessageError::MissingRating),
        }
    }

    /// The structural check of PROTOCOL.md §2.3: is `id` present when the
    /// action needs one, and is the payload one the action allows?
    ///
    /// The daemon silently drops inbound messages for which this is false.
    /// Some replies Mostro itself sends fail it (see §2.3); clients must not
    /// run it on those.
    pub fn verify(&self) -> bool {
        super::verify::verify(self)
    }
}
