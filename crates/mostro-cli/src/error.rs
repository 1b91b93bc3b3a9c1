//! The CLI's error type and its documented exit codes.

use mostro_client::{ClientError, ErrorKind};

/// Process exit codes (documented in `--help` and the user guide).
pub mod exit {
    /// Success.
    pub const OK: i32 = 0;
    /// Any other failure (e.g. Mostro sent something unusable).
    pub const GENERIC: i32 = 1;
    /// Bad usage, configuration or input.
    pub const USAGE: i32 = 2;
    /// Mostro refused the request (`cant-do`).
    pub const CANT_DO: i32 = 3;
    /// Mostro (or the relays) did not answer in time.
    pub const TIMEOUT: i32 = 4;
    /// Relays unreachable or refusing our events.
    pub const RELAY: i32 = 5;
    /// Local storage or key files failed.
    pub const STORAGE: i32 = 6;
}

/// Everything a command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The client library failed.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// Bad usage or configuration, with advice.
    #[error("{0}")]
    Usage(String),
    /// Writing the output failed (e.g. a closed pipe).
    #[error("cannot write output")]
    Output(#[source] std::io::Error),
    /// Serialising JSON output failed.
    #[error("cannot encode JSON output")]
    Json(#[from] serde_json::Error),
    /// The async runtime could not start.
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
}

impl CliError {
    /// The exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Client(e) => client_exit_code(e),
            Self::Usage(_) => exit::USAGE,
            Self::Output(_) | Self::Json(_) | Self::Runtime(_) => exit::GENERIC,
        }
    }

    /// A stable, machine-readable name of the error category.
    pub fn category(&self) -> &'static str {
        match self.exit_code() {
            exit::USAGE => "usage",
            exit::CANT_DO => "cant-do",
            exit::TIMEOUT => "timeout",
            exit::RELAY => "relay",
            exit::STORAGE => "storage",
            _ => "error",
        }
    }
}

/// Exit code of a client error, from its stable [`ErrorKind`].
pub fn client_exit_code(error: &ClientError) -> i32 {
    // Keys are files in the data directory: a key error is a local problem,
    // except a mnemonic the user typed, which is bad input.
    match (error, error.kind()) {
        (ClientError::NoDaemonInfo(_), _) => exit::TIMEOUT,
        (_, ErrorKind::Timeout) => exit::TIMEOUT,
        (_, ErrorKind::CantDo) => exit::CANT_DO,
        (_, ErrorKind::Relay) => exit::RELAY,
        (_, ErrorKind::Storage) => exit::STORAGE,
        (_, ErrorKind::InvalidInput | ErrorKind::UnknownOrder) => exit::USAGE,
        (_, ErrorKind::Protocol) => exit::GENERIC,
    }
}

#[cfg(test)]
mod tests {
    use mostro_protocol::{Action, CantDoReason};

    use super::*;

    #[test]
    fn client_errors_map_to_documented_codes() {
        let cant = ClientError::CantDo {
            action: Action::TakeSell,
            reason: Some(CantDoReason::InvalidOrderStatus),
        };
        assert_eq!(CliError::from(cant).exit_code(), exit::CANT_DO);
        let input = ClientError::InvalidInput("x".into());
        assert_eq!(CliError::from(input).exit_code(), exit::USAGE);
        let unknown = ClientError::UnknownOrder(uuid::Uuid::nil());
        assert_eq!(CliError::from(unknown).exit_code(), exit::USAGE);
        let relay = ClientError::Relay(mostro_relay::RelayError::NoRelays);
        assert_eq!(CliError::from(relay).exit_code(), exit::RELAY);
        assert_eq!(CliError::Usage("bad".into()).category(), "usage");
    }
}
