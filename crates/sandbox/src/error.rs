//! The sandbox's errors: each names the step or the file it concerns.

use std::path::PathBuf;
use std::time::Duration;

/// Everything that can go wrong while running the sandbox.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The regtest network (btcd, LND, lncli) failed.
    #[error("regtest network: {0}")]
    Testnet(#[from] testnet::TestnetError),
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A program could not be started.
    #[error("could not start {program}: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A binary of the workspace has not been built.
    #[error("{} is missing; build it with `cargo build --bins` (or run ./sandbox up)", path.display())]
    MissingBinary {
        /// Where it was expected.
        path: PathBuf,
    },
    /// A wait ran out of time.
    #[error("step `{step}` did not finish within {}s", timeout.as_secs())]
    Timeout {
        /// The step that was waiting.
        step: String,
        /// How long it waited.
        timeout: Duration,
    },
    /// A `mostro-cli` command failed.
    #[error("`mostro-cli {command}` ({user}) exited with {status}: {stderr}")]
    Cli {
        /// Whose data directory it ran on.
        user: String,
        /// The subcommand and its arguments.
        command: String,
        /// Its exit status.
        status: String,
        /// What it printed on stderr (trimmed).
        stderr: String,
    },
    /// A program printed something the sandbox cannot use.
    #[error("unexpected output from {what}: {detail}")]
    BadOutput {
        /// The program or step.
        what: String,
        /// What was wrong.
        detail: String,
    },
    /// A step of the scripted trade saw something other than what it expected.
    #[error("step `{step}` failed: {detail}")]
    Step {
        /// The step.
        step: String,
        /// What happened.
        detail: String,
    },
    /// The sandbox is not running (no state directory or no network).
    #[error("the sandbox is not running ({0}); start it with ./sandbox up")]
    NotRunning(String),
}

impl SandboxError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    /// A failed step with a description.
    pub fn step(step: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::Step {
            step: step.into(),
            detail: detail.into(),
        }
    }
}

/// Result with [`SandboxError`].
pub type Result<T> = std::result::Result<T, SandboxError>;

/// Runs `fut`, failing with [`SandboxError::Timeout`] naming `step` after `timeout`.
pub async fn within<T>(
    step: &str,
    timeout: Duration,
    fut: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    match tokio::time::timeout(timeout, fut).await {
        Ok(result) => result,
        Err(_) => Err(SandboxError::Timeout {
            step: step.to_owned(),
            timeout,
        }),
    }
}
