//! [`PriceService`]: refreshes every provider on an interval, keeps the latest combined
//! price per currency, and answers quotes with a staleness limit.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, PoisonError, RwLock};

use futures::future::join_all;
use nostr::types::Timestamp;
use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

use crate::engine::PriceQuote;

use super::aggregate::aggregate;
use super::error::PriceError;
use super::provider::DynPriceProvider;
use super::rates::{normalize_code, RateTable};
use super::settings::PriceSettings;

/// The latest combined price of one currency.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedPrice {
    /// Price of 1 BTC.
    pub price: f64,
    /// When the refresh that produced it ran.
    pub fetched_at: Timestamp,
    /// Providers whose price was kept, sorted.
    pub sources: Vec<&'static str>,
}

/// The prices one refresh produced (what the kind 30078 rates event publishes).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RatesSnapshot {
    /// When the refresh ran.
    pub fetched_at: Timestamp,
    /// Fiat code → combined price of 1 BTC.
    pub prices: BTreeMap<String, f64>,
    /// Every provider that contributed at least one kept price, sorted.
    pub sources: Vec<&'static str>,
    /// Fiat code → the providers whose price was kept for it, sorted.
    pub currency_sources: BTreeMap<String, Vec<&'static str>>,
}

impl RatesSnapshot {
    /// The part of the snapshot about `codes` (case-insensitive; an empty list keeps
    /// everything), with `sources` narrowed to the providers of the kept currencies.
    pub fn restricted_to(&self, codes: &[String]) -> Self {
        if codes.is_empty() {
            return self.clone();
        }
        let wanted: Vec<String> = codes.iter().filter_map(|c| normalize_code(c)).collect();
        let keep = |code: &String| wanted.contains(code);
        let prices: BTreeMap<String, f64> = self
            .prices
            .iter()
            .filter(|(code, _)| keep(code))
            .map(|(code, price)| (code.clone(), *price))
            .collect();
        let currency_sources: BTreeMap<String, Vec<&'static str>> = self
            .currency_sources
            .iter()
            .filter(|(code, _)| keep(code))
            .map(|(code, ids)| (code.clone(), ids.clone()))
            .collect();
        let mut sources: Vec<&'static str> = currency_sources.values().flatten().copied().collect();
        sources.sort_unstable();
        sources.dedup();
        Self {
            fetched_at: self.fetched_at,
            prices,
            sources,
            currency_sources,
        }
    }
}

/// The outcome of one refresh.
#[derive(Debug, Default)]
pub struct RefreshReport {
    /// Currencies whose price was updated.
    pub updated: usize,
    /// Providers that failed, with the reason.
    pub failures: Vec<(&'static str, PriceError)>,
}

/// Market prices from several providers (cheap to clone; clones share the cache).
#[derive(Debug, Clone)]
pub struct PriceService {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    providers: Vec<DynPriceProvider>,
    settings: PriceSettings,
    cache: RwLock<BTreeMap<String, CachedPrice>>,
    updates: watch::Sender<Option<RatesSnapshot>>,
}

impl PriceService {
    /// A service over `providers`, with an empty cache (every quote is
    /// [`PriceError::Unknown`] until the first refresh).
    pub fn new(providers: Vec<DynPriceProvider>, settings: PriceSettings) -> Self {
        let (updates, _) = watch::channel(None);
        Self {
            inner: Arc::new(Inner {
                providers,
                settings,
                cache: RwLock::new(BTreeMap::new()),
                updates,
            }),
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &PriceSettings {
        &self.inner.settings
    }

    /// Receives the snapshot of every refresh that produced at least one price (for
    /// publishing kind 30078 rates).
    pub fn subscribe(&self) -> watch::Receiver<Option<RatesSnapshot>> {
        self.inner.updates.subscribe()
    }

    /// Fetches every provider concurrently and folds the combined prices into the
    /// cache with `fetched_at = now`. A currency no provider could price this time
    /// keeps its previous entry (which ages towards staleness).
    #[tracing::instrument(skip_all)]
    pub async fn refresh_once(&self, now: Timestamp) -> RefreshReport {
        let results = join_all(
            self.inner
                .providers
                .iter()
                .map(|p| async move { (p.id(), p.fetch().await) }),
        )
        .await;
        let mut tables: Vec<(&'static str, RateTable)> = Vec::new();
        let mut report = RefreshReport::default();
        for (id, result) in results {
            match result {
                Ok(table) => tables.push((id, table)),
                Err(error) => {
                    tracing::warn!(provider = id, error = %error, "price provider failed");
                    report.failures.push((id, error));
                }
            }
        }
        let combined = aggregate(&tables, self.inner.settings.max_deviation());
        report.updated = combined.len();
        if combined.is_empty() {
            return report;
        }
        let mut snapshot = RatesSnapshot {
            fetched_at: now,
            ..RatesSnapshot::default()
        };
        {
            let mut cache = self
                .inner
                .cache
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            for (code, agg) in combined {
                snapshot.sources.extend(agg.sources.iter().copied());
                snapshot.prices.insert(code.clone(), agg.price);
                snapshot
                    .currency_sources
                    .insert(code.clone(), agg.sources.clone());
                cache.insert(
                    code,
                    CachedPrice {
                        price: agg.price,
                        fetched_at: now,
                        sources: agg.sources,
                    },
                );
            }
        }
        snapshot.sources.sort_unstable();
        snapshot.sources.dedup();
        tracing::debug!(currencies = report.updated, "prices refreshed");
        self.inner.updates.send_replace(Some(snapshot));
        report
    }

    /// The latest price of `fiat_code`, whatever its age (the engine applies its own
    /// staleness rule to it).
    pub fn latest(&self, fiat_code: &str) -> Option<PriceQuote> {
        let code = normalize_code(fiat_code)?;
        let cache = self
            .inner
            .cache
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        cache.get(&code).map(|cached| PriceQuote {
            price: cached.price,
            fetched_at: cached.fetched_at,
        })
    }

    /// A usable quote for `fiat_code` at `now`: known, and no older than
    /// `max_price_staleness_seconds`.
    pub fn quote(&self, fiat_code: &str, now: Timestamp) -> Result<PriceQuote, PriceError> {
        let unknown = || PriceError::Unknown {
            currency: fiat_code.to_owned(),
        };
        let quote = self.latest(fiat_code).ok_or_else(unknown)?;
        let age_secs = now.as_secs().saturating_sub(quote.fetched_at.as_secs());
        let max_age_secs = self.inner.settings.max_staleness_secs();
        if age_secs > max_age_secs {
            return Err(PriceError::Stale {
                currency: fiat_code.to_owned(),
                age_secs,
                max_age_secs,
            });
        }
        Ok(quote)
    }

    /// Refreshes at once and then every `update_interval` until `shutdown` completes
    /// (an in-flight refresh is abandoned on shutdown), dating refreshes with the
    /// wall clock.
    pub async fn run<F: Future<Output = ()>>(&self, shutdown: F) {
        self.run_with_clock(Timestamp::now, shutdown).await;
    }

    /// [`PriceService::run`], dating each refresh with `now()` (the daemon passes its
    /// runtime clock, so that price ages and event dates follow one time source).
    pub async fn run_with_clock<C, F>(&self, now: C, shutdown: F)
    where
        C: Fn() -> Timestamp,
        F: Future<Output = ()>,
    {
        let mut ticker = tokio::time::interval(self.inner.settings.update_interval());
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                biased;
                () = &mut shutdown => return,
                _ = ticker.tick() => {}
            }
            tokio::select! {
                biased;
                () = &mut shutdown => return,
                _ = self.refresh_once(now()) => {}
            }
        }
    }
}
