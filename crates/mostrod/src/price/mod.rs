//! Market prices for market-price orders (PROTOCOL.md §5.2 check 7, §5.3, §10.1).
//!
//! [`PriceProvider`] is the port to one external source ([`YadioProvider`],
//! [`CoinGeckoProvider`]). [`PriceService`] refreshes them all on an interval,
//! combines their tables with [`aggregate()`] (median after dropping outliers) and
//! answers [`PriceService::quote`], refusing prices older than
//! `max_price_staleness_seconds`. Every refresh that priced something is sent on
//! [`PriceService::subscribe`]; [`rates_event()`] turns it into the optional kind
//! 30078 rates publication (§7.6).
//!
//! The sats maths for a quote lives in [`crate::engine::fees::market_sats`].

pub mod aggregate;
pub mod coingecko;
pub mod error;
pub mod http;
pub mod provider;
pub mod rates;
pub mod rates_event;
pub mod service;
pub mod settings;
pub mod yadio;

pub use aggregate::{
    aggregate, aggregate_currency, median, AggregatedPrice, DEFAULT_MAX_DEVIATION,
};
pub use coingecko::{CoinGeckoProvider, COINGECKO_DEFAULT_BASE};
pub use error::PriceError;
pub use http::PriceHttp;
pub use provider::{DynPriceProvider, PriceProvider};
pub use rates::RateTable;
pub use rates_event::{rates_event, RatesNotPublished};
pub use service::{CachedPrice, PriceService, RatesSnapshot, RefreshReport};
pub use settings::PriceSettings;
pub use yadio::{YadioProvider, YADIO_DEFAULT_URL};
