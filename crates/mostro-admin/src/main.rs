//! mostro-admin: the operator's command-line client of mostrod's admin interface.
//!
//! Every request carries the bearer token read from the daemon's token file
//! (`<data_dir>/admin.token`). Answers are printed as tables, or as raw JSON with
//! `--json`. Exit codes are listed in `--help`.

mod args;
mod client;
mod error;
mod render;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use args::{Args, Command};
use client::{read_token, token_path, AdminClient};
use error::CliError;

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("mostro-admin: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(output) => {
            println!("{output}");
            ExitCode::SUCCESS
        }
        Err((error, output)) => {
            if let Some(output) = output {
                println!("{output}");
            }
            let mut message = error.to_string();
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                message.push_str(": ");
                message.push_str(&cause.to_string());
                source = cause.source();
            }
            eprintln!("mostro-admin: {message}");
            ExitCode::from(error.exit_code())
        }
    }
}

/// What a command sends and how its answer is shown.
struct Call {
    method: Method,
    path: String,
    body: Option<Value>,
    render: fn(&Value) -> String,
    done: Option<String>,
}

fn get(path: String, render: fn(&Value) -> String) -> Call {
    Call {
        method: Method::GET,
        path,
        body: None,
        render,
        done: None,
    }
}

fn post(path: String, render: fn(&Value) -> String) -> Call {
    Call {
        method: Method::POST,
        ..get(path, render)
    }
}

/// Percent-encodes a path segment or query value (ids and keys are plain, but an
/// operator's typo must not change the request's shape).
fn encode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn call(command: &Command) -> Call {
    match command {
        Command::Health => get("/v1/health".into(), render::health),
        Command::Orders { status, limit } => {
            let mut path = format!("/v1/orders?limit={limit}");
            if let Some(status) = status {
                path.push_str(&format!("&status={}", encode(status)));
            }
            get(path, render::orders)
        }
        Command::Order { id } => get(format!("/v1/orders/{}", encode(id)), render::order),
        Command::Disputes => get("/v1/disputes".into(), render::disputes),
        Command::Dispute { id } => get(format!("/v1/disputes/{}", encode(id)), render::dispute),
        Command::Solvers => get("/v1/solvers".into(), render::solvers),
        Command::AddSolver { pubkey, read_only } => {
            let rights = if *read_only { "read" } else { "read-write" };
            Call {
                body: Some(json!({ "pubkey": pubkey, "rights": rights })),
                ..post("/v1/solvers".into(), render::solver_added)
            }
        }
        Command::RemoveSolver { pubkey } => Call {
            method: Method::DELETE,
            done: Some(format!("solver {pubkey} removed")),
            ..get(format!("/v1/solvers/{}", encode(pubkey)), render::solvers)
        },
        Command::Outbox { limit } => get(format!("/v1/outbox?limit={limit}"), render::outbox),
        Command::Balance => get("/v1/lightning/balance".into(), render::balance),
        Command::Channels => get("/v1/lightning/channels".into(), render::channels),
        Command::TakeDispute { id } => {
            post(format!("/v1/disputes/{}/take", encode(id)), render::action)
        }
        Command::Settle { order_id } => post(
            format!("/v1/orders/{}/settle", encode(order_id)),
            render::action,
        ),
        Command::Cancel { order_id } => post(
            format!("/v1/orders/{}/cancel", encode(order_id)),
            render::action,
        ),
    }
}

/// Runs the command; on failure, also returns output worth printing (a degraded
/// health report).
async fn run(args: Args) -> Result<String, (CliError, Option<String>)> {
    let path = token_path(
        args.token_file.as_deref(),
        args.data_dir.as_deref(),
        std::env::var_os("MOSTROD_DATA_DIR")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from),
        std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from),
    )
    .map_err(|e| (e, None))?;
    let token = read_token(&path).map_err(|e| (e, None))?;
    let client = AdminClient::new(&args.url, token).map_err(|e| (e, None))?;
    let call = call(&args.command);
    let (status, value) = client
        .call(call.method, &call.path, call.body)
        .await
        .map_err(|e| (e, None))?;
    let output = if args.json {
        serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string())
    } else if let Some(done) = call.done {
        done
    } else {
        (call.render)(&value)
    };
    if status == StatusCode::SERVICE_UNAVAILABLE {
        return Err((CliError::Degraded, Some(output)));
    }
    Ok(output)
}
