//! Hold invoices over LND's `invoicesrpc`: create, settle, cancel, look up.

use fedimint_tonic_lnd::invoicesrpc::{
    lookup_invoice_msg::InvoiceRef, AddHoldInvoiceRequest, CancelInvoiceMsg, LookupInvoiceMsg,
    SettleInvoiceMsg,
};
use fedimint_tonic_lnd::lnrpc::{
    invoice::InvoiceState as LndInvoiceState, Invoice, InvoiceHtlcState,
};

use super::connect::Connection;
use super::status::{is_already_exists, map_invoice_status, with_timeout};
use crate::lightning::error::LightningError;
use crate::lightning::types::{
    HoldInvoice, HoldInvoiceRequest, InvoiceSnapshot, InvoiceState, PaymentHash, Preimage,
};

fn to_i64(operation: &'static str, what: &str, value: u64) -> Result<i64, LightningError> {
    i64::try_from(value).map_err(|_| LightningError::InvalidRequest {
        operation,
        detail: format!("{what} {value} is out of range"),
    })
}

/// Creates the hold invoice.
pub(crate) async fn add_hold_invoice(
    conn: &Connection,
    request: &HoldInvoiceRequest,
) -> Result<HoldInvoice, LightningError> {
    const OP: &str = "add_hold_invoice";
    let message = AddHoldInvoiceRequest {
        memo: request.memo.clone(),
        hash: request.hash.0.to_vec(),
        value: to_i64(OP, "amount", request.amount_sat)?,
        expiry: to_i64(OP, "expiry", request.expiry.as_secs())?,
        cltv_expiry: u64::from(request.cltv_delta),
        ..Default::default()
    };
    let (mut client, _) = conn.client();
    let hash = request.hash;
    let response = with_timeout(
        OP,
        conn.config().call_timeout,
        client.invoices().add_hold_invoice(message),
        |status| {
            if is_already_exists(&status) {
                LightningError::InvoiceExists { hash }
            } else {
                map_invoice_status(OP, hash, status)
            }
        },
    )
    .await?
    .into_inner();
    Ok(HoldInvoice {
        hash,
        payment_request: response.payment_request,
    })
}

/// Settles an accepted hold invoice.
pub(crate) async fn settle(conn: &Connection, preimage: &Preimage) -> Result<(), LightningError> {
    const OP: &str = "settle_invoice";
    let hash = preimage.payment_hash();
    let (mut client, _) = conn.client();
    let message = SettleInvoiceMsg {
        preimage: preimage.0.to_vec(),
    };
    with_timeout(
        OP,
        conn.config().call_timeout,
        client.invoices().settle_invoice(message),
        |status| map_invoice_status(OP, hash, status),
    )
    .await?;
    Ok(())
}

/// Cancels a hold invoice.
pub(crate) async fn cancel(conn: &Connection, hash: PaymentHash) -> Result<(), LightningError> {
    const OP: &str = "cancel_invoice";
    let (mut client, _) = conn.client();
    let message = CancelInvoiceMsg {
        payment_hash: hash.0.to_vec(),
    };
    with_timeout(
        OP,
        conn.config().call_timeout,
        client.invoices().cancel_invoice(message),
        |status| map_invoice_status(OP, hash, status),
    )
    .await?;
    Ok(())
}

/// Looks an invoice up by hash.
pub(crate) async fn lookup(
    conn: &Connection,
    hash: PaymentHash,
) -> Result<InvoiceSnapshot, LightningError> {
    const OP: &str = "lookup_invoice";
    let (mut client, _) = conn.client();
    let message = LookupInvoiceMsg {
        invoice_ref: Some(InvoiceRef::PaymentHash(hash.0.to_vec())),
        ..Default::default()
    };
    let invoice = with_timeout(
        OP,
        conn.config().call_timeout,
        client.invoices().lookup_invoice_v2(message),
        |status| map_invoice_status(OP, hash, status),
    )
    .await?
    .into_inner();
    snapshot(OP, &invoice)
}

/// The domain state of an LND invoice, with the expiry heights of the HTLCs
/// currently held.
pub(crate) fn state_of(
    operation: &'static str,
    invoice: &Invoice,
) -> Result<InvoiceState, LightningError> {
    let state = LndInvoiceState::try_from(invoice.state).map_err(|_| LightningError::Protocol {
        operation,
        detail: format!("unknown invoice state {}", invoice.state),
    })?;
    Ok(match state {
        LndInvoiceState::Open => InvoiceState::Open,
        LndInvoiceState::Settled => InvoiceState::Settled,
        LndInvoiceState::Canceled => InvoiceState::Canceled,
        LndInvoiceState::Accepted => InvoiceState::Accepted {
            htlc_expiry_heights: invoice
                .htlcs
                .iter()
                .filter(|htlc| htlc.state == InvoiceHtlcState::Accepted as i32)
                .filter_map(|htlc| u32::try_from(htlc.expiry_height).ok())
                .collect(),
        },
    })
}

/// Converts an LND invoice into a snapshot.
pub(crate) fn snapshot(
    operation: &'static str,
    invoice: &Invoice,
) -> Result<InvoiceSnapshot, LightningError> {
    let hash = PaymentHash::from_slice(&invoice.r_hash).map_err(|_| LightningError::Protocol {
        operation,
        detail: "invoice without a 32-byte payment hash".to_owned(),
    })?;
    Ok(InvoiceSnapshot {
        hash,
        state: state_of(operation, invoice)?,
        amount_sat: u64::try_from(invoice.value).unwrap_or(0),
        amount_paid_msat: u64::try_from(invoice.amt_paid_msat).unwrap_or(0),
        cltv_expiry: invoice.cltv_expiry,
    })
}

#[cfg(test)]
mod tests {
    use fedimint_tonic_lnd::lnrpc::InvoiceHtlc;

    use super::*;

    fn htlc(expiry_height: i32, state: InvoiceHtlcState) -> InvoiceHtlc {
        InvoiceHtlc {
            expiry_height,
            state: state as i32,
            ..Default::default()
        }
    }

    #[test]
    fn accepted_invoice_reports_held_htlc_expiries_only() {
        let invoice = Invoice {
            r_hash: vec![9; 32],
            value: 1000,
            amt_paid_msat: 1_000_000,
            cltv_expiry: 144,
            state: LndInvoiceState::Accepted as i32,
            htlcs: vec![
                htlc(700, InvoiceHtlcState::Accepted),
                htlc(650, InvoiceHtlcState::Canceled),
                htlc(720, InvoiceHtlcState::Accepted),
            ],
            ..Default::default()
        };
        let snap = snapshot("test", &invoice).unwrap();
        assert_eq!(snap.hash, PaymentHash([9; 32]));
        assert_eq!(
            snap.state,
            InvoiceState::Accepted {
                htlc_expiry_heights: vec![700, 720]
            }
        );
        assert_eq!(snap.amount_sat, 1000);
        assert_eq!(snap.amount_paid_msat, 1_000_000);
        assert_eq!(snap.cltv_expiry, 144);
    }

    #[test]
    fn final_states_map() {
        for (lnd, ours) in [
            (LndInvoiceState::Open, InvoiceState::Open),
            (LndInvoiceState::Settled, InvoiceState::Settled),
            (LndInvoiceState::Canceled, InvoiceState::Canceled),
        ] {
            let invoice = Invoice {
                state: lnd as i32,
                ..Default::default()
            };
            assert_eq!(state_of("test", &invoice).unwrap(), ours);
        }
    }

    #[test]
    fn unknown_state_and_bad_hash_are_protocol_errors() {
        let invoice = Invoice {
            r_hash: vec![1; 32],
            state: 42,
            ..Default::default()
        };
        assert!(matches!(
            snapshot("test", &invoice),
            Err(LightningError::Protocol { .. })
        ));
        let invoice = Invoice {
            r_hash: vec![1; 5],
            ..Default::default()
        };
        assert!(matches!(
            snapshot("test", &invoice),
            Err(LightningError::Protocol { .. })
        ));
    }
}
