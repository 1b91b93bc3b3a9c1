//! Errors raised while parsing or inspecting logical messages.

use thiserror::Error;

/// A string that is not one of the wire spellings of a protocol enum.
///
/// Returned by the `FromStr` implementations of [`crate::action::Action`],
/// [`crate::cant_do::CantDoReason`], [`crate::status::Status`],
/// [`crate::status::DisputeStatus`] and [`crate::order::Kind`]. Matching is
/// exact and case-sensitive, like the serde representation.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown {type_name} value: {value:?}")]
pub struct UnknownVariant {
    /// Name of the enum that was being parsed.
    pub type_name: &'static str,
    /// The refused input.
    pub value: String,
}

impl UnknownVariant {
    /// Builds the error for `value` refused by the enum named `type_name`.
    pub fn new(type_name: &'static str, value: &str) -> Self {
        Self {
            type_name,
            value: value.to_owned(),
        }
    }
}

/// Why a logical message could not be parsed, rendered or interpreted.
#[derive(Debug, Error)]
pub enum MessageError {
    /// The JSON text is not a valid `Message` (PROTOCOL.md §2, §3).
    #[error("invalid message JSON")]
    Json(#[source] serde_json::Error),
    /// The message carries no `rating_user` payload.
    #[error("message has no rating_user payload")]
    MissingRating,
    /// The `rating_user` value is outside `1..=5` (PROTOCOL.md §5.8).
    #[error("rating {0} is outside 1..=5")]
    InvalidRating(u8),
}
