//! Yadio (<https://yadio.io>): `GET /exrates/BTC` returns the price of 1 BTC in every
//! currency it tracks, e.g. `{"BTC":{"USD":67000.1,"VES":2450000.0,…},"base":"BTC","timestamp":…}`.

use std::collections::BTreeMap;

use futures::future::BoxFuture;
use serde::Deserialize;
use url::Url;

use super::error::PriceError;
use super::http::PriceHttp;
use super::provider::PriceProvider;
use super::rates::RateTable;

/// The public Yadio endpoint.
pub const YADIO_DEFAULT_URL: &str = "https://api.yadio.io/exrates/BTC";

const ID: &str = "yadio";

/// The Yadio price provider.
#[derive(Debug, Clone)]
pub struct YadioProvider {
    http: PriceHttp,
    url: Url,
}

#[derive(Deserialize)]
struct Body {
    #[serde(rename = "BTC")]
    btc: BTreeMap<String, serde_json::Value>,
}

impl YadioProvider {
    /// A provider reading the full exchange-rate table at `url` (normally
    /// [`YADIO_DEFAULT_URL`]; tests point it at a local server).
    pub fn new(http: PriceHttp, url: Url) -> Self {
        Self { http, url }
    }

    /// A provider on the public endpoint.
    pub fn public(http: PriceHttp) -> Result<Self, PriceError> {
        let url = Url::parse(YADIO_DEFAULT_URL).map_err(|source| PriceError::BadUrl {
            provider: ID,
            source,
        })?;
        Ok(Self::new(http, url))
    }

    async fn fetch_table(&self) -> Result<RateTable, PriceError> {
        let body: Body = self.http.get_json(ID, self.url.clone()).await?;
        RateTable::from_json_prices(ID, &body.btc)
    }
}

impl PriceProvider for YadioProvider {
    fn id(&self) -> &'static str {
        ID
    }

    fn fetch(&self) -> BoxFuture<'_, Result<RateTable, PriceError>> {
        Box::pin(self.fetch_table())
    }
}
