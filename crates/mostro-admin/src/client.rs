//! The HTTP client of the admin interface.

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::error::CliError;

/// How long one request may take (operator actions wait for the order's writer).
const TIMEOUT: Duration = Duration::from_secs(120);

/// The token file: `--token-file`, else `<data_dir>/admin.token`, where the data
/// directory is `--data-dir`, else `$MOSTROD_DATA_DIR`, else `$HOME/.mostrod`.
pub fn token_path(
    token_file: Option<&Path>,
    data_dir: Option<&Path>,
    env_data_dir: Option<PathBuf>,
    home: Option<PathBuf>,
) -> Result<PathBuf, CliError> {
    if let Some(file) = token_file {
        return Ok(file.to_owned());
    }
    let dir = data_dir
        .map(Path::to_owned)
        .or(env_data_dir)
        .or_else(|| home.map(|h| h.join(".mostrod")))
        .ok_or(CliError::NoTokenFile)?;
    Ok(dir.join("admin.token"))
}

/// Reads the token from `path`.
pub fn read_token(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path)
        .map(|t| t.trim().to_owned())
        .map_err(|source| CliError::TokenFile {
            path: path.to_owned(),
            source,
        })
}

/// A connection to the admin interface.
#[derive(Debug)]
pub struct AdminClient {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl AdminClient {
    /// A client for `base` (e.g. `http://127.0.0.1:8383`) with `token`.
    pub fn new(base: &str, token: String) -> Result<Self, CliError> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| CliError::Other(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            base: base.trim_end_matches('/').to_owned(),
            token,
            http,
        })
    }

    /// Sends one request; answers the JSON body of a success (`Null` when empty).
    /// A `503` from `/v1/health` is a success: its body is the report.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value), CliError> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.map_err(|source| {
            if source.is_connect() || source.is_timeout() {
                CliError::Unreachable {
                    url: self.base.clone(),
                    source,
                }
            } else {
                CliError::Other(format!("request failed: {source}"))
            }
        })?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| CliError::Other(format!("cannot read the answer: {e}")))?;
        let value = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .map_err(|_| CliError::Other(format!("unexpected answer ({status}): {text}")))?
        };
        let message = || {
            value["message"]
                .as_str()
                .map_or_else(|| status.to_string(), str::to_owned)
        };
        match status {
            s if s.is_success() => Ok((s, value)),
            StatusCode::SERVICE_UNAVAILABLE if path == "/v1/health" => Ok((status, value)),
            StatusCode::UNAUTHORIZED => Err(CliError::Unauthorized),
            StatusCode::NOT_FOUND => Err(CliError::NotFound(message())),
            StatusCode::BAD_REQUEST | StatusCode::CONFLICT => Err(CliError::Refused(message())),
            _ => Err(CliError::Other(format!("{status}: {}", message()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_path_precedence() {
        let explicit = Path::new("/x/token");
        let dir = Path::new("/data");
        let env = Some(PathBuf::from("/env"));
        let home = Some(PathBuf::from("/home/op"));
        assert_eq!(
            token_path(Some(explicit), Some(dir), env.clone(), home.clone()).unwrap(),
            PathBuf::from("/x/token")
        );
        assert_eq!(
            token_path(None, Some(dir), env.clone(), home.clone()).unwrap(),
            PathBuf::from("/data/admin.token")
        );
        assert_eq!(
            token_path(None, None, env, home.clone()).unwrap(),
            PathBuf::from("/env/admin.token")
        );
        assert_eq!(
            token_path(None, None, None, home).unwrap(),
            PathBuf::from("/home/op/.mostrod/admin.token")
        );
        assert!(matches!(
            token_path(None, None, None, None),
            Err(CliError::NoTokenFile)
        ));
    }
}
