//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Default admin interface URL (mostrod's default `[admin] listen`).
pub const DEFAULT_URL: &str = "http://127.0.0.1:8383";

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  unexpected failure (bad answer, server error)
  2  usage error
  3  cannot reach the admin interface (is mostrod running?)
  4  unauthorized, or the token file cannot be read
  5  not found (unknown order, dispute or solver)
  6  refused (the engine refused the action, or the request was invalid)
  7  `health`: the daemon answers but is degraded";

/// Operator client of mostrod's admin interface.
#[derive(Debug, Parser)]
#[command(name = "mostro-admin", version, after_help = EXIT_CODES)]
pub struct Args {
    /// Admin interface URL.
    #[arg(long, env = "MOSTRO_ADMIN_URL", default_value = DEFAULT_URL, global = true)]
    pub url: String,

    /// Bearer token file (default: `<data-dir>/admin.token`).
    #[arg(long, env = "MOSTRO_ADMIN_TOKEN_FILE", global = true)]
    pub token_file: Option<PathBuf>,

    /// mostrod's data directory (default: `$MOSTROD_DATA_DIR`, else `~/.mostrod`).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,

    /// Print the raw JSON answer instead of a table.
    #[arg(long, global = true)]
    pub json: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Daemon, Lightning, relays, database and outbox status.
    Health,
    /// Orders, newest first.
    Orders {
        /// Only orders in this status (e.g. `pending`, `active`, `dispute`).
        #[arg(long)]
        status: Option<String>,
        /// At most this many (1 to 500).
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// One order.
    Order {
        /// Order id.
        id: String,
    },
    /// Open disputes.
    Disputes,
    /// One dispute.
    Dispute {
        /// Dispute id.
        id: String,
    },
    /// Registered solvers.
    Solvers,
    /// Registers a solver (read-write unless `--read-only`).
    AddSolver {
        /// The solver's public key (`npub…` or hex).
        pubkey: String,
        /// Only allow taking disputes, not settling or cancelling.
        #[arg(long)]
        read_only: bool,
    },
    /// Removes a solver.
    RemoveSolver {
        /// The solver's public key (`npub…` or hex).
        pubkey: String,
    },
    /// Outbound events waiting for a relay.
    Outbox {
        /// At most this many (1 to 500).
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// On-chain and channel balances.
    Balance,
    /// Open channels.
    Channels,
    /// Takes a dispute as the node key.
    TakeDispute {
        /// Dispute id.
        id: String,
    },
    /// Settles a disputed order (escrow to the buyer) as the node key.
    Settle {
        /// Order id.
        order_id: String,
    },
    /// Cancels a disputed order (escrow back to the seller) as the node key.
    Cancel {
        /// Order id.
        order_id: String,
    },
}
