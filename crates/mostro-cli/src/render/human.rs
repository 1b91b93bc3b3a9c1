//! Human renderings of the output views.

use std::fmt::Write as _;

use super::explain::step_line;
use super::table::Table;
use super::views::{
    ActionView, BookOrderView, BookView, ChatMessageView, ChatSentView, ChatView, InfoView,
    InvoiceView, KeysView, RestoreView, TradeView, TradesView,
};
use super::{now, qr, time, words, Human};

fn fiat_cell(o: &BookOrderView) -> String {
    let num = |v: f64| {
        if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v}")
        }
    };
    match (o.fiat_amount, o.fiat_min, o.fiat_max) {
        (_, Some(min), Some(max)) => format!("{}-{} {}", num(min), num(max), o.fiat_code),
        (Some(v), _, _) => format!("{} {}", num(v), o.fiat_code),
        _ => o.fiat_code.clone(),
    }
}

fn price_cell(o: &BookOrderView) -> String {
    if o.amount_sats > 0 {
        words::sats(i64::try_from(o.amount_sats).unwrap_or(i64::MAX))
    } else {
        // Mostro premiums are whole percents.
        #[allow(clippy::cast_possible_truncation)]
        words::market(o.premium.round() as i64)
    }
}

fn rating_cell(o: &BookOrderView) -> String {
    match (o.maker_rating, o.maker_reviews) {
        (Some(_), Some(0)) => "new".to_owned(),
        (Some(r), Some(n)) => format!("{r:.1}/5 ({n})"),
        _ => "-".to_owned(),
    }
}

impl Human for BookView {
    fn human(&self) -> String {
        if self.orders.is_empty() {
            return "No orders match.\n".to_owned();
        }
        let now = now();
        let mut table = Table::new([
            "ID", "TYPE", "FIAT", "PRICE", "PAYMENT", "MAKER", "STATUS", "EXPIRES",
        ]);
        for o in &self.orders {
            table.row([
                o.id.clone(),
                o.kind.to_owned(),
                fiat_cell(o),
                price_cell(o),
                o.payment_methods.join(", "),
                rating_cell(o),
                o.status.to_owned(),
                o.expires_at
                    .map(|t| time::relative(t, now))
                    .unwrap_or_else(|| "-".to_owned()),
            ]);
        }
        format!(
            "{}{} order(s). Take one with `mostro-cli take-sell <id>` or `mostro-cli take-buy <id>`.\n",
            table.render(),
            self.orders.len()
        )
    }
}

impl Human for InfoView {
    fn human(&self) -> String {
        let opt = |v: Option<u64>, unit: &str| {
            v.map(|v| format!("{v} {unit}"))
                .unwrap_or_else(|| "not advertised".to_owned())
        };
        let mut t = Table::new(["Mostro", self.mostro.as_str()]);
        t.row([
            "Version",
            &format!("{} (protocol v{})", self.version, self.protocol_version),
        ]);
        t.row(["Fee", &format!("{}% of the amount", self.fee * 100.0)]);
        t.row([
            "Order size".to_owned(),
            format!(
                "{} to {}",
                words::sats(i64::try_from(self.min_order_sats).unwrap_or(i64::MAX)),
                words::sats(i64::try_from(self.max_order_sats).unwrap_or(i64::MAX))
            ),
        ]);
        t.row([
            "Currencies".to_owned(),
            if self.fiat_currencies.is_empty() {
                "any".to_owned()
            } else {
                self.fiat_currencies.join(", ")
            },
        ]);
        for l in &self.fiat_limits {
            t.row([
                format!("Limit {}", l.code),
                format!("{} to {} {}", l.min, l.max, l.code),
            ]);
        }
        t.row([
            "Orders stay in the book",
            &opt(self.order_expiration_hours, "h"),
        ]);
        t.row(["Time for each step", &opt(self.step_timeout_seconds, "s")]);
        t.row([
            "Hold invoice valid",
            &opt(self.hold_invoice_expiration_window, "s"),
        ]);
        t.row([
            "Buyer invoice must last",
            &opt(self.invoice_expiration_window, "s"),
        ]);
        t.row(["Proof of work", &self.pow.to_string()]);
        t.row([
            "Lightning".to_owned(),
            format!(
                "{} ({})",
                self.lightning_alias,
                self.lightning_networks.join(", ")
            ),
        ]);
        t.render()
    }
}

fn trade_row(t: &TradeView) -> [String; 6] {
    let fiat = match (&t.fiat_code, t.fiat_amount, t.fiat_min, t.fiat_max) {
        (Some(code), Some(0), Some(min), Some(max)) => format!("{min}-{max} {code}"),
        (Some(code), Some(v), _, _) => format!("{v} {code}"),
        _ => "-".to_owned(),
    };
    let sats = match (t.amount_sats, t.premium) {
        (Some(a), _) if a > 0 => words::sats(a),
        (_, Some(p)) => words::market(p),
        _ => "-".to_owned(),
    };
    let role = if t.is_maker { "maker" } else { "taker" };
    [
        t.id.clone(),
        format!("{} ({role})", t.side),
        fiat,
        sats,
        t.status
            .as_deref()
            .map(|s| words::status(s.parse().ok()).to_owned())
            .unwrap_or_else(|| words::status(None).to_owned()),
        t.next_step.code.to_owned(),
    ]
}

impl Human for TradesView {
    fn human(&self) -> String {
        if self.orders.is_empty() {
            return "You have no orders here. Create one with `mostro-cli sell`/`buy`, or take one from `mostro-cli orders`.\n".to_owned();
        }
        let mut table = Table::new(["ID", "ME", "FIAT", "SATS", "STATUS", "NEXT"]);
        for t in &self.orders {
            table.row(trade_row(t));
        }
        let mut out = table.render();
        out.push('\n');
        for t in &self.orders {
            let _ = writeln!(
                out,
                "{}: {}",
                &t.id[..8.min(t.id.len())],
                step_line(&t.next_step)
            );
        }
        out
    }
}

/// The invoice text and its QR code.
fn invoice_block(bolt11: &str) -> String {
    let mut out = format!("\n{bolt11}\n\n");
    if let Some(code) = qr::invoice_qr(bolt11) {
        out.push_str(&code);
        out.push('\n');
    }
    out
}

impl Human for ActionView {
    fn human(&self) -> String {
        let mut out = String::new();
        match &self.order {
            Some(o) => {
                let _ = writeln!(out, "[{}] {}", &o.id[..8.min(o.id.len())], self.update.text);
            }
            None => {
                let _ = writeln!(out, "{}", self.update.text);
            }
        }
        if let Some(bolt11) = &self.update.invoice {
            out.push_str(&invoice_block(bolt11));
        }
        if let Some(o) = &self.order {
            let _ = writeln!(out, "  Order {} ({} {}).", o.id, o.side, o.kind);
            let _ = writeln!(out, "  Next: {}", step_line(&o.next_step));
        }
        out
    }
}

impl Human for KeysView {
    fn human(&self) -> String {
        let mut out = String::new();
        match (&self.mnemonic, self.created) {
            (Some(words), true) => {
                let _ = writeln!(
                    out,
                    "Your new mnemonic (shown only this once):\n\n  {words}\n\n\
                     Write these words down and keep them offline. They restore your identity \
                     and every trade; anyone who has them controls your trades."
                );
            }
            (Some(words), false) => {
                let _ = writeln!(out, "{words}");
            }
            (None, true) => {
                let _ = writeln!(out, "Mnemonic imported.");
            }
            (None, false) => {
                let _ = writeln!(
                    out,
                    "A mnemonic already exists here. Show it with `mostro-cli mnemonic --show`."
                );
            }
        }
        let _ = writeln!(out, "Data directory: {}", self.data_dir);
        let _ = writeln!(out, "Identity: {}", self.identity);
        out
    }
}

fn chat_line(m: &ChatMessageView) -> String {
    format!(
        "{} {:>6}: {}\n",
        time::relative(m.created_at, now()),
        m.from,
        m.text
    )
}

impl Human for ChatMessageView {
    fn human(&self) -> String {
        chat_line(self)
    }
}

impl Human for ChatView {
    fn human(&self) -> String {
        if self.messages.is_empty() {
            return "No messages yet.\n".to_owned();
        }
        self.messages.iter().map(chat_line).collect()
    }
}

impl Human for ChatSentView {
    fn human(&self) -> String {
        match (&self.key, &self.event_id) {
            (Some(key), _) => format!(
                "Chat key for the solver of order {} (give it only to the solver):\n{key}\n",
                self.order
            ),
            (None, Some(_)) => "Sent.\n".to_owned(),
            (None, None) => String::new(),
        }
    }
}

impl Human for RestoreView {
    fn human(&self) -> String {
        let mut out = format!(
            "Restored {} order(s); last trade index {}.\n",
            self.orders.len(),
            self.last_trade_index
        );
        if !self.orders.is_empty() {
            out.push('\n');
            out.push_str(
                &TradesView {
                    orders: self.orders.clone(),
                }
                .human(),
            );
        }
        out
    }
}

impl Human for InvoiceView {
    fn human(&self) -> String {
        format!(
            "Pay this hold invoice for order {} with your Lightning wallet \
             (the sats stay locked until you release them or the trade is canceled):\n{}",
            self.order,
            invoice_block(&self.invoice)
        )
    }
}
