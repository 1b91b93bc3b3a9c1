//! Progress lines on stderr for the long steps (build, mining, channels).

use std::sync::OnceLock;
use std::time::Instant;

/// Seconds since the first progress line of this process.
pub(crate) fn elapsed_secs() -> f64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}

/// Prints a progress line to stderr, prefixed with `[regtest +<seconds>]`.
macro_rules! progress {
    ($($arg:tt)*) => {
        eprintln!(
            "[regtest +{:.1}s] {}",
            $crate::progress::elapsed_secs(),
            format_args!($($arg)*)
        )
    };
}

pub(crate) use progress;
