//! One LNURL GET: vetted, pinned, no redirects, short timeouts, capped body.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use url::Url;

use crate::price::http::{read_capped, CappedReadError};

use super::error::LnurlError;
use super::options::LnurlOptions;
use super::policy::{vet_url, VettedUrl};

/// The LUD error shape: `{"status":"ERROR","reason":"…"}`.
#[derive(Deserialize)]
struct StatusBody {
    status: Option<String>,
    reason: Option<String>,
}

/// GETs `url` after vetting it and decodes its JSON body as `T`, turning a LUD
/// `{"status":"ERROR"}` answer into [`LnurlError::Service`].
pub(crate) async fn get_json<T: DeserializeOwned>(
    url: Url,
    options: &LnurlOptions,
) -> Result<T, LnurlError> {
    let vetted = vet_url(
        url,
        options.allow_insecure_localhost,
        options.connect_timeout,
    )
    .await?;
    let body = get_body(vetted, options).await?;
    let value: serde_json::Value = serde_json::from_slice(&body).map_err(LnurlError::Malformed)?;
    if let Ok(StatusBody {
        status: Some(status),
        reason,
    }) = StatusBody::deserialize(&value)
    {
        if status.eq_ignore_ascii_case("ERROR") {
            return Err(LnurlError::Service {
                reason: reason.unwrap_or_default(),
            });
        }
    }
    T::deserialize(value).map_err(LnurlError::Malformed)
}

async fn get_body(vetted: VettedUrl, options: &LnurlOptions) -> Result<Vec<u8>, LnurlError> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .https_only(!vetted.insecure_ok)
        .connect_timeout(options.connect_timeout)
        .timeout(options.request_timeout)
        .user_agent(concat!("mostrod/", env!("CARGO_PKG_VERSION")));
    if let Some((domain, addrs)) = &vetted.pinned {
        // Connect only to the addresses that were vetted: a later DNS answer for the
        // same name is never consulted.
        builder = builder.resolve_to_addrs(domain, addrs);
    }
    let client = builder.build().map_err(LnurlError::Client)?;
    let transport = |e: reqwest::Error| {
        if e.is_timeout() {
            LnurlError::Timeout
        } else {
            LnurlError::Transport(e)
        }
    };
    let response = client
        .get(vetted.url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(transport)?;
    let status = response.status();
    if status.is_redirection() {
        return Err(LnurlError::Redirect {
            status: status.as_u16(),
        });
    }
    if !status.is_success() {
        return Err(LnurlError::Status {
            status: status.as_u16(),
        });
    }
    read_capped(response, options.max_body_bytes)
        .await
        .map_err(|e| match e {
            CappedReadError::TooLarge => LnurlError::BodyTooLarge {
                limit: options.max_body_bytes,
            },
            CappedReadError::Transport(e) => transport(e),
        })
}
