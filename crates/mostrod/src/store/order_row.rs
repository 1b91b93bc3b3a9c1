//! The mapping between [`Order`] and a row of the `orders` table.

use mostro_protocol::order::Kind;
use mostro_protocol::status::Status;
use rusqlite::types::Value;
use rusqlite::Row;

use crate::model::{HoldInvoice, Order, Party, Payout, Pricing, Transport};

use super::codec::{
    blob, flag, int, key, opt, read_blob, read_enum, read_flag, read_key, read_opt, read_time,
    read_u32, read_u64, read_uuid, signed, text, time,
};
use super::error::StoreError;

/// The columns of `orders`, in the order [`values`] produces them.
pub(super) const COLUMNS: &[&str] = &[
    "id",
    "kind",
    "status",
    "pricing",
    "amount",
    "fee",
    "dev_fee",
    "premium",
    "fiat_code",
    "fiat_amount",
    "min_amount",
    "max_amount",
    "payment_method",
    "maker_trade_pubkey",
    "maker_identity_pubkey",
    "maker_trade_index",
    "maker_transport",
    "taker_trade_pubkey",
    "taker_identity_pubkey",
    "taker_trade_index",
    "taker_transport",
    "buyer_invoice",
    "buyer_invoice_from_maker",
    "hold_hash",
    "hold_preimage",
    "hold_bolt11",
    "hold_amount_sats",
    "hold_held_at",
    "hold_htlc_expiry_height",
    "payout_state",
    "payout_payment_hash",
    "payout_attempts",
    "payout_retry_at",
    "payout_awaiting_new_invoice",
    "payout_routing_fee_sats",
    "hold_request_id",
    "cancel_initiator",
    "buyer_rated",
    "seller_rated",
    "next_trade_pubkey",
    "next_trade_index",
    "range_parent_id",
    "created_at",
    "expires_at",
    "taken_at",
    "last_event_at",
];

/// The stored spelling of a pricing mode.
fn pricing_str(p: Pricing) -> &'static str {
    match p {
        Pricing::Fixed => "fixed",
        Pricing::Market => "market",
    }
}

fn read_pricing(s: &str) -> Result<Pricing, StoreError> {
    match s {
        "fixed" => Ok(Pricing::Fixed),
        "market" => Ok(Pricing::Market),
        other => Err(StoreError::Corrupt {
            column: "orders.pricing",
            value: other.to_owned(),
        }),
    }
}

fn read_transport(s: &str, column: &'static str) -> Result<Transport, StoreError> {
    Transport::from_str_opt(s).ok_or_else(|| StoreError::Corrupt {
        column,
        value: s.to_owned(),
    })
}

/// The payout columns: state, payment hash, attempts, retry time, awaiting flag,
/// routing fee.
fn payout_values(p: &Payout) -> Result<[Value; 6], StoreError> {
    Ok(match p {
        Payout::NotStarted => [
            text("not-started"),
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
        ],
        Payout::InFlight {
            payment_hash,
            attempt,
        } => [
            text("in-flight"),
            blob(payment_hash),
            int(u64::from(*attempt), "payout.attempt")?,
            Value::Null,
            Value::Null,
            Value::Null,
        ],
        Payout::Failed {
            attempts,
            retry_at,
            awaiting_new_invoice,
        } => [
            text("failed"),
            Value::Null,
            int(u64::from(*attempts), "payout.attempts")?,
            opt(*retry_at, |t| time(t, "payout.retry_at"))?,
            flag(*awaiting_new_invoice),
            Value::Null,
        ],
        Payout::Succeeded {
            payment_hash,
            routing_fee_sats,
        } => [
            text("succeeded"),
            blob(payment_hash),
            Value::Null,
            Value::Null,
            Value::Null,
            int(*routing_fee_sats, "payout.routing_fee_sats")?,
        ],
    })
}

/// The values of `order`, aligned with [`COLUMNS`].
pub(super) fn values(o: &Order) -> Result<Vec<Value>, StoreError> {
    let taker = o.taker.as_ref();
    let hold = o.hold_invoice.as_ref();
    let [p_state, p_hash, p_attempts, p_retry, p_awaiting, p_fee] = payout_values(&o.payout)?;
    let v = vec![
        text(o.id.to_string()),
        text(o.kind.as_str()),
        text(o.status.as_str()),
        text(pricing_str(o.pricing)),
        int(o.amount, "amount")?,
        int(o.fee, "fee")?,
        int(o.dev_fee, "dev_fee")?,
        signed(o.premium),
        text(o.fiat_code.clone()),
        signed(o.fiat_amount),
        o.min_amount.map_or(Value::Null, signed),
        o.max_amount.map_or(Value::Null, signed),
        text(o.payment_method.clone()),
        key(&o.maker.trade_pubkey),
        key(&o.maker.identity_pubkey),
        signed(o.maker.trade_index),
        text(o.maker.transport.as_str()),
        taker.map_or(Value::Null, |t| key(&t.trade_pubkey)),
        taker.map_or(Value::Null, |t| key(&t.identity_pubkey)),
        taker.map_or(Value::Null, |t| signed(t.trade_index)),
        taker.map_or(Value::Null, |t| text(t.transport.as_str())),
        o.buyer_invoice.clone().map_or(Value::Null, text),
        flag(o.buyer_invoice_from_maker),
        hold.map_or(Value::Null, |h| blob(&h.hash)),
        hold.map_or(Value::Null, |h| blob(&h.preimage)),
        hold.map_or(Value::Null, |h| text(h.bolt11.clone())),
        opt(hold, |h| int(h.amount_sats, "hold_invoice.amount_sats"))?,
        opt(hold.and_then(|h| h.held_at), |t| {
            time(t, "hold_invoice.held_at")
        })?,
        hold.and_then(|h| h.htlc_expiry_height)
            .map_or(Value::Null, |h| signed(i64::from(h))),
        p_state,
        p_hash,
        p_attempts,
        p_retry,
        p_awaiting,
        p_fee,
        opt(o.hold_request_id, |r| int(r, "hold_request_id"))?,
        o.cancel_initiator.as_ref().map_or(Value::Null, key),
        flag(o.buyer_rated),
        flag(o.seller_rated),
        o.next_trade.as_ref().map_or(Value::Null, |(k, _)| key(k)),
        o.next_trade
            .as_ref()
            .map_or(Value::Null, |(_, i)| signed(i64::from(*i))),
        o.range_parent_id
            .map_or(Value::Null, |id| text(id.to_string())),
        time(o.created_at, "created_at")?,
        time(o.expires_at, "expires_at")?,
        opt(o.taken_at, |t| time(t, "taken_at"))?,
        opt(o.last_event_at, |t| time(t, "last_event_at"))?,
    ];
    debug_assert_eq!(v.len(), COLUMNS.len());
    Ok(v)
}

fn read_payout(row: &Row<'_>) -> Result<Payout, StoreError> {
    let state: String = row.get("payout_state")?;
    let hash = |row: &Row<'_>| -> Result<[u8; 32], StoreError> {
        let b: Vec<u8> = row.get("payout_payment_hash")?;
        read_blob(&b, "orders.payout_payment_hash")
    };
    let attempts = |row: &Row<'_>| -> Result<u32, StoreError> {
        read_u32(row.get("payout_attempts")?, "orders.payout_attempts")
    };
    match state.as_str() {
        "not-started" => Ok(Payout::NotStarted),
        "in-flight" => Ok(Payout::InFlight {
            payment_hash: hash(row)?,
            attempt: attempts(row)?,
        }),
        "failed" => Ok(Payout::Failed {
            attempts: attempts(row)?,
            retry_at: read_opt(row.get("payout_retry_at")?, |v| {
                read_time(v, "orders.payout_retry_at")
            })?,
            awaiting_new_invoice: read_flag(
                row.get("payout_awaiting_new_invoice")?,
                "orders.payout_awaiting_new_invoice",
            )?,
        }),
        "succeeded" => Ok(Payout::Succeeded {
            payment_hash: hash(row)?,
            routing_fee_sats: read_u64(
                row.get("payout_routing_fee_sats")?,
                "orders.payout_routing_fee_sats",
            )?,
        }),
        other => Err(StoreError::Corrupt {
            column: "orders.payout_state",
            value: other.to_owned(),
        }),
    }
}

fn read_taker(row: &Row<'_>) -> Result<Option<Party>, StoreError> {
    let trade: Option<String> = row.get("taker_trade_pubkey")?;
    let Some(trade) = trade else {
        return Ok(None);
    };
    let identity: String = row.get("taker_identity_pubkey")?;
    let transport: String = row.get("taker_transport")?;
    Ok(Some(Party {
        trade_pubkey: read_key(&trade, "orders.taker_trade_pubkey")?,
        identity_pubkey: read_key(&identity, "orders.taker_identity_pubkey")?,
        trade_index: row.get("taker_trade_index")?,
        transport: read_transport(&transport, "orders.taker_transport")?,
    }))
}

fn read_hold(row: &Row<'_>) -> Result<Option<HoldInvoice>, StoreError> {
    let hash: Option<Vec<u8>> = row.get("hold_hash")?;
    let Some(hash) = hash else {
        return Ok(None);
    };
    let preimage: Vec<u8> = row.get("hold_preimage")?;
    Ok(Some(HoldInvoice {
        hash: read_blob(&hash, "orders.hold_hash")?,
        preimage: read_blob(&preimage, "orders.hold_preimage")?,
        bolt11: row.get("hold_bolt11")?,
        amount_sats: read_u64(row.get("hold_amount_sats")?, "orders.hold_amount_sats")?,
        held_at: read_opt(row.get("hold_held_at")?, |v| {
            read_time(v, "orders.hold_held_at")
        })?,
        htlc_expiry_height: read_opt(row.get("hold_htlc_expiry_height")?, |v| {
            read_u32(v, "orders.hold_htlc_expiry_height")
        })?,
    }))
}

fn read_next_trade(row: &Row<'_>) -> Result<Option<(nostr::key::PublicKey, u32)>, StoreError> {
    let k: Option<String> = row.get("next_trade_pubkey")?;
    let i: Option<i64> = row.get("next_trade_index")?;
    match (k, i) {
        (Some(k), Some(i)) => Ok(Some((
            read_key(&k, "orders.next_trade_pubkey")?,
            read_u32(i, "orders.next_trade_index")?,
        ))),
        (None, None) => Ok(None),
        _ => Err(StoreError::Corrupt {
            column: "orders.next_trade_index",
            value: "half of next_trade missing".to_owned(),
        }),
    }
}

/// Reads an [`Order`] from a row selected with [`COLUMNS`].
pub(super) fn read(row: &Row<'_>) -> Result<Order, StoreError> {
    let id: String = row.get("id")?;
    let kind: String = row.get("kind")?;
    let status: String = row.get("status")?;
    let pricing: String = row.get("pricing")?;
    let maker_trade: String = row.get("maker_trade_pubkey")?;
    let maker_identity: String = row.get("maker_identity_pubkey")?;
    let maker_transport: String = row.get("maker_transport")?;
    let cancel_initiator: Option<String> = row.get("cancel_initiator")?;
    let range_parent: Option<String> = row.get("range_parent_id")?;
    Ok(Order {
        id: read_uuid(&id, "orders.id")?,
        kind: read_enum::<Kind>(&kind, "orders.kind")?,
        status: read_enum::<Status>(&status, "orders.status")?,
        pricing: read_pricing(&pricing)?,
        amount: read_u64(row.get("amount")?, "orders.amount")?,
        fee: read_u64(row.get("fee")?, "orders.fee")?,
        dev_fee: read_u64(row.get("dev_fee")?, "orders.dev_fee")?,
        premium: row.get("premium")?,
        fiat_code: row.get("fiat_code")?,
        fiat_amount: row.get("fiat_amount")?,
        min_amount: row.get("min_amount")?,
        max_amount: row.get("max_amount")?,
        payment_method: row.get("payment_method")?,
        maker: Party {
            trade_pubkey: read_key(&maker_trade, "orders.maker_trade_pubkey")?,
            identity_pubkey: read_key(&maker_identity, "orders.maker_identity_pubkey")?,
            trade_index: row.get("maker_trade_index")?,
            transport: read_transport(&maker_transport, "orders.maker_transport")?,
        },
        taker: read_taker(row)?,
        buyer_invoice: row.get("buyer_invoice")?,
        buyer_invoice_from_maker: read_flag(
            row.get("buyer_invoice_from_maker")?,
            "orders.buyer_invoice_from_maker",
        )?,
        hold_invoice: read_hold(row)?,
        payout: read_payout(row)?,
        hold_request_id: read_opt(row.get("hold_request_id")?, |v| {
            read_u64(v, "orders.hold_request_id")
        })?,
        cancel_initiator: read_opt(cancel_initiator, |k| {
            read_key(&k, "orders.cancel_initiator")
        })?,
        buyer_rated: read_flag(row.get("buyer_rated")?, "orders.buyer_rated")?,
        seller_rated: read_flag(row.get("seller_rated")?, "orders.seller_rated")?,
        next_trade: read_next_trade(row)?,
        range_parent_id: read_opt(range_parent, |s| read_uuid(&s, "orders.range_parent_id"))?,
        created_at: read_time(row.get("created_at")?, "orders.created_at")?,
        expires_at: read_time(row.get("expires_at")?, "orders.expires_at")?,
        taken_at: read_opt(row.get("taken_at")?, |v| read_time(v, "orders.taken_at"))?,
        last_event_at: read_opt(row.get("last_event_at")?, |v| {
            read_time(v, "orders.last_event_at")
        })?,
    })
}
