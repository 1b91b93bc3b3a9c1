//! The [`PriceProvider`] port: one external source of bitcoin prices.

use std::fmt::Debug;
use std::sync::Arc;

use futures::future::BoxFuture;

use super::error::PriceError;
use super::rates::RateTable;

/// A shared, dynamically dispatched price provider.
pub type DynPriceProvider = Arc<dyn PriceProvider>;

/// A source of bitcoin prices in fiat currencies.
///
/// Methods return boxed futures so the trait stays usable as `dyn PriceProvider`
/// (the same style as [`crate::lightning::Lightning`]).
pub trait PriceProvider: Send + Sync + Debug {
    /// A short, stable, lower-case id (`"yadio"`, `"coingecko"`), used in logs and in
    /// the `source` tag of the published rates event.
    fn id(&self) -> &'static str;

    /// Fetches the current price of 1 BTC in every currency the source offers.
    fn fetch(&self) -> BoxFuture<'_, Result<RateTable, PriceError>>;
}
