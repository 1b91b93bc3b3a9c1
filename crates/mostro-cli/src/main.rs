//! mostro-cli: the command-line client of Mostro.
//!
//! Commands live in [`commands`], output in [`render`], options in [`args`].
//! Errors are typed ([`error::CliError`]) and mapped once to documented exit
//! codes here.

mod args;
mod commands;
mod context;
mod error;
mod render;

use clap::Parser;

use crate::args::Cli;
use crate::context::Context;
use crate::error::{exit, CliError};
use crate::render::views::{ErrorBody, ErrorView};

/// Logs go to stderr; quiet by default, `-v` for more, `RUST_LOG` overrides.
fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "error",
        1 => "warn,mostro_client=info,mostro_cli=info",
        2 => "info,mostro_client=debug,mostro_relay=debug,mostro_cli=debug",
        _ => "debug,mostro_client=trace,mostro_relay=trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn run(cli: Cli) -> Result<(), CliError> {
    let ctx = Context::new(cli.global)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    runtime.block_on(commands::run(&ctx, cli.command))
}

/// Prints `error` for people (stderr) and, with `--json`, as a document on stdout.
fn report(error: &CliError, json: bool, relays: &[String]) {
    let message = render::explain::error_text(error, relays);
    eprintln!("error: {message}");
    if json {
        let reason = match error {
            CliError::Client(e) => e.cant_do_reason().map(|r| r.to_string()),
            _ => None,
        };
        let view = ErrorView {
            error: ErrorBody {
                category: error.category(),
                exit_code: error.exit_code(),
                reason,
                message,
            },
        };
        if let Ok(text) = serde_json::to_string_pretty(&view) {
            println!("{text}");
        }
    }
}

fn main() {
    let cli = Cli::parse();
    init_tracing(cli.global.verbose);
    let (json, relays) = (cli.global.json, cli.global.relays.clone());
    let code = match run(cli) {
        Ok(()) => exit::OK,
        Err(error) => {
            report(&error, json, &relays);
            error.exit_code()
        }
    };
    std::process::exit(code);
}
