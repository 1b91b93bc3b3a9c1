//! The `new-order` request body (PROTOCOL.md §5.2) and its local validation.

use mostro_protocol::{Kind, SmallOrder, Status};

use super::unix_now;
use crate::error::ClientError;

/// How much an order is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAmount {
    /// A fixed sats amount for a fiat amount (no premium allowed).
    Fixed {
        /// Sats.
        sats: i64,
        /// Fiat units.
        fiat: i64,
    },
    /// A fiat amount at market price, adjusted by `premium` percent.
    Market {
        /// Fiat units.
        fiat: i64,
        /// Percent (may be negative).
        premium: i64,
    },
    /// A fiat range at market price; takers pick an amount inside it.
    Range {
        /// Smallest fiat amount.
        min: i64,
        /// Largest fiat amount.
        max: i64,
        /// Percent (may be negative).
        premium: i64,
    },
}

/// A new order to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    /// `sell` (we sell sats) or `buy`.
    pub kind: Kind,
    /// Fiat currency code (compared case-sensitively by the daemon).
    pub fiat_code: String,
    /// Amount.
    pub amount: OrderAmount,
    /// Payment methods (joined with `,`; none may contain a comma).
    pub payment_methods: Vec<String>,
    /// Buy orders only: payout destination given up front — an amountless
    /// bolt11, a Lightning address or an LNURL (§5.2).
    pub buyer_invoice: Option<String>,
    /// Requested end of the take window (unix seconds); `None` = node default.
    pub expires_at: Option<i64>,
}

pub(super) fn invalid(text: &str) -> ClientError {
    ClientError::InvalidInput(text.to_owned())
}

impl NewOrder {
    /// The `SmallOrder` of the `new-order` request, after local validation
    /// of the rules the daemon enforces (§5.2).
    pub fn to_small_order(&self) -> Result<SmallOrder, ClientError> {
        if self.fiat_code.trim().is_empty() {
            return Err(invalid("a fiat currency code is required"));
        }
        if self.payment_methods.is_empty()
            || self
                .payment_methods
                .iter()
                .any(|m| m.trim().is_empty() || m.contains(','))
        {
            return Err(invalid(
                "give at least one payment method, none empty or containing a comma",
            ));
        }
        let (sats, fiat, range, premium) = match self.amount {
            OrderAmount::Fixed { sats, fiat } if sats > 0 && fiat > 0 => (sats, fiat, None, 0),
            OrderAmount::Fixed { .. } => {
                return Err(invalid("fixed orders need positive sats and fiat amounts"))
            }
            OrderAmount::Market { fiat, premium } if fiat > 0 => (0, fiat, None, premium),
            OrderAmount::Market { .. } => return Err(invalid("the fiat amount must be positive")),
            OrderAmount::Range { min, max, premium } if min >= 0 && min < max => {
                (0, 0, Some((min, max)), premium)
            }
            OrderAmount::Range { .. } => {
                return Err(invalid("a range needs 0 <= min < max"));
            }
        };
        if self.buyer_invoice.is_some() && self.kind != Kind::Buy {
            return Err(invalid("only buy orders carry a payout invoice"));
        }
        if let Some(expires_at) = self.expires_at {
            // `0` would expire the order at once on the reference daemon (§11.17).
            let now = i64::try_from(unix_now()).unwrap_or(i64::MAX);
            if expires_at <= now {
                return Err(invalid("the expiry must be in the future"));
            }
        }
        let mut order = SmallOrder::new(
            sats,
            self.fiat_code.clone(),
            fiat,
            self.payment_methods.join(","),
            premium,
        );
        order.kind = Some(self.kind);
        order.status = Some(Status::Pending);
        order.min_amount = range.map(|(min, _)| min);
        order.max_amount = range.map(|(_, max)| max);
        order.buyer_invoice = self.buyer_invoice.clone();
        order.created_at = Some(0);
        order.expires_at = self.expires_at;
        Ok(order)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(amount: OrderAmount) -> NewOrder {
        NewOrder {
            kind: Kind::Sell,
            fiat_code: "VES".into(),
            amount,
            payment_methods: vec!["face to face".into(), "bank transfer".into()],
            buyer_invoice: None,
            expires_at: None,
        }
    }

    #[test]
    fn market_order_matches_the_canonical_example() {
        let order = base(OrderAmount::Market {
            fiat: 100,
            premium: 1,
        })
        .to_small_order()
        .unwrap();
        let json = serde_json::to_string(&order).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"sell","status":"pending","amount":0,"fiat_code":"VES","min_amount":null,"max_amount":null,"fiat_amount":100,"payment_method":"face to face,bank transfer","premium":1,"created_at":0,"expires_at":null}"#
        );
    }

    #[test]
    fn range_and_fixed_orders_are_shaped_and_validated() {
        let range = base(OrderAmount::Range {
            min: 10,
            max: 20,
            premium: -2,
        })
        .to_small_order()
        .unwrap();
        assert!(range.is_range());
        assert_eq!((range.amount, range.fiat_amount), (0, 0));
        let fixed = base(OrderAmount::Fixed {
            sats: 5000,
            fiat: 3,
        })
        .to_small_order()
        .unwrap();
        assert_eq!((fixed.amount, fixed.premium), (5000, 0));
        for bad in [
            OrderAmount::Range {
                min: 20,
                max: 20,
                premium: 0,
            },
            OrderAmount::Market {
                fiat: 0,
                premium: 0,
            },
            OrderAmount::Fixed { sats: 0, fiat: 3 },
        ] {
            assert!(matches!(
                base(bad).to_small_order(),
                Err(ClientError::InvalidInput(_))
            ));
        }
        let mut with_invoice = base(OrderAmount::Market {
            fiat: 1,
            premium: 0,
        });
        with_invoice.buyer_invoice = Some("me@example.com".into());
        assert!(with_invoice.to_small_order().is_err());
        with_invoice.kind = Kind::Buy;
        assert_eq!(
            with_invoice
                .to_small_order()
                .unwrap()
                .buyer_invoice
                .as_deref(),
            Some("me@example.com")
        );
        let mut expired = base(OrderAmount::Market {
            fiat: 1,
            premium: 0,
        });
        expired.expires_at = Some(0);
        assert!(expired.to_small_order().is_err());
    }
}
