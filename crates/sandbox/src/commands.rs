//! The sandbox's subcommands: `up`, `test`, `down`, `reset`, `status`, `logs`,
//! `pay`, `invoice` and `env`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use testnet::{Network, NodeName, PortBlock};

use crate::admin::{admin_url, auth_check, operator_check, AdminCli};
use crate::cli::CliUser;
use crate::error::{Result, SandboxError};
use crate::guide;
use crate::layout::{ensure_dir, Bins, Layout, UP_ADMIN_PORT, UP_RELAY_PORT};
use crate::services::{self, mostrod_keys, relay_url, running, tail};
use crate::timeline::Timeline;
use crate::trade::{init_user, Trade};

/// Lines of the mostrod log printed when a step fails.
const FAILURE_LOG_LINES: usize = 40;

/// The two users of a running sandbox.
fn users(layout: &Layout, bins: &Bins, relay: &str, mostro: &str) -> [CliUser; 2] {
    ["seller", "buyer"].map(|name| CliUser {
        name: name.to_owned(),
        bin: bins.cli.clone(),
        data_dir: layout.user_dir(name),
        relay: relay.to_owned(),
        mostro: mostro.to_owned(),
    })
}

/// The relay's and the admin interface's ports.
#[derive(Debug, Clone, Copy)]
struct Ports {
    relay: u16,
    admin: u16,
}

/// The ports of `./sandbox up`.
const UP_PORTS: Ports = Ports {
    relay: UP_RELAY_PORT,
    admin: UP_ADMIN_PORT,
};

/// Starts the relay and mostrod, creates the users, runs the scripted trade and
/// checks the result from the operator's side (`mostro-admin`).
async fn bring_up_and_trade(
    layout: &Layout,
    bins: &Bins,
    net: &Network,
    ports: Ports,
    tl: &Timeline,
) -> Result<()> {
    let relay_port = ports.relay;
    let relay = relay_url(relay_port);
    services::start_relay(layout, bins, relay_port).await?;
    tl.say(
        "relay",
        format!(
            "mostro-devrelay listening on {relay} (journal {})",
            layout.relay_dir().join("events.jsonl").display()
        ),
    );
    services::start_mostrod(layout, bins, net, &relay, ports.admin).await?;
    let mostro = mostrod_keys(layout)?.public_key().to_hex();
    tl.say(
        "mostrod",
        format!(
            "running, pubkey {mostro}, data dir {}",
            layout.mostrod_dir().display()
        ),
    );

    tl.section("Users");
    let [seller, buyer] = users(layout, bins, &relay, &mostro);
    for user in [&seller, &buyer] {
        ensure_dir(&user.data_dir)?;
        init_user(user, tl).await?;
    }
    let trade = Trade {
        net,
        seller: &seller,
        buyer: &buyer,
        watch_logs: [
            seller.data_dir.join("watch.log"),
            buyer.data_dir.join("watch.log"),
        ],
    };
    let report = trade.run(tl).await?;
    tl.say("sandbox", format!("trade {} completed", report.order_id));

    tl.section("The operator");
    let admin = AdminCli {
        bin: bins.admin.clone(),
        url: admin_url(ports.admin),
        data_dir: layout.mostrod_dir(),
    };
    let token_path = admin.data_dir.join("admin.token");
    let token =
        std::fs::read_to_string(&token_path).map_err(|e| SandboxError::io(&token_path, e))?;
    auth_check(ports.admin, token.trim(), tl).await?;
    operator_check(&admin, &report.order_id, tl).await
}

/// `up`: start (or reuse) everything under `root`, run one trade, leave it running.
pub async fn up(root: &Path) -> Result<()> {
    let bins = Bins::locate()?;
    ensure_dir(root)?;
    let layout = Layout::up(canonical(root)?);
    let tl = Timeline::new();
    tl.section("Regtest network (btcd + LND mostro, seller, buyer)");
    let net = Network::start_or_attach(&layout.regtest(), PortBlock { slot: 0 }).await?;
    tl.say(
        "regtest",
        format!(
            "ready in {} (height {})",
            layout.regtest().display(),
            net.chain_height().await?
        ),
    );
    tl.section("Relay and daemon");
    if let Err(e) = bring_up_and_trade(&layout, &bins, &net, UP_PORTS, &tl).await {
        print_failure_logs(&layout);
        eprintln!("\nThe sandbox is left as it is; inspect it with ./sandbox status and ./sandbox logs,\nstop it with ./sandbox down (or start over with ./sandbox reset).");
        return Err(e);
    }
    let mostro = mostrod_keys(&layout)?.public_key();
    guide::print_instructions(
        &layout,
        &net,
        &relay_url(UP_RELAY_PORT),
        &admin_url(UP_ADMIN_PORT),
        &mostro,
        &bins,
    );
    Ok(())
}

/// `test`: the same trade on a fresh, private network, relay and daemon; stops
/// everything it started and returns the trade's result. Logs of the run are
/// copied to `<root>/last-test/`.
pub async fn test(root: &Path) -> Result<()> {
    let started = Instant::now();
    let bins = Bins::locate()?;
    let tl = Timeline::new();
    tl.section("Fresh regtest network (own port slot, removed at exit)");
    let net = testnet::start_test_network("sandbox-test").await?;
    // Inside the network directory, so that the network's exit watchdog also
    // stops the relay and mostrod if this process dies.
    let layout = Layout::new(net.dir().join("sandbox"), net.dir().join("pids"));
    tl.say("regtest", format!("ready in {}", net.dir().display()));
    tl.section("Relay and daemon");
    let relay = free_port()?;
    let admin = loop {
        let port = free_port()?;
        if port != relay {
            break port;
        }
    };
    let ports = Ports { relay, admin };
    let result = bring_up_and_trade(&layout, &bins, &net, ports, &tl).await;
    if result.is_err() {
        print_failure_logs(&layout);
    }
    keep_logs(&layout, &root.join("last-test"));
    let stopped = services::stop_services(&layout).await;
    let net_stopped = net.stop().await;
    result?;
    stopped?;
    net_stopped?;
    println!(
        "\nsandbox test passed in {:.0}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `down`: stop mostrod, the relay and the network (by recorded PIDs).
pub async fn down(root: &Path) -> Result<()> {
    if !root.exists() {
        println!("nothing to stop: {} does not exist", root.display());
        return Ok(());
    }
    let layout = Layout::up(canonical(root)?);
    services::stop_services(&layout).await?;
    println!("stopped mostrod and the relay");
    let regtest = layout.regtest();
    if regtest
        .join(testnet::description::DESCRIPTION_FILE)
        .exists()
    {
        let net = Network::from_description(testnet::NetworkDescription::load(&regtest)?)?;
        net.stop().await?;
        println!("stopped the regtest network ({})", regtest.display());
    }
    Ok(())
}

/// `reset`: `down`, then delete `root`.
pub async fn reset(root: &Path) -> Result<()> {
    down(root).await?;
    if root.exists() {
        std::fs::remove_dir_all(root).map_err(|e| SandboxError::io(root, e))?;
        println!("deleted {}", root.display());
    }
    Ok(())
}

/// `status`: processes, network, relay and daemon key.
pub async fn status(root: &Path) -> Result<()> {
    let layout = up_layout(root)?;
    for name in ["relay", "mostrod"] {
        match running(&layout, name) {
            Some(pid) => println!("{name:<8} running (pid {pid})"),
            None => println!("{name:<8} stopped"),
        }
    }
    println!("relay    {}", relay_url(UP_RELAY_PORT));
    if let Ok(keys) = mostrod_keys(&layout) {
        println!("mostrod  pubkey {}", keys.public_key().to_hex());
    }
    let net = attach(&layout).await?;
    let st = net.status().await;
    match st.height {
        Some(h) => println!("btcd     height {h}"),
        None => println!("btcd     not answering"),
    }
    for (name, node) in &st.nodes {
        match node {
            Ok(n) => println!(
                "lnd-{name:<6} height {}, synced {}, {} active channels, {} peers",
                n.block_height, n.synced_to_chain, n.num_active_channels, n.num_peers
            ),
            Err(e) => println!("lnd-{name:<6} not answering: {e}"),
        }
    }
    Ok(())
}

/// The log file of `name` (`mostrod`, `relay`, `btcd`, `lnd-<node>`, `watch-<user>`).
pub fn log_path(layout: &Layout, name: &str) -> Option<PathBuf> {
    let regtest = layout.regtest();
    Some(match name {
        "mostrod" => layout.mostrod_log(),
        "relay" => layout.relay_log(),
        "btcd" => regtest.join("btcd").join("btcd.out"),
        "lnd-mostro" | "lnd-seller" | "lnd-buyer" => regtest
            .join(name.trim_start_matches("lnd-"))
            .join("lnd.out"),
        "watch-seller" | "watch-buyer" => layout
            .user_dir(name.trim_start_matches("watch-"))
            .join("watch.log"),
        _ => return None,
    })
}

/// Every name [`log_path`] knows.
pub const LOG_NAMES: [&str; 8] = [
    "mostrod",
    "relay",
    "btcd",
    "lnd-mostro",
    "lnd-seller",
    "lnd-buyer",
    "watch-seller",
    "watch-buyer",
];

/// `logs`: the last `lines` lines of one log (or of every log).
pub fn logs(root: &Path, name: Option<&str>, lines: usize) -> Result<()> {
    let layout = up_layout(root)?;
    let names: Vec<&str> = match name {
        Some(n) => vec![n],
        None => LOG_NAMES.to_vec(),
    };
    for n in names {
        let path = log_path(&layout, n).ok_or_else(|| {
            SandboxError::step(
                "logs",
                format!("unknown log `{n}`; one of {}", LOG_NAMES.join(", ")),
            )
        })?;
        println!("==> {n}: {} <==", path.display());
        println!("{}", tail(&path, lines));
    }
    Ok(())
}

/// A node by name (`mostro`, `seller`, `buyer`).
pub fn node_name(name: &str) -> Result<NodeName> {
    NodeName::ALL
        .into_iter()
        .find(|n| n.as_str() == name)
        .ok_or_else(|| {
            SandboxError::step(
                "node",
                format!("unknown node `{name}`; one of mostro, seller, buyer"),
            )
        })
}

/// `pay`: pay `bolt11` from `node`; waits for the outcome (a hold invoice stays
/// in flight until the seller releases or the trade is canceled).
pub async fn pay(root: &Path, node: &str, bolt11: &str, amt: Option<u64>) -> Result<()> {
    let net = attach(&up_layout(root)?).await?;
    let node = net.node(node_name(node)?);
    eprintln!(
        "{} pays the invoice; a hold invoice stays in flight until it is settled or canceled...",
        node.name()
    );
    let outcome = node
        .pay_invoice_background_with(bolt11, amt, testnet::payment::DEFAULT_FEE_LIMIT_SAT)?
        .wait()
        .await?;
    match outcome {
        testnet::PaymentOutcome::Succeeded { fee_sat, .. } => {
            println!("payment succeeded (routing fee {fee_sat} sats)");
            Ok(())
        }
        testnet::PaymentOutcome::Failed { reason } => Err(SandboxError::step("pay", reason)),
    }
}

/// `invoice`: an invoice for `sats` on `node`.
pub async fn invoice(root: &Path, node: &str, sats: u64, memo: &str) -> Result<()> {
    let net = attach(&up_layout(root)?).await?;
    let inv = net
        .node(node_name(node)?)
        .create_invoice(sats, memo)
        .await?;
    println!("{}", inv.payment_request);
    eprintln!("payment hash {}", inv.payment_hash);
    Ok(())
}

/// `env`: the shell lines that point `mostro-cli` at the sandbox.
pub fn env(root: &Path) -> Result<()> {
    let layout = up_layout(root)?;
    let keys = mostrod_keys(&layout)?;
    print!(
        "{}",
        guide::env_lines(&relay_url(UP_RELAY_PORT), &keys.public_key())
    );
    Ok(())
}

fn canonical(root: &Path) -> Result<PathBuf> {
    root.canonicalize().map_err(|e| SandboxError::io(root, e))
}

fn up_layout(root: &Path) -> Result<Layout> {
    if !root.exists() {
        return Err(SandboxError::NotRunning(format!(
            "{} does not exist",
            root.display()
        )));
    }
    Ok(Layout::up(canonical(root)?))
}

async fn attach(layout: &Layout) -> Result<Network> {
    let regtest = layout.regtest();
    if !regtest
        .join(testnet::description::DESCRIPTION_FILE)
        .exists()
    {
        return Err(SandboxError::NotRunning(format!(
            "no network in {}",
            regtest.display()
        )));
    }
    Ok(Network::attach(&regtest).await?)
}

fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))
        .map_err(|e| SandboxError::io("127.0.0.1:0", e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| SandboxError::io("127.0.0.1:0", e))?;
    Ok(addr.port())
}

fn print_failure_logs(layout: &Layout) {
    eprintln!(
        "\n--- last {FAILURE_LOG_LINES} lines of {} ---",
        layout.mostrod_log().display()
    );
    eprintln!("{}", tail(&layout.mostrod_log(), FAILURE_LOG_LINES));
    eprintln!("--- last 10 lines of {} ---", layout.relay_log().display());
    eprintln!("{}", tail(&layout.relay_log(), 10));
}

/// Copies the logs of a test run to `dest` (best effort: the run's directory is
/// deleted when the process exits).
fn keep_logs(layout: &Layout, dest: &Path) {
    let _ = std::fs::remove_dir_all(dest);
    if std::fs::create_dir_all(dest).is_err() {
        return;
    }
    let files = [
        ("mostrod.log", layout.mostrod_log()),
        ("relay.log", layout.relay_log()),
        (
            "watch-seller.log",
            layout.user_dir("seller").join("watch.log"),
        ),
        (
            "watch-buyer.log",
            layout.user_dir("buyer").join("watch.log"),
        ),
    ];
    for (name, path) in files {
        let _ = std::fs::copy(&path, dest.join(name));
    }
    println!("logs of this run: {}", dest.display());
}
