//! Errors raised while building or parsing Mostro public events.

use nostr::event::Kind;

/// Boxed source error of an unparseable tag value (integer, float, UUID, JSON, ...).
pub type ValueSource = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a public event could not be built (strict) or parsed (lenient).
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// The event is not of the kind the parser handles.
    #[error("unexpected event kind {actual} (expected {expected})")]
    WrongKind {
        /// Kind the parser handles.
        expected: Kind,
        /// Kind of the event that was given.
        actual: Kind,
    },
    /// A tag that the kind requires is absent (or present without a value).
    #[error("missing required tag `{0}`")]
    MissingTag(&'static str),
    /// A tag value could not be understood.
    #[error("invalid value {value:?} in tag `{tag}`")]
    InvalidTag {
        /// Tag name.
        tag: &'static str,
        /// Offending value, verbatim.
        value: String,
        /// Underlying parse error, when there is one.
        #[source]
        source: Option<ValueSource>,
    },
    /// The event content is not the JSON the kind requires.
    #[error("invalid event content")]
    InvalidContent(#[source] serde_json::Error),
    /// The domain value is not in a state that may be published.
    #[error("refusing to publish: {0}")]
    NotPublishable(&'static str),
    /// Signing the event failed.
    #[error("failed to sign event")]
    Sign(#[source] nostr::error::Error),
}

impl EventError {
    /// Builds an [`EventError::InvalidTag`] without an underlying source.
    pub(crate) fn invalid(tag: &'static str, value: impl Into<String>) -> Self {
        Self::InvalidTag {
            tag,
            value: value.into(),
            source: None,
        }
    }

    /// Builds an [`EventError::InvalidTag`] wrapping the parse error that caused it.
    pub(crate) fn invalid_because<E>(tag: &'static str, value: impl Into<String>, source: E) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        Self::InvalidTag {
            tag,
            value: value.into(),
            source: Some(Box::new(source)),
        }
    }
}
