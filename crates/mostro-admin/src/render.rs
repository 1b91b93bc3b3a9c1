//! Human-readable output of each answer.

use serde_json::Value;

use crate::table::{fields, table};

/// A JSON value as a cell: strings bare, `null` as `-`.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => "-".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn rows(list: &Value, columns: &[&str]) -> Vec<Vec<String>> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .map(|item| columns.iter().map(|c| cell(&item[*c])).collect())
                .collect()
        })
        .unwrap_or_default()
}

fn list(list: &Value, headers: &[&str], columns: &[&str], empty: &str) -> String {
    if list.as_array().is_none_or(Vec::is_empty) {
        return empty.to_owned();
    }
    table(headers, &rows(list, columns))
}

/// `health`.
pub fn health(v: &Value) -> String {
    let ln = &v["lightning"];
    let lightning = if ln["reachable"] == Value::Bool(true) {
        format!(
            "reachable, {} at height {}",
            if ln["synced_to_chain"] == Value::Bool(true) {
                "synced"
            } else {
                "NOT synced"
            },
            cell(&ln["block_height"])
        )
    } else {
        format!("UNREACHABLE ({})", cell(&ln["error"]))
    };
    let connected = v["relays"]["connected"].as_array().map_or(0, Vec::len);
    let configured = v["relays"]["configured"].as_array().map_or(0, Vec::len);
    fields(&[
        ("status", cell(&v["status"])),
        ("version", cell(&v["version"])),
        ("node", cell(&v["node_pubkey"])),
        ("uptime", format!("{}s", cell(&v["uptime_seconds"]))),
        ("lightning", lightning),
        ("relays", format!("{connected}/{configured} connected")),
        (
            "database",
            if v["database"]["ok"] == Value::Bool(true) {
                format!("ok (schema {})", cell(&v["database"]["schema_version"]))
            } else {
                "FAILING".to_owned()
            },
        ),
        ("outbox", cell(&v["outbox_depth"])),
    ])
}

/// `orders`.
pub fn orders(v: &Value) -> String {
    list(
        v,
        &["ID", "KIND", "STATUS", "SATS", "FIAT", "CODE", "CREATED"],
        &[
            "id",
            "kind",
            "status",
            "amount",
            "fiat_amount",
            "fiat_code",
            "created_at",
        ],
        "no orders",
    )
}

/// `order`.
pub fn order(v: &Value) -> String {
    let party = |p: &Value| {
        if p.is_null() {
            "-".to_owned()
        } else {
            format!(
                "trade {} identity {}",
                cell(&p["trade_pubkey"]),
                cell(&p["identity_pubkey"])
            )
        }
    };
    fields(&[
        ("id", cell(&v["id"])),
        ("kind", cell(&v["kind"])),
        ("status", cell(&v["status"])),
        ("pricing", cell(&v["pricing"])),
        ("amount", format!("{} sats", cell(&v["amount"]))),
        (
            "fee",
            format!("{} sats (dev {})", cell(&v["fee"]), cell(&v["dev_fee"])),
        ),
        (
            "fiat",
            format!("{} {}", cell(&v["fiat_amount"]), cell(&v["fiat_code"])),
        ),
        ("payment method", cell(&v["payment_method"])),
        ("maker", party(&v["maker"])),
        ("taker", party(&v["taker"])),
        ("hold invoice", cell(&v["hold_invoice"]["payment_hash"])),
        ("buyer invoice", cell(&v["buyer_invoice"])),
        ("payout", cell(&v["payout"])),
        ("created", cell(&v["created_at"])),
        ("expires", cell(&v["expires_at"])),
    ])
}

/// `disputes`.
pub fn disputes(v: &Value) -> String {
    list(
        v,
        &["ID", "ORDER", "STATUS", "INITIATOR", "SOLVER", "CREATED"],
        &[
            "id",
            "order_id",
            "status",
            "initiator",
            "solver_pubkey",
            "created_at",
        ],
        "no open disputes",
    )
}

/// `dispute`.
pub fn dispute(v: &Value) -> String {
    fields(&[
        ("id", cell(&v["id"])),
        ("order", cell(&v["order_id"])),
        ("status", cell(&v["status"])),
        ("order was", cell(&v["order_previous_status"])),
        ("initiator", cell(&v["initiator"])),
        ("solver", cell(&v["solver_pubkey"])),
        ("created", cell(&v["created_at"])),
        ("taken", cell(&v["taken_at"])),
    ])
}

/// `solvers`.
pub fn solvers(v: &Value) -> String {
    list(
        v,
        &["NPUB", "RIGHTS", "SINCE"],
        &["npub", "rights", "created_at"],
        "no solvers",
    )
}

/// `add-solver`.
pub fn solver_added(v: &Value) -> String {
    format!(
        "solver {} registered ({})",
        cell(&v["npub"]),
        cell(&v["rights"])
    )
}

/// `outbox`.
pub fn outbox(v: &Value) -> String {
    list(
        v,
        &["EVENT", "KIND", "ORDER", "RECIPIENT", "ATTEMPTS", "NEXT"],
        &[
            "id",
            "kind",
            "order_id",
            "recipient",
            "attempts",
            "next_attempt_at",
        ],
        "outbox empty",
    )
}

/// `balance`.
pub fn balance(v: &Value) -> String {
    fields(&[
        (
            "on-chain confirmed",
            format!("{} sats", cell(&v["onchain_confirmed_sat"])),
        ),
        (
            "on-chain unconfirmed",
            format!("{} sats", cell(&v["onchain_unconfirmed_sat"])),
        ),
        (
            "channels local",
            format!("{} sats", cell(&v["channel_local_sat"])),
        ),
        (
            "channels remote",
            format!("{} sats", cell(&v["channel_remote_sat"])),
        ),
        (
            "pending open",
            format!("{} sats", cell(&v["channel_pending_open_local_sat"])),
        ),
    ])
}

/// `channels`.
pub fn channels(v: &Value) -> String {
    list(
        v,
        &[
            "CHANNEL", "PEER", "CAPACITY", "LOCAL", "REMOTE", "ACTIVE", "PRIVATE",
        ],
        &[
            "channel_point",
            "remote_pubkey",
            "capacity_sat",
            "local_balance_sat",
            "remote_balance_sat",
            "active",
            "private",
        ],
        "no channels",
    )
}

/// `take-dispute`, `settle`, `cancel`.
pub fn action(v: &Value) -> String {
    let disputes = v["disputes"]
        .as_array()
        .map(|ds| {
            ds.iter()
                .map(|d| format!("{} {}", cell(&d["id"]), cell(&d["status"])))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    fields(&[
        ("action", cell(&v["action"])),
        ("outcome", cell(&v["outcome"])),
        ("order", cell(&v["order_id"])),
        (
            "status",
            format!("{} -> {}", cell(&v["previous_status"]), cell(&v["status"])),
        ),
        ("disputes", disputes),
    ])
}
