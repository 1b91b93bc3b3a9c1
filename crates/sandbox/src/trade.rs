//! The scripted sell trade, step by step, driving `mostro-cli` for both users
//! and the seller's and buyer's LND nodes for the Lightning side.

use std::time::Duration;

use serde_json::Value;
use testnet::{Network, PaymentOutcome};

use crate::cli::{update_code, CliUser, Watcher};
use crate::error::{within, Result, SandboxError};
use crate::ln::{decode, locals, paid_fee, settled_locals, wait_invoice_state, Locals};
use crate::timeline::{delta, sats, short, Timeline};
use testnet::mostrod::{party_fee, FEE_FRACTION};

/// Sats of the scripted order.
pub const TRADE_SATS: u64 = 50_000;
/// Fiat side of the scripted order.
const FIAT: &str = "100";
const CURRENCY: &str = "USD";
const METHOD: &str = "bank transfer";

/// How long one step may wait for Mostro or LND.
const STEP: Duration = Duration::from_secs(90);

/// The balances a settled trade must leave, given the routing fees paid.
pub fn expected_after(
    before: Locals,
    sats: u64,
    seller_routing: u64,
    payout_routing: u64,
) -> Locals {
    let fee = party_fee(sats);
    Locals {
        seller: before.seller.saturating_sub(sats + fee + seller_routing),
        mostro: (before.mostro + 2 * fee).saturating_sub(payout_routing),
        buyer: before.buyer + sats - fee,
    }
}

/// What the trade needs: the network and the two users.
#[derive(Debug)]
pub struct Trade<'a> {
    /// The regtest network.
    pub net: &'a Network,
    /// The seller (maker of the sell order).
    pub seller: &'a CliUser,
    /// The buyer (taker).
    pub buyer: &'a CliUser,
    /// Where the users' `watch` processes write their stderr.
    pub watch_logs: [std::path::PathBuf; 2],
}

/// The outcome of a completed trade.
#[derive(Debug, Clone)]
pub struct TradeReport {
    /// The order id.
    pub order_id: String,
    /// Balances before.
    pub before: Locals,
    /// Balances after.
    pub after: Locals,
}

fn order_status(doc: &Value) -> String {
    doc.pointer("/order/status")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_owned()
}

fn expect_code(step: &str, doc: &Value, allowed: &[&str]) -> Result<String> {
    let code = update_code(doc);
    if allowed.contains(&code) {
        Ok(code.to_owned())
    } else {
        Err(SandboxError::step(
            step,
            format!("expected {allowed:?}, Mostro answered {doc}"),
        ))
    }
}

/// Polls `orders --status all` as `user` until order `id` is listed with `status`.
async fn wait_book_status(user: &CliUser, id: &str, status: &str) -> Result<Value> {
    let step = format!("order {id} in the book as `{status}`");
    within(&step, STEP, async {
        loop {
            let book = user.run(&["orders", "--status", "all"]).await?;
            let found = book
                .get("orders")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|o| o.get("id").and_then(Value::as_str) == Some(id))
                .cloned();
            if let Some(order) =
                found.filter(|o| o.get("status").and_then(Value::as_str) == Some(status))
            {
                return Ok(order);
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    })
    .await
}

/// Creates the user's mnemonic unless it exists.
pub async fn init_user(user: &CliUser, tl: &Timeline) -> Result<()> {
    let existed = user.data_dir.join("mnemonic").exists();
    let doc = user.run(&["init"]).await?;
    let identity = doc.get("identity").and_then(Value::as_str).unwrap_or("?");
    let what = if existed { "reused" } else { "created" };
    tl.say(
        &user.name,
        format!(
            "mostro-cli init: {what} {}, identity {identity}",
            user.data_dir.display()
        ),
    );
    Ok(())
}

impl Trade<'_> {
    /// Runs the whole trade; every wait is bounded and names its step.
    pub async fn run(&self, tl: &Timeline) -> Result<TradeReport> {
        let (seller, buyer) = (self.seller, self.buyer);
        let fee = party_fee(TRADE_SATS);

        tl.section("The daemon");
        let info = within("read the daemon's info event", STEP, async {
            loop {
                match buyer.run(&["info"]).await {
                    Ok(info) => return Ok(info),
                    Err(_) => tokio::time::sleep(Duration::from_secs(1)).await,
                }
            }
        })
        .await?;
        tl.say(
            "buyer",
            format!(
                "mostro-cli info: fee {}, orders {}..{} sats, networks {}",
                info.get("fee").unwrap_or(&Value::Null),
                info.get("min_order_sats").unwrap_or(&Value::Null),
                info.get("max_order_sats").unwrap_or(&Value::Null),
                info.get("lightning_networks").unwrap_or(&Value::Null),
            ),
        );

        let before = locals(self.net).await?;
        tl.say(
            "ln",
            format!(
                "channel balances before: seller {}, mostro {}, buyer {}",
                sats(before.seller),
                sats(before.mostro),
                sats(before.buyer)
            ),
        );

        let mut seller_watch = seller.watch(&self.watch_logs[0])?;
        let mut buyer_watch = buyer.watch(&self.watch_logs[1])?;
        let result = self
            .steps(tl, &mut seller_watch, &mut buyer_watch, before, fee)
            .await;
        seller_watch.stop().await;
        buyer_watch.stop().await;
        result
    }

    async fn steps(
        &self,
        tl: &Timeline,
        seller_watch: &mut Watcher,
        buyer_watch: &mut Watcher,
        before: Locals,
        fee: u64,
    ) -> Result<TradeReport> {
        let (seller, buyer, net) = (self.seller, self.buyer, self.net);
        tl.section("The trade");
        let amount = TRADE_SATS.to_string();
        let created = seller
            .run(&[
                "sell",
                "--fiat",
                FIAT,
                "--currency",
                CURRENCY,
                "--method",
                METHOD,
                "--sats",
                &amount,
            ])
            .await?;
        expect_code("sell", &created, &["new-order"])?;
        let id = created
            .pointer("/order/id")
            .and_then(Value::as_str)
            .ok_or_else(|| SandboxError::step("sell", format!("no order id in {created}")))?
            .to_owned();
        tl.say("seller", format!(
            "mostro-cli sell --fiat {FIAT} --currency {CURRENCY} --method \"{METHOD}\" --sats {amount} -> order {id} ({})",
            order_status(&created)
        ));
        wait_book_status(buyer, &id, "pending").await?;
        tl.say(
            "buyer",
            format!("mostro-cli orders: sees order {id} (pending) in the book"),
        );

        let payout = net
            .buyer()
            .create_invoice(TRADE_SATS - fee, "sandbox payout")
            .await?;
        tl.say(
            "buyer-ln",
            format!(
                "creates an invoice for {} sats (amount - {fee} fee): {}",
                sats(TRADE_SATS - fee),
                short(&payout.payment_request, 24)
            ),
        );
        let taken = buyer
            .run(&["take-sell", &id, "--invoice", &payout.payment_request])
            .await?;
        let code = expect_code("take-sell", &taken, &["waiting-seller-to-pay"])?;
        tl.say(
            "buyer",
            format!(
                "mostro-cli take-sell {id} --invoice <bolt11> -> {code} ({})",
                order_status(&taken)
            ),
        );

        let ask = seller_watch
            .expect("seller gets the hold invoice", &id, "pay-invoice", STEP)
            .await?;
        let hold = ask
            .pointer("/update/invoice")
            .and_then(Value::as_str)
            .ok_or_else(|| SandboxError::step("pay-invoice", format!("no invoice in {ask}")))?
            .to_owned();
        let shown = seller.run(&["show-invoice", &id]).await?;
        if shown.get("invoice").and_then(Value::as_str) != Some(hold.as_str()) {
            return Err(SandboxError::step(
                "show-invoice",
                format!("shows {shown}, watch said {hold}"),
            ));
        }
        let (hold_sats, hold_hash) = decode(net.mostro(), &hold).await?;
        if hold_sats != TRADE_SATS + fee {
            return Err(SandboxError::step(
                "hold invoice",
                format!(
                    "amount {hold_sats}, expected {} (amount + fee)",
                    TRADE_SATS + fee
                ),
            ));
        }
        tl.say("seller", format!(
            "mostro-cli watch: pay-invoice, a hold invoice of {} sats (amount + {fee} fee); show-invoice agrees",
            sats(hold_sats)
        ));
        tl.say(
            "mostro-ln",
            format!(
                "hold invoice {} is {}",
                short(&hold_hash, 12),
                net.mostro().invoice_state(&hold_hash).await?
            ),
        );

        let payment = net.seller().pay_invoice_background(&hold)?;
        tl.say(
            "seller-ln",
            "pays the hold invoice (lncli payinvoice; stays in flight until release)",
        );
        let state = wait_invoice_state(net.mostro(), &hold_hash, "ACCEPTED", STEP).await?;
        if state != "ACCEPTED" {
            return Err(SandboxError::step(
                "hold invoice accepted",
                format!("still {state}"),
            ));
        }
        tl.say(
            "mostro-ln",
            format!(
                "hold invoice {} is ACCEPTED: the sats are locked",
                short(&hold_hash, 12)
            ),
        );

        let active = seller_watch
            .expect("seller told the trade is active", &id, "active", STEP)
            .await?;
        tl.say(
            "seller",
            format!("mostro-cli watch: active ({})", order_status(&active)),
        );
        let active = buyer_watch
            .expect("buyer told the trade is active", &id, "active", STEP)
            .await?;
        tl.say(
            "buyer",
            format!(
                "mostro-cli watch: active ({}): send the fiat",
                order_status(&active)
            ),
        );

        let sent = buyer.run(&["fiat-sent", &id]).await?;
        let code = expect_code("fiat-sent", &sent, &["fiat-sent-ok"])?;
        tl.say(
            "buyer",
            format!(
                "mostro-cli fiat-sent {id} -> {code} ({})",
                order_status(&sent)
            ),
        );
        seller_watch
            .expect("seller told the fiat was sent", &id, "fiat-sent-ok", STEP)
            .await?;
        tl.say(
            "seller",
            "mostro-cli watch: fiat-sent-ok: check the bank, then release",
        );

        let released = seller.run(&["release", &id]).await?;
        let code = expect_code(
            "release",
            &released,
            &[
                "hold-invoice-payment-settled",
                "released",
                "purchase-completed",
            ],
        )?;
        tl.say(
            "seller",
            format!(
                "mostro-cli release {id} -> {code} ({})",
                order_status(&released)
            ),
        );
        let state = wait_invoice_state(net.mostro(), &hold_hash, "SETTLED", STEP).await?;
        tl.say(
            "mostro-ln",
            format!("hold invoice {} is {state}", short(&hold_hash, 12)),
        );
        if state != "SETTLED" {
            return Err(SandboxError::step(
                "hold invoice settled",
                format!("still {state}"),
            ));
        }
        let outcome = within("seller's payment completes", STEP, async {
            Ok(payment.wait().await?)
        })
        .await?;
        let seller_routing = match outcome {
            PaymentOutcome::Succeeded { fee_sat, .. } => fee_sat,
            PaymentOutcome::Failed { reason } => {
                return Err(SandboxError::step("seller's payment", reason));
            }
        };
        tl.say(
            "seller-ln",
            format!("payment SUCCEEDED (routing fee {seller_routing} sats)"),
        );

        buyer_watch
            .expect("buyer paid", &id, "purchase-completed", STEP)
            .await?;
        let state = wait_invoice_state(net.buyer(), &payout.payment_hash, "SETTLED", STEP).await?;
        tl.say(
            "buyer",
            format!("mostro-cli watch: purchase-completed; payout invoice at buyer-ln is {state}"),
        );
        if state != "SETTLED" {
            return Err(SandboxError::step(
                "buyer's invoice settled",
                format!("still {state}"),
            ));
        }
        let payout_routing = paid_fee(net.mostro(), &payout.payment_hash)
            .await?
            .ok_or_else(|| {
                SandboxError::step(
                    "daemon payout",
                    "mostro's node has no successful payment of the buyer's invoice",
                )
            })?;

        for (user, who) in [(seller, "seller"), (buyer, "buyer")] {
            let rated = user.run(&["rate", &id, "5"]).await?;
            let code = expect_code("rate", &rated, &["rate-received"])?;
            tl.say(who, format!("mostro-cli rate {id} 5 -> {code}"));
        }
        wait_book_status(buyer, &id, "success").await?;
        tl.say(
            "buyer",
            format!("mostro-cli orders --status all: order {id} is success"),
        );

        self.balances(tl, before, fee, seller_routing, payout_routing, id)
            .await
    }

    async fn balances(
        &self,
        tl: &Timeline,
        before: Locals,
        fee: u64,
        seller_routing: u64,
        payout_routing: u64,
        order_id: String,
    ) -> Result<TradeReport> {
        let expected = expected_after(before, TRADE_SATS, seller_routing, payout_routing);
        let after = settled_locals(self.net, expected, STEP).await?;
        tl.section("Balances (local channel balance, sats)");
        println!(
            "  {:<8} {:>14} {:>14} {:>10}",
            "node", "before", "after", "change"
        );
        for (name, b, a) in [
            ("seller", before.seller, after.seller),
            ("mostro", before.mostro, after.mostro),
            ("buyer", before.buyer, after.buyer),
        ] {
            println!(
                "  {name:<8} {:>14} {:>14} {:>10}",
                sats(b),
                sats(a),
                delta(b, a)
            );
        }
        println!(
            "  fees: {fee} sats from each side ({} % of {} split evenly) = {} to mostro; routing: seller {seller_routing}, payout {payout_routing}",
            FEE_FRACTION * 100.0,
            sats(TRADE_SATS),
            2 * fee
        );
        if after != expected {
            return Err(SandboxError::step(
                "balances",
                format!("expected {expected:?}, have {after:?}"),
            ));
        }
        Ok(TradeReport {
            order_id,
            before,
            after,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn party_fee_is_half_the_fee_rounded() {
        assert_eq!(party_fee(50_000), 150);
        assert_eq!(party_fee(1_000), 3);
        // 0.006 × 250 / 2 = 0.75 → 1
        assert_eq!(party_fee(250), 1);
    }

    #[test]
    fn expected_balances_move_amount_and_fees() {
        let before = Locals {
            seller: 1_000_000,
            mostro: 500_000,
            buyer: 200_000,
        };
        let after = expected_after(before, 50_000, 2, 1);
        assert_eq!(after.seller, 1_000_000 - 50_150 - 2);
        assert_eq!(after.mostro, 500_000 + 300 - 1);
        assert_eq!(after.buyer, 200_000 + 49_850);
    }
}
