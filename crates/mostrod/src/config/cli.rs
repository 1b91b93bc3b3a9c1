//! Command-line flags of `mostrod`. Flags override environment variables, which
//! override the settings file, which overrides the defaults.

use std::path::PathBuf;

use clap::Parser;

/// mostrod: the Mostro peer-to-peer exchange daemon.
///
/// Settings are read from `<data-dir>/settings.toml` (or --config), then from
/// environment variables named `MOSTROD_<SECTION>_<KEY>` (for example
/// `MOSTROD_MOSTRO_FEE=0.006`; lists are comma-separated), then from these flags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Parser)]
#[command(name = "mostrod", version, about, long_about)]
pub struct Cli {
    /// Settings file [default: <data-dir>/settings.toml; a missing default file
    /// means all defaults].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Directory for the database, the node key and the default settings file
    /// [default: $MOSTROD_DATA_DIR, else ~/.mostrod].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Relay URL (ws:// or wss://); repeat for several. Replaces `nostr.relays`.
    #[arg(long = "relay", value_name = "URL")]
    pub relays: Vec<String>,

    /// LND gRPC endpoint, e.g. https://127.0.0.1:10009 (`lightning.lnd_grpc_host`).
    #[arg(long, value_name = "URL")]
    pub lnd_host: Option<String>,

    /// LND TLS certificate file (`lightning.lnd_cert_file`).
    #[arg(long, value_name = "FILE")]
    pub lnd_cert: Option<PathBuf>,

    /// LND macaroon file (`lightning.lnd_macaroon_file`).
    #[arg(long, value_name = "FILE")]
    pub lnd_macaroon: Option<PathBuf>,

    /// SQLite database file (`database.path`) [default: <data-dir>/mostro.db].
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,

    /// Log filter in `tracing` EnvFilter syntax, e.g. `info` or `mostrod=debug`
    /// [default: $RUST_LOG, else info].
    #[arg(long, value_name = "FILTER")]
    pub log: Option<String>,
}
