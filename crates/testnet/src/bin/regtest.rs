//! `regtest`: build btcd and LND; start, inspect and stop a regtest network with
//! the nodes `mostro`, `seller` and `buyer`.
//!
//! ```text
//! cargo run -p testnet --bin regtest -- build        # idempotent, cached
//! cargo run -p testnet --bin regtest -- up           # start (or resume/attach)
//! cargo run -p testnet --bin regtest -- status
//! cargo run -p testnet --bin regtest -- env          # shell exports for attaching
//! cargo run -p testnet --bin regtest -- down [--purge]
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use testnet::{cache_root, Network, NetworkDescription, PortBlock};

#[derive(Debug, Parser)]
#[command(
    name = "regtest",
    about = "Regtest Lightning network (btcd + LND) for Mostro"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Args)]
struct DirArg {
    /// Network directory (default: <cache>/regtest).
    #[arg(long, env = "MOSTRO_TESTNET_DIR")]
    dir: Option<PathBuf>,
}

impl DirArg {
    fn resolve(&self) -> PathBuf {
        self.dir
            .clone()
            .unwrap_or_else(|| cache_root().join("regtest"))
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build btcd and LND (with lncli) from the Go module proxy; a no-op when built.
    Build {
        /// Rebuild even if the binaries exist.
        #[arg(long)]
        force: bool,
    },
    /// Start a network (resume a stopped one, or attach to a running one).
    Up {
        #[command(flatten)]
        dir: DirArg,
        /// Port slot: ports start at 29700 + 20 × slot (tests use slots ≥ 1).
        #[arg(long, default_value_t = 0)]
        slot: u16,
    },
    /// Show chain height and each node's state.
    Status {
        #[command(flatten)]
        dir: DirArg,
    },
    /// Print shell `export` lines describing the network.
    Env {
        #[command(flatten)]
        dir: DirArg,
    },
    /// Stop every process of the network by its recorded PID.
    Down {
        #[command(flatten)]
        dir: DirArg,
        /// Also delete the network directory.
        #[arg(long)]
        purge: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("regtest: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("regtest: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Build { force } => build(force),
        Command::Up { dir, slot } => up(&dir.resolve(), slot).await,
        Command::Status { dir } => status(&dir.resolve()).await,
        Command::Env { dir } => env(&dir.resolve()),
        Command::Down { dir, purge } => down(&dir.resolve(), purge).await,
    }
}

fn build(force: bool) -> anyhow::Result<()> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/build-lightning.sh");
    let started = Instant::now();
    let mut cmd = std::process::Command::new("bash");
    cmd.arg(&script);
    if force {
        cmd.arg("--force");
    }
    let status = cmd
        .status()
        .with_context(|| format!("running {}", script.display()))?;
    if !status.success() {
        bail!("{} failed ({status})", script.display());
    }
    eprintln!(
        "[regtest] build step took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn up(dir: &Path, slot: u16) -> anyhow::Result<()> {
    let started = Instant::now();
    let net = Network::start_or_attach(dir, PortBlock { slot }).await?;
    eprintln!("[regtest] up in {:.1} s", started.elapsed().as_secs_f64());
    print_status(&net).await;
    println!(
        "network: {}",
        net.dir()
            .join(testnet::description::DESCRIPTION_FILE)
            .display()
    );
    Ok(())
}

async fn status(dir: &Path) -> anyhow::Result<()> {
    let desc = NetworkDescription::load(dir)?;
    let net = Network::attach(&desc.dir).await;
    match net {
        Ok(net) => print_status(&net).await,
        Err(e) => println!("not running: {e}"),
    }
    Ok(())
}

async fn print_status(net: &Network) {
    let status = net.status().await;
    match status.height {
        Some(h) => println!("btcd   {}  height {h}", net.btcd().info().rpc_addr),
        None => println!("btcd   {}  not answering", net.btcd().info().rpc_addr),
    }
    for (node, (_, state)) in net.nodes().iter().zip(status.nodes) {
        let detail = match state {
            Ok(s) => format!(
                "height {} synced {} peers {} active channels {}",
                s.block_height, s.synced_to_chain, s.num_peers, s.num_active_channels
            ),
            Err(e) => format!("down ({e})"),
        };
        println!(
            "{:<6} {}  {}  {detail}",
            node.name(),
            node.rpc_addr(),
            node.pubkey()
        );
        if let Ok(b) = node.balances().await {
            println!(
                "       channel local {} remote {} sat, on-chain {} sat",
                b.channel.local_sat, b.channel.remote_sat, b.wallet.confirmed_sat
            );
        }
    }
}

fn env(dir: &Path) -> anyhow::Result<()> {
    let desc = NetworkDescription::load(dir)?;
    println!("export MOSTRO_TESTNET_DIR={}", shell_quote(&desc.dir));
    for node in &desc.nodes {
        let prefix = format!("LND_{}", node.name.as_str().to_uppercase());
        println!("export {prefix}_RPC={}", node.rpc_addr);
        println!("export {prefix}_CERT={}", shell_quote(&node.tls_cert_path));
        println!(
            "export {prefix}_MACAROON={}",
            shell_quote(&node.macaroon_path)
        );
        if let Some(pubkey) = &node.pubkey {
            println!("export {prefix}_PUBKEY={pubkey}");
        }
    }
    Ok(())
}

fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

async fn down(dir: &Path, purge: bool) -> anyhow::Result<()> {
    let desc = match NetworkDescription::load(dir) {
        Ok(desc) => desc,
        Err(e) if purge && !dir.exists() => {
            eprintln!("[regtest] nothing to stop: {e}");
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    let net = Network::from_description(desc)?;
    net.stop().await?;
    eprintln!("[regtest] stopped the network in {}", dir.display());
    if purge {
        std::fs::remove_dir_all(net.dir())
            .with_context(|| format!("removing {}", net.dir().display()))?;
        eprintln!("[regtest] removed {}", net.dir().display());
    }
    Ok(())
}
