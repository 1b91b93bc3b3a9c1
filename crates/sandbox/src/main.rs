//! `sandbox`: run by the `./sandbox` wrapper at the repository root, which
//! builds the workspace binaries first.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sandbox::commands;

/// A live local Mostro exchange: regtest Lightning, a relay and mostrod.
#[derive(Debug, Parser)]
#[command(name = "sandbox")]
struct Args {
    /// State directory.
    #[arg(
        long,
        env = "MOSTRO_SANDBOX_DIR",
        default_value = ".sandbox",
        global = true
    )]
    dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start (or reuse) everything, run one scripted trade, leave it running.
    Up,
    /// Run the scripted trade on fresh, private state; stop everything; exit
    /// non-zero on failure.
    Test,
    /// Stop every process the sandbox started (by recorded PID).
    Down,
    /// Stop, then delete the state directory.
    Reset,
    /// Processes, chain height and channels.
    Status,
    /// The last lines of a log (all logs when no name is given).
    Logs {
        /// mostrod, relay, btcd, lnd-mostro, lnd-seller, lnd-buyer, watch-seller, watch-buyer.
        name: Option<String>,
        /// How many lines.
        #[arg(short = 'n', long, default_value_t = 50)]
        lines: usize,
    },
    /// Pay a BOLT11 invoice from a node (seller, buyer or mostro).
    Pay {
        /// The paying node.
        node: String,
        /// The invoice.
        bolt11: String,
        /// Amount in sats, for amountless invoices.
        #[arg(long)]
        amt: Option<u64>,
    },
    /// Create an invoice on a node (seller, buyer or mostro); prints the BOLT11.
    Invoice {
        /// The receiving node.
        node: String,
        /// Amount in sats.
        sats: u64,
        /// Description.
        #[arg(long, default_value = "sandbox")]
        memo: String,
    },
    /// Print the `export` line pointing mostro-cli at the sandbox.
    Env,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let dir = args.dir;
    let result = match args.command {
        Command::Up => commands::up(&dir).await,
        Command::Test => commands::test(&dir).await,
        Command::Down => commands::down(&dir).await,
        Command::Reset => commands::reset(&dir).await,
        Command::Status => commands::status(&dir).await,
        Command::Logs { name, lines } => commands::logs(&dir, name.as_deref(), lines),
        Command::Pay { node, bolt11, amt } => commands::pay(&dir, &node, &bolt11, amt).await,
        Command::Invoice { node, sats, memo } => commands::invoice(&dir, &node, sats, &memo).await,
        Command::Env => commands::env(&dir),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nsandbox: {e}");
            ExitCode::FAILURE
        }
    }
}
