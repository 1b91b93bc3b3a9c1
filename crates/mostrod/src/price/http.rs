//! The HTTP plumbing shared by the price providers: one client, a total timeout and a
//! body-size cap.

use std::time::Duration;

use serde::de::DeserializeOwned;
use url::Url;

use super::error::PriceError;

/// Default total time allowed for one provider request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Default cap on a provider response body (Yadio's full table is about 10 KiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024;

/// An HTTP GET-JSON client for price providers (cheap to clone).
#[derive(Debug, Clone)]
pub struct PriceHttp {
    client: reqwest::Client,
    max_body_bytes: usize,
}

impl PriceHttp {
    /// A client with the given total timeout and body cap. Redirects are not followed
    /// and proxies from the environment are ignored.
    pub fn new(timeout: Duration, max_body_bytes: usize) -> Result<Self, PriceError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("mostrod/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(PriceError::Client)?;
        Ok(Self {
            client,
            max_body_bytes,
        })
    }

    /// A client with [`DEFAULT_TIMEOUT`] and [`DEFAULT_MAX_BODY_BYTES`].
    pub fn with_defaults() -> Result<Self, PriceError> {
        Self::new(DEFAULT_TIMEOUT, DEFAULT_MAX_BODY_BYTES)
    }

    /// GETs `url` and decodes its JSON body as `T`.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        provider: &'static str,
        url: Url,
    ) -> Result<T, PriceError> {
        let transport = |source: reqwest::Error| {
            if source.is_timeout() {
                PriceError::Timeout { provider }
            } else {
                PriceError::Transport { provider, source }
            }
        };
        let response = self
            .client
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        if !status.is_success() {
            return Err(PriceError::Status {
                provider,
                status: status.as_u16(),
            });
        }
        let body = match read_capped(response, self.max_body_bytes).await {
            Ok(body) => body,
            Err(CappedReadError::TooLarge) => {
                return Err(PriceError::BodyTooLarge {
                    provider,
                    limit: self.max_body_bytes,
                })
            }
            Err(CappedReadError::Transport(source)) => return Err(transport(source)),
        };
        serde_json::from_slice(&body).map_err(|source| PriceError::Malformed { provider, source })
    }
}

/// Why [`read_capped`] stopped.
#[derive(Debug)]
pub(crate) enum CappedReadError {
    /// The body is longer than the cap.
    TooLarge,
    /// The connection failed or timed out mid-body.
    Transport(reqwest::Error),
}

/// Reads a response body, refusing it as soon as it exceeds `limit` bytes (before
/// buffering more than `limit` plus one chunk).
pub(crate) async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, CappedReadError> {
    let declared = response.content_length().unwrap_or(0);
    if usize::try_from(declared).map_or(true, |len| len > limit) {
        return Err(CappedReadError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(CappedReadError::Transport)? {
        if body.len().saturating_add(chunk.len()) > limit {
            return Err(CappedReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
