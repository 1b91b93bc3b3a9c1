//! `mostro-devrelay`: run the development relay on 127.0.0.1.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use devrelay::{DevRelay, EventStore};

/// A local Nostr relay for tests and the sandbox.
#[derive(Debug, Parser)]
#[command(name = "mostro-devrelay", version)]
struct Args {
    /// TCP port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 7000)]
    port: u16,
    /// Address to bind.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// Keep events in this JSON-lines file across restarts.
    #[arg(long)]
    db: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let store = match &args.db {
        Some(path) => EventStore::open(path)
            .with_context(|| format!("opening event journal {}", path.display()))?,
        None => EventStore::in_memory(),
    };
    let relay = DevRelay::start_with_store(SocketAddr::new(args.host, args.port), store)
        .await
        .context("starting the relay")?;
    // The URL on stdout lets scripts discover the port when `--port 0` is used.
    println!("{}", relay.url());
    tokio::signal::ctrl_c()
        .await
        .context("waiting for ctrl-c")?;
    relay.shutdown().await;
    Ok(())
}
