//! The logical message (PROTOCOL.md §2): a wrapper key around a [`MessageKind`].
//!
//! [`Message::as_json`] produces the canonical compact form, which is exactly
//! the string a trade signature and the v2 identity proof cover (§1.2).
//! Receivers re-serialise what they parsed and verify against that, so a
//! sender must always sign `as_json()`, never hand-written JSON.

mod error;
mod kind;
mod verify;

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::action::Action;
use crate::cant_do::CantDoReason;
use crate::payload::Payload;

pub use error::{MessageError, UnknownVariant};
pub use kind::{MessageKind, PROTOCOL_VERSION, PROTOCOL_VERSION_V1};

/// A logical Mostro message: an externally tagged enum whose single key names
/// the channel (PROTOCOL.md §2.1). Every variant carries the same body.
///
/// The daemon dispatches on `action`; the wrapper is informational but the
/// conventional one should be used (see the §2.1 table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Message {
    /// `order`: almost everything order-related.
    Order(MessageKind),
    /// `dispute`: solver dispute actions.
    Dispute(MessageKind),
    /// `cant-do`: every `cant-do` reply.
    CantDo(MessageKind),
    /// `rate`: defined; the daemon sends ratings inside `order`.
    Rate(MessageKind),
    /// `dm`: defined (`send-dm`); not processed by the daemon.
    Dm(MessageKind),
    /// `restore`: `restore-session` and `last-trade-index`.
    Restore(MessageKind),
}

/// The wrapper key of a [`Message`], without its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Wrapper {
    /// `order`.
    Order,
    /// `dispute`.
    Dispute,
    /// `cant-do`.
    CantDo,
    /// `rate`.
    Rate,
    /// `dm`.
    Dm,
    /// `restore`.
    Restore,
}

impl Wrapper {
    /// Every wrapper, in declaration order.
    pub const ALL: [Wrapper; 6] = [
        Wrapper::Order,
        Wrapper::Dispute,
        Wrapper::CantDo,
        Wrapper::Rate,
        Wrapper::Dm,
        Wrapper::Restore,
    ];

    /// The JSON key of this wrapper.
    pub const fn as_str(self) -> &'static str {
        match self {
            Wrapper::Order => "order",
            Wrapper::Dispute => "dispute",
            Wrapper::CantDo => "cant-do",
            Wrapper::Rate => "rate",
            Wrapper::Dm => "dm",
            Wrapper::Restore => "restore",
        }
    }
}

impl fmt::Display for Wrapper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Message {
    /// Wraps `kind` under `wrapper`.
    pub fn from_parts(wrapper: Wrapper, kind: MessageKind) -> Self {
        match wrapper {
            Wrapper::Order => Message::Order(kind),
            Wrapper::Dispute => Message::Dispute(kind),
            Wrapper::CantDo => Message::CantDo(kind),
            Wrapper::Rate => Message::Rate(kind),
            Wrapper::Dm => Message::Dm(kind),
            Wrapper::Restore => Message::Restore(kind),
        }
    }

    /// An `order`-wrapped message.
    pub fn new_order(kind: MessageKind) -> Self {
        Message::Order(kind)
    }

    /// A `dispute`-wrapped message.
    pub fn new_dispute(kind: MessageKind) -> Self {
        Message::Dispute(kind)
    }

    /// A `rate`-wrapped message.
    pub fn new_rate(kind: MessageKind) -> Self {
        Message::Rate(kind)
    }

    /// A `dm`-wrapped message.
    pub fn new_dm(kind: MessageKind) -> Self {
        Message::Dm(kind)
    }

    /// A `restore`-wrapped message.
    pub fn new_restore(kind: MessageKind) -> Self {
        Message::Restore(kind)
    }

    /// A `cant-do` reply (PROTOCOL.md §5.15): wrapper `cant-do`, action
    /// `cant-do`, the request's `id` and echoed `request_id`, and the reason
    /// (which may be absent) as payload.
    pub fn cant_do(
        id: Option<Uuid>,
        request_id: Option<u64>,
        reason: Option<CantDoReason>,
    ) -> Self {
        Message::CantDo(
            MessageKind::new(Action::CantDo)
                .with_id(id)
                .with_request_id(request_id)
                .with_payload(Payload::CantDo(reason)),
        )
    }

    /// Parses a message from JSON.
    ///
    /// Accepts everything the reference parser accepts (missing optional
    /// keys, unknown body keys, any UUID notation) and refuses the rest:
    /// wrong casing, wrong tuple arity, out-of-range or non-integer numbers,
    /// duplicate keys, several wrapper keys, unknown `SmallOrder` keys and
    /// trailing characters.
    ///
    /// # Errors
    ///
    /// [`MessageError::Json`] when `s` is not a valid message.
    pub fn from_json(s: &str) -> Result<Self, MessageError> {
        serde_json::from_str(s).map_err(MessageError::Json)
    }

    /// Renders the canonical compact JSON (PROTOCOL.md §1.2): the exact
    /// string that is hashed and signed.
    ///
    /// # Errors
    ///
    /// [`MessageError::Json`] if serialisation fails, which cannot happen for
    /// values of these types; prefer [`Message::as_json`].
    pub fn to_json(&self) -> Result<String, MessageError> {
        serde_json::to_string(self).map_err(MessageError::Json)
    }

    /// Renders the canonical compact JSON (PROTOCOL.md §1.2): the exact
    /// string that is hashed and signed.
    ///
    /// Serialising these types cannot fail (every field is a string, an
    /// integer, a bool, a float or a UUID). Should it ever fail, the result is
    /// the empty string, which no receiver accepts as a message.
    pub fn as_json(&self) -> String {
        self.to_json().unwrap_or_default()
    }

    /// The structural check of PROTOCOL.md §2.3 on the body (the wrapper
    /// key plays no part).
    pub fn verify(&self) -> bool {
        self.inner().verify()
    }

    /// The wrapper key.
    pub fn wrapper(&self) -> Wrapper {
        match self {
            Message::Order(_) => Wrapper::Order,
            Message::Dispute(_) => Wrapper::Dispute,
            Message::CantDo(_) => Wrapper::CantDo,
            Message::Rate(_) => Wrapper::Rate,
            Message::Dm(_) => Wrapper::Dm,
            Message::Restore(_) => Wrapper::Restore,
        }
    }

    /// The body.
    pub fn inner(&self) -> &MessageKind {
        match self {
            Message::Order(k)
            | Message::Dispute(k)
            | Message::CantDo(k)
            | Message::Rate(k)
            | Message::Dm(k)
            | Message::Restore(k) => k,
        }
    }

    /// The body, mutably.
    pub fn inner_mut(&mut self) -> &mut MessageKind {
        match self {
            Message::Order(k)
            | Message::Dispute(k)
            | Message::CantDo(k)
            | Message::Rate(k)
            | Message::Dm(k)
            | Message::Restore(k) => k,
        }
    }

    /// Splits the message into its wrapper and body.
    pub fn into_parts(self) -> (Wrapper, MessageKind) {
        let wrapper = self.wrapper();
        let kind = match self {
            Message::Order(k)
            | Message::Dispute(k)
            | Message::CantDo(k)
            | Message::Rate(k)
            | Message::Dm(k)
            | Message::Restore(k) => k,
        };
        (wrapper, kind)
    }

    /// The body's action.
    pub fn action(&self) -> Action {
        self.inner().action
    }

    /// The body's `id`.
    pub fn id(&self) -> Option<Uuid> {
        self.inner().id
    }

    /// The body's `request_id`.
    pub fn request_id(&self) -> Option<u64> {
        self.inner().request_id
    }

    /// The body's `trade_index`.
    pub fn trade_index(&self) -> Option<i64> {
        self.inner().trade_index
    }

    /// The body's payload.
    pub fn payload(&self) -> Option<&Payload> {
        self.inner().payload.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORDER_ID: &str = "308e1272-d5f4-47e6-bd97-3504baea9c23";

    #[test]
    fn cant_do_builds_the_spec_shape() {
        let msg = Message::cant_do(
            Some(ORDER_ID.parse().unwrap()),
            Some(9),
            Some(CantDoReason::NotAllowedByStatus),
        );
        assert_eq!(
            msg.as_json(),
            r#"{"cant-do":{"version":2,"request_id":9,"trade_index":null,"id":"308e1272-d5f4-47e6-bd97-3504baea9c23","action":"cant-do","payload":{"cant_do":"not_allowed_by_status"}}}"#
        );
        assert!(msg.verify());
        assert_eq!(msg.wrapper(), Wrapper::CantDo);
    }

    #[test]
    fn builder_matches_the_restore_example() {
        let msg =
            Message::new_restore(MessageKind::new(Action::LastTradeIndex).with_trade_index(7));
        assert_eq!(
            msg.as_json(),
            r#"{"restore":{"version":2,"request_id":null,"trade_index":7,"action":"last-trade-index","payload":null}}"#
        );
    }

    #[test]
    fn parts_round_trip_for_every_wrapper() {
        for wrapper in Wrapper::ALL {
            let kind = MessageKind::new(Action::Cancel).with_id(Uuid::from_u128(7));
            let msg = Message::from_parts(wrapper, kind.clone());
            assert_eq!(msg.wrapper(), wrapper);
            assert!(msg.as_json().starts_with(&format!("{{\"{wrapper}\":")));
            assert_eq!(msg.clone().into_parts(), (wrapper, kind));
            assert_eq!(Message::from_json(&msg.as_json()).unwrap(), msg);
        }
    }

    #[test]
    fn inner_mut_edits_the_body() {
        let mut msg = Message::new_order(MessageKind::new(Action::Cancel));
        assert!(!msg.verify());
        msg.inner_mut().id = Some(Uuid::from_u128(1));
        assert!(msg.verify());
        assert_eq!(msg.id(), Some(Uuid::from_u128(1)));
    }

    #[test]
    fn rating_accessor_checks_range_and_payload() {
        let rate = |r| MessageKind::new(Action::RateUser).with_payload(Payload::RatingUser(r));
        assert_eq!(rate(1).rating().unwrap(), 1);
        assert_eq!(rate(5).rating().unwrap(), 5);
        assert!(matches!(
            rate(0).rating(),
            Err(MessageError::InvalidRating(0))
        ));
        assert!(matches!(
            rate(6).rating(),
            Err(MessageError::InvalidRating(6))
        ));
        let none = MessageKind::new(Action::RateUser).with_payload(Payload::Amount(5));
        assert!(matches!(none.rating(), Err(MessageError::MissingRating)));
    }

    #[test]
    fn refuses_two_wrappers_duplicates_and_trailing_text() {
        let body = r#"{"version":2,"id":"308e1272-d5f4-47e6-bd97-3504baea9c23","action":"cancel"}"#;
        assert!(Message::from_json(&format!(r#"{{"order":{body}}}"#)).is_ok());
        assert!(Message::from_json(&format!(r#"{{"order":{body},"dispute":{body}}}"#)).is_err());
        assert!(Message::from_json(&format!(r#"{{"order":{body},"order":{body}}}"#)).is_err());
        assert!(Message::from_json(&format!(r#"{{"order":{body}}} x"#)).is_err());
        let dup_version = r#"{"order":{"version":2,"version":2,"id":"308e1272-d5f4-47e6-bd97-3504baea9c23","action":"cancel"}}"#;
        assert!(Message::from_json(dup_version).is_err());
    }

    #[test]
    fn integers_refuse_floats_and_exponents() {
        for payload in [
            r#"{"amount":1e3}"#,
            r#"{"amount":1.0}"#,
            r#"{"rating_user":256}"#,
        ] {
            let json = format!(
                r#"{{"order":{{"version":2,"id":"{ORDER_ID}","action":"take-buy","payload":{payload}}}}}"#
            );
            assert!(Message::from_json(&json).is_err(), "{payload}");
        }
        let too_big = r#"{"order":{"version":2,"request_id":18446744073709551616,"action":"orders","payload":{"ids":[]}}}"#;
        assert!(Message::from_json(too_big).is_err());
        let max = r#"{"order":{"version":2,"request_id":18446744073709551615,"trade_index":null,"action":"orders","payload":{"ids":[]}}}"#;
        assert_eq!(Message::from_json(max).unwrap().as_json(), max);
    }

    #[test]
    fn uuid_notations_are_accepted_and_canonicalised() {
        for id in [
            "308E1272-D5F4-47E6-BD97-3504BAEA9C23",
            "{308e1272-d5f4-47e6-bd97-3504baea9c23}",
            "urn:uuid:308e1272-d5f4-47e6-bd97-3504baea9c23",
            "308e1272d5f447e6bd973504baea9c23",
        ] {
            let json = format!(r#"{{"order":{{"version":2,"id":"{id}","action":"cancel"}}}}"#);
            let msg = Message::from_json(&json).unwrap();
            assert_eq!(msg.id(), Some(ORDER_ID.parse().unwrap()));
            assert!(msg.as_json().contains(ORDER_ID));
        }
    }
}
