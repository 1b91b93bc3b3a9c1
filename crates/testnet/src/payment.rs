//! Paying an invoice in the background (`lncli payinvoice --json`).
//!
//! A hold invoice keeps the payer's payment in flight until the receiver settles
//! or cancels it, so the payment runs as a child process the test can await
//! later, while it drives the receiver.

use std::process::Stdio;

use serde_json::Value;

use crate::cli::{last_json, u64_field};
use crate::error::{Result, TestnetError};
use crate::node::Node;

/// Routing fee limit used by [`Node::pay_invoice_background`].
pub const DEFAULT_FEE_LIMIT_SAT: u64 = 1_000;

/// How a payment ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// Paid: the preimage (hex) and the routing fee.
    Succeeded {
        /// The payment preimage, hex.
        preimage: String,
        /// Fee paid to intermediate nodes.
        fee_sat: u64,
    },
    /// LND gave up; `reason` is LND's failure reason (for example
    /// `FAILURE_REASON_NO_ROUTE` or `FAILURE_REASON_INCORRECT_PAYMENT_DETAILS`).
    Failed {
        /// LND's failure reason, or the error text when lncli failed before
        /// the payment started.
        reason: String,
    },
}

impl PaymentOutcome {
    /// True for [`PaymentOutcome::Succeeded`].
    pub fn is_success(&self) -> bool {
        matches!(self, PaymentOutcome::Succeeded { .. })
    }
}

/// A payment running in the background; [`PaymentHandle::wait`] for its outcome.
/// Dropping the handle kills the `lncli` process, not the payment inside LND.
#[derive(Debug)]
pub struct PaymentHandle {
    child: tokio::process::Child,
    payer: String,
}

impl PaymentHandle {
    /// Waits for the payment to reach a final state.
    pub async fn wait(self) -> Result<PaymentOutcome> {
        let output = self
            .child
            .wait_with_output()
            .await
            .map_err(|source| TestnetError::Spawn {
                program: "lncli payinvoice".into(),
                source,
            })?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        Ok(
            parse_outcome(&stdout, &stderr).unwrap_or_else(|| PaymentOutcome::Failed {
                reason: format!(
                    "lncli payinvoice on {} failed: {}",
                    self.payer,
                    stderr.trim()
                ),
            }),
        )
    }
}

/// Reads the final payment object printed by `lncli payinvoice --json`.
fn parse_outcome(stdout: &str, stderr: &str) -> Option<PaymentOutcome> {
    let Some(payment) = last_json(stdout) else {
        let text = stderr.trim();
        return (!text.is_empty()).then(|| PaymentOutcome::Failed {
            reason: text.to_string(),
        });
    };
    let status = payment.get("status").and_then(Value::as_str)?;
    if status == "SUCCEEDED" {
        return Some(PaymentOutcome::Succeeded {
            preimage: payment
                .get("payment_preimage")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            fee_sat: u64_field(&payment, "fee_sat").unwrap_or(0),
        });
    }
    let reason = payment
        .get("failure_reason")
        .and_then(Value::as_str)
        .unwrap_or(status)
        .to_string();
    Some(PaymentOutcome::Failed { reason })
}

impl Node {
    /// Starts paying `bolt11` with the default fee limit; returns at once.
    pub fn pay_invoice_background(&self, bolt11: &str) -> Result<PaymentHandle> {
        self.pay_invoice_background_with(bolt11, None, DEFAULT_FEE_LIMIT_SAT)
    }

    /// Starts paying `bolt11` (with `amt_sat` for an amountless invoice) and a
    /// routing fee limit; returns at once.
    pub fn pay_invoice_background_with(
        &self,
        bolt11: &str,
        amt_sat: Option<u64>,
        fee_limit_sat: u64,
    ) -> Result<PaymentHandle> {
        let fee = fee_limit_sat.to_string();
        let amt = amt_sat.map(|a| a.to_string());
        let mut args = vec!["payinvoice", "--force", "--json", "--fee_limit", &fee];
        if let Some(amt) = &amt {
            args.extend(["--amt", amt]);
        }
        args.push(bolt11);
        let child = tokio::process::Command::new(self.lncli_path())
            .args(self.lncli_args(&args))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| TestnetError::Spawn {
                program: self.lncli_path().display().to_string(),
                source,
            })?;
        Ok(PaymentHandle {
            child,
            payer: self.name().to_string(),
        })
    }

    /// Pays `bolt11` and waits for the outcome.
    pub async fn pay_invoice(&self, bolt11: &str) -> Result<PaymentOutcome> {
        self.pay_invoice_background(bolt11)?.wait().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_carries_preimage_and_fee() {
        let out = r#"{"payment_hash": "aa", "status": "SUCCEEDED", "payment_preimage": "bb", "fee_sat": "2"}"#;
        assert_eq!(
            parse_outcome(out, ""),
            Some(PaymentOutcome::Succeeded {
                preimage: "bb".into(),
                fee_sat: 2
            })
        );
    }

    #[test]
    fn failure_carries_lnd_reason_or_stderr() {
        let out = r#"{"status": "FAILED", "failure_reason": "FAILURE_REASON_NO_ROUTE"}"#;
        assert_eq!(
            parse_outcome(out, "[lncli] FAILED"),
            Some(PaymentOutcome::Failed {
                reason: "FAILURE_REASON_NO_ROUTE".into()
            })
        );
        assert_eq!(
            parse_outcome("", "[lncli] invoice expired"),
            Some(PaymentOutcome::Failed {
                reason: "[lncli] invoice expired".into()
            })
        );
        assert_eq!(parse_outcome("", ""), None);
    }
}
