//! [`LnurlOptions`]: limits and the test switch.

use std::time::Duration;

/// Default connect (and DNS) timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Default total time for one request, body included.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Default response size cap.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

/// How LNURL requests are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LnurlOptions {
    /// TEST ONLY: admit the literal host `127.0.0.1` (over `http` or `https`). Every
    /// other host is still subject to the full policy. Never enable in production.
    pub allow_insecure_localhost: bool,
    /// Limit for DNS resolution and for the TCP/TLS connection.
    pub connect_timeout: Duration,
    /// Limit for a whole request, body included.
    pub request_timeout: Duration,
    /// Largest accepted response body, in bytes.
    pub max_body_bytes: usize,
}

impl Default for LnurlOptions {
    fn default() -> Self {
        Self {
            allow_insecure_localhost: false,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}
