//! `sell` and `buy`: publishing a new order.

use mostro_client::{NewOrder, OrderAmount};
use mostro_protocol::Kind;

use super::emit_reply;
use crate::args::OrderArgs;
use crate::context::Context;
use crate::error::CliError;

/// A fiat amount as typed: one value, or `MIN-MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FiatArg {
    Fixed(i64),
    Range(i64, i64),
}

fn parse_fiat(raw: &str) -> Result<FiatArg, CliError> {
    let bad = || {
        CliError::Usage(format!(
            "`--fiat {raw}` is not an amount; give a whole number (100) or a range (10-100)"
        ))
    };
    let number = |s: &str| s.trim().parse::<i64>().map_err(|_| bad());
    match raw.split_once('-') {
        Some((min, max)) => Ok(FiatArg::Range(number(min)?, number(max)?)),
        None => Ok(FiatArg::Fixed(number(raw)?)),
    }
}

/// The order's amount from `--fiat`, `--sats` and `--premium`.
fn amount(args: &OrderArgs) -> Result<OrderAmount, CliError> {
    let premium = args.premium.unwrap_or(0);
    match (parse_fiat(&args.fiat)?, args.sats) {
        (FiatArg::Range(..), Some(_)) => Err(CliError::Usage(
            "range orders are priced at market; drop --sats (use --premium to adjust)".into(),
        )),
        (FiatArg::Range(min, max), None) => Ok(OrderAmount::Range { min, max, premium }),
        (FiatArg::Fixed(fiat), Some(sats)) => Ok(OrderAmount::Fixed { sats, fiat }),
        (FiatArg::Fixed(fiat), None) => Ok(OrderAmount::Market { fiat, premium }),
    }
}

fn new_order(kind: Kind, args: &OrderArgs, invoice: Option<String>) -> Result<NewOrder, CliError> {
    let expires_at = match args.expires_in {
        Some(hours) => {
            let now = i64::try_from(crate::render::now()).unwrap_or(i64::MAX);
            let secs = i64::try_from(hours.saturating_mul(3600)).unwrap_or(i64::MAX);
            Some(now.saturating_add(secs))
        }
        None => None,
    };
    Ok(NewOrder {
        kind,
        // ISO 4217 codes are upper case; the daemon compares them exactly.
        fiat_code: args.currency.trim().to_uppercase(),
        amount: amount(args)?,
        payment_methods: args.methods.iter().map(|m| m.trim().to_owned()).collect(),
        buyer_invoice: invoice,
        expires_at,
    })
}

/// Publishes a new order of `kind`.
pub async fn create(
    ctx: &Context,
    kind: Kind,
    args: &OrderArgs,
    invoice: Option<String>,
) -> Result<(), CliError> {
    let order = new_order(kind, args, invoice)?;
    // Catch bad terms before connecting anywhere.
    order.to_small_order()?;
    let client = ctx.client()?;
    let result = client.create_order(&order).await;
    client.shutdown().await;
    emit_reply(ctx, &result?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(fiat: &str, sats: Option<i64>, premium: Option<i64>) -> OrderArgs {
        OrderArgs {
            fiat: fiat.into(),
            currency: "usd".into(),
            methods: vec!["bank transfer".into()],
            sats,
            premium,
            expires_in: None,
        }
    }

    #[test]
    fn fiat_sats_and_premium_choose_the_order_type() -> Result<(), CliError> {
        assert_eq!(
            amount(&args("100", None, Some(2)))?,
            OrderAmount::Market {
                fiat: 100,
                premium: 2
            }
        );
        assert_eq!(
            amount(&args("50", Some(80_000), None))?,
            OrderAmount::Fixed {
                sats: 80_000,
                fiat: 50
            }
        );
        assert_eq!(
            amount(&args("10-100", None, Some(-1)))?,
            OrderAmount::Range {
                min: 10,
                max: 100,
                premium: -1
            }
        );
        assert!(amount(&args("10-100", Some(5), None)).is_err());
        assert!(amount(&args("ten", None, None)).is_err());
        let order = new_order(Kind::Sell, &args("100", None, None), None)?;
        assert_eq!(order.fiat_code, "USD");
        Ok(())
    }
}
