//! Start-up validation. Every failure names the setting, its value and the rule.

use std::fmt::Display;
use std::path::Path;

use nostr::key::SecretKey;
use nostr::types::RelayUrl;

use super::error::ConfigError;
use super::Settings;

fn invalid(setting: &'static str, value: impl Display, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        setting,
        value: value.to_string(),
        reason: reason.into(),
    }
}

fn fraction(setting: &'static str, v: f64, min: f64, max: f64) -> Result<(), ConfigError> {
    if v.is_finite() && (min..=max).contains(&v) {
        Ok(())
    } else {
        Err(invalid(
            setting,
            v,
            format!("must be between {min} and {max}"),
        ))
    }
}

fn positive(setting: &'static str, v: u64) -> Result<(), ConfigError> {
    if v > 0 {
        Ok(())
    } else {
        Err(invalid(setting, v, "must be greater than 0"))
    }
}

fn existing_file(setting: &'static str, path: Option<&Path>) -> Result<(), ConfigError> {
    let Some(path) = path else {
        return Err(invalid(setting, "(unset)", "must be set"));
    };
    if path.is_file() {
        Ok(())
    } else {
        Err(invalid(setting, path.display(), "file not found"))
    }
}

/// An `http://` or `https://` URL with a host.
fn http_url(setting: &'static str, value: &str) -> Result<(), ConfigError> {
    match url::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => Ok(()),
        _ => Err(invalid(
            setting,
            format!("{value:?}"),
            "must be an http:// or https:// URL",
        )),
    }
}

/// `mostro.fiat_limits`: upper-case three-letter codes of accepted currencies, with
/// `1 ≤ min ≤ max`.
fn fiat_limits(m: &super::MostroSettings) -> Result<(), ConfigError> {
    const SETTING: &str = "mostro.fiat_limits";
    for (code, limit) in &m.fiat_limits {
        if code.len() != 3 || !code.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(invalid(
                SETTING,
                format!("{code:?}"),
                "currency codes are three upper-case letters (ISO 4217), e.g. \"USD\"",
            ));
        }
        let accepted = m.fiat_currencies_accepted.is_empty()
            || m.fiat_currencies_accepted.iter().any(|c| c == code);
        if !accepted {
            return Err(invalid(
                SETTING,
                code,
                "a limit for a currency missing from mostro.fiat_currencies_accepted",
            ));
        }
        let shown = format!("{code} = {{ min = {}, max = {} }}", limit.min, limit.max);
        if limit.min == 0 || limit.min > limit.max {
            return Err(invalid(SETTING, shown, "need 1 <= min <= max"));
        }
    }
    Ok(())
}

/// Checks every setting; the first failure is returned.
pub(super) fn validate(s: &Settings) -> Result<(), ConfigError> {
    let m = &s.mostro;
    fraction("mostro.fee", m.fee, 0.0, 1.0)?;
    fraction("mostro.max_routing_fee", m.max_routing_fee, 0.0, 1.0)?;
    fraction("mostro.dev_fee_percentage", m.dev_fee_percentage, 0.10, 1.0)?;
    positive("mostro.min_payment_amount", m.min_payment_amount)?;
    positive("mostro.max_order_amount", m.max_order_amount)?;
    if m.min_payment_amount > m.max_order_amount {
        return Err(invalid(
            "mostro.min_payment_amount",
            m.min_payment_amount,
            format!(
                "must not exceed mostro.max_order_amount ({})",
                m.max_order_amount
            ),
        ));
    }
    positive("mostro.expiration_hours", m.expiration_hours)?;
    positive("mostro.max_expiration_days", m.max_expiration_days)?;
    positive("mostro.expiration_seconds", m.expiration_seconds)?;
    positive(
        "mostro.user_rates_sent_interval_seconds",
        m.user_rates_sent_interval_seconds,
    )?;
    positive("mostro.publish_relays_interval", m.publish_relays_interval)?;
    positive(
        "mostro.publish_mostro_info_interval",
        m.publish_mostro_info_interval,
    )?;
    positive(
        "mostro.active_pubkeys_refresh_interval",
        m.active_pubkeys_refresh_interval,
    )?;
    positive(
        "mostro.max_orders_per_response",
        m.max_orders_per_response as u64,
    )?;
    for code in &m.fiat_currencies_accepted {
        if code.is_empty() || !code.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(invalid(
                "mostro.fiat_currencies_accepted",
                format!("{code:?}"),
                "currency codes are upper-case letters, e.g. \"USD\"",
            ));
        }
    }

    fiat_limits(m)?;

    let l = &s.lightning;
    if !(l.lnd_grpc_host.starts_with("https://") || l.lnd_grpc_host.starts_with("http://")) {
        return Err(invalid(
            "lightning.lnd_grpc_host",
            &l.lnd_grpc_host,
            "must be a URL such as https://127.0.0.1:10009",
        ));
    }
    existing_file("lightning.lnd_cert_file", l.lnd_cert_file.as_deref())?;
    existing_file(
        "lightning.lnd_macaroon_file",
        l.lnd_macaroon_file.as_deref(),
    )?;
    positive(
        "lightning.hold_invoice_cltv_delta",
        u64::from(l.hold_invoice_cltv_delta),
    )?;
    positive(
        "lightning.hold_invoice_expiration_window",
        l.hold_invoice_expiration_window,
    )?;
    positive(
        "lightning.invoice_expiration_window",
        l.invoice_expiration_window,
    )?;
    positive("lightning.payment_attempts", u64::from(l.payment_attempts))?;
    positive(
        "lightning.payment_retries_interval",
        u64::from(l.payment_retries_interval),
    )?;
    positive(
        "lightning.max_final_cltv_expiry_delta",
        u64::from(l.max_final_cltv_expiry_delta),
    )?;
    if l.escrow_deadline_margin_blocks >= l.hold_invoice_cltv_delta {
        return Err(invalid(
            "lightning.escrow_deadline_margin_blocks",
            l.escrow_deadline_margin_blocks,
            format!(
                "must be less than lightning.hold_invoice_cltv_delta ({})",
                l.hold_invoice_cltv_delta
            ),
        ));
    }

    let n = &s.nostr;
    if n.relays.is_empty() {
        return Err(invalid("nostr.relays", "[]", "list at least one relay"));
    }
    for relay in &n.relays {
        let ws = relay.starts_with("ws://") || relay.starts_with("wss://");
        if !ws || RelayUrl::parse(relay).is_err() {
            return Err(invalid(
                "nostr.relays",
                relay,
                "must be a ws:// or wss:// URL",
            ));
        }
    }
    if let Some(secret) = &n.nsec_privkey {
        if SecretKey::parse(secret).is_err() {
            return Err(invalid(
                "nostr.nsec_privkey",
                "<redacted>",
                "must be an nsec or a 64-character hex secret key",
            ));
        }
    }

    let e = &s.expiration;
    positive("expiration.order_days", e.order_days)?;
    positive("expiration.rating_days", e.rating_days)?;
    positive("expiration.dispute_days", e.dispute_days)?;
    positive("expiration.fee_audit_days", e.fee_audit_days)?;
    positive("expiration.dm_days", e.dm_days)?;

    if s.admin.enabled {
        s.admin.listen_addr()?;
    }

    positive(
        "price.max_price_staleness_seconds",
        s.price.max_price_staleness_seconds,
    )?;
    http_url("price.yadio_url", &s.price.yadio_url)?;
    http_url("price.coingecko_url", &s.price.coingecko_url)?;

    positive(
        "lnurl.connect_timeout_seconds",
        s.lnurl.connect_timeout_seconds,
    )?;
    positive(
        "lnurl.request_timeout_seconds",
        s.lnurl.request_timeout_seconds,
    )?;
    Ok(())
}
