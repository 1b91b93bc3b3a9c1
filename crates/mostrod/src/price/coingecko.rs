//! CoinGecko (<https://www.coingecko.com/en/api>): `GET /simple/price?ids=bitcoin&vs_currencies=usd,eur`
//! returns `{"bitcoin":{"usd":67187.0,"eur":61874.0}}` (lower-case codes).

use std::collections::BTreeMap;

use futures::future::BoxFuture;
use serde::Deserialize;
use url::Url;

use super::error::PriceError;
use super::http::PriceHttp;
use super::provider::PriceProvider;
use super::rates::RateTable;

/// The public CoinGecko API base.
pub const COINGECKO_DEFAULT_BASE: &str = "https://api.coingecko.com/api/v3";

const ID: &str = "coingecko";

/// The CoinGecko price provider, asking for a fixed list of currencies.
#[derive(Debug, Clone)]
pub struct CoinGeckoProvider {
    http: PriceHttp,
    url: Url,
}

#[derive(Deserialize)]
struct Body {
    bitcoin: BTreeMap<String, serde_json::Value>,
}

impl CoinGeckoProvider {
    /// A provider querying `{base}/simple/price` for `currencies` (fiat codes, any
    /// case). `base` is normally [`COINGECKO_DEFAULT_BASE`].
    pub fn new(http: PriceHttp, base: &str, currencies: &[String]) -> Result<Self, PriceError> {
        let bad_url = |source| PriceError::BadUrl {
            provider: ID,
            source,
        };
        let mut url =
            Url::parse(&format!("{}/simple/price", base.trim_end_matches('/'))).map_err(bad_url)?;
        let codes: Vec<String> = currencies.iter().map(|c| c.to_ascii_lowercase()).collect();
        url.query_pairs_mut()
            .append_pair("ids", "bitcoin")
            .append_pair("vs_currencies", &codes.join(","));
        Ok(Self { http, url })
    }

    /// The URL this provider requests.
    pub fn url(&self) -> &Url {
        &self.url
    }

    async fn fetch_table(&self) -> Result<RateTable, PriceError> {
        let body: Body = self.http.get_json(ID, self.url.clone()).await?;
        RateTable::from_json_prices(ID, &body.bitcoin)
    }
}

impl PriceProvider for CoinGeckoProvider {
    fn id(&self) -> &'static str {
        ID
    }

    fn fetch(&self) -> BoxFuture<'_, Result<RateTable, PriceError>> {
        Box::pin(self.fetch_table())
    }
}
