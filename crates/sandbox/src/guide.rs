//! What `./sandbox up` prints once the exchange is running: how to use it.

use nostr::key::PublicKey;
use nostr::nips::nip19::ToBech32;
use testnet::{Network, NodeName};

use crate::layout::{Bins, Layout};

/// The `export` lines that point `mostro-cli` at the sandbox.
pub fn env_lines(relay: &str, mostro: &PublicKey) -> String {
    let npub = mostro.to_bech32().unwrap_or_else(|_| mostro.to_hex());
    format!("export MOSTRO_RELAYS={relay} MOSTRO_PUBKEY={npub}\n")
}

/// The `lncli` command line of `node` (append a subcommand).
pub fn lncli_line(net: &Network, node: NodeName) -> String {
    let info = net.node(node).info();
    format!(
        "{} --lnddir={} --rpcserver={} --network=regtest",
        net.description().binaries.lncli.display(),
        info.lnddir.display(),
        info.rpc_addr
    )
}

/// Prints the instructions for the running sandbox.
pub fn print_instructions(
    layout: &Layout,
    net: &Network,
    relay: &str,
    admin_url: &str,
    mostro: &PublicKey,
    bins: &Bins,
) {
    let cli = bins.cli.display();
    let admin = bins.admin.display();
    let mostrod_dir = layout.mostrod_dir();
    let seller = layout.user_dir("seller");
    let buyer = layout.user_dir("buyer");
    println!(
        "\n== The sandbox is running\n\n\
Point mostro-cli at it (in any shell):\n\n  {env}  alias mostro-cli={cli}\n\n\
Trade as the sandbox's users (or run `mostro-cli init` for a new one with its own --data-dir):\n\n  \
mostro-cli --data-dir {seller} sell --fiat 50 --currency USD --method cash --sats 20000\n  \
mostro-cli --data-dir {buyer} orders\n  \
mostro-cli --data-dir {buyer} take-sell <order-id> --invoice \"$(./sandbox invoice buyer <sats - fee>)\"\n  \
mostro-cli --data-dir {seller} watch        # shows the hold invoice to pay\n\n\
Lightning (regtest): pay from the seller's node, get paid on the buyer's node:\n\n  \
./sandbox pay seller <bolt11>            # blocks until a hold invoice is settled or canceled\n  \
./sandbox invoice buyer <sats>           # prints a bolt11\n\n\
or with lncli directly:\n\n  \
{seller_ln} payinvoice --force <bolt11>\n  \
{buyer_ln} addinvoice --amt <sats>\n  \
{mostro_ln} listinvoices   # the daemon's hold invoices\n\n\
Operate it through mostrod's admin interface (bearer token in {mostrod_dir}/admin.token):\n\n  \
{admin} --url {admin_url} --data-dir {mostrod_dir} health\n  \
{admin} --url {admin_url} --data-dir {mostrod_dir} orders   # also: disputes, solvers, outbox, channels, balance\n\n\
Inspect and stop:\n\n  \
./sandbox status                         # processes, chain height, channels\n  \
./sandbox logs [mostrod|relay|btcd|lnd-mostro|lnd-seller|lnd-buyer|watch-seller|watch-buyer]\n  \
./sandbox down                           # stop everything (./sandbox up resumes)\n  \
./sandbox reset                          # stop and delete {root}\n",
        env = env_lines(relay, mostro),
        seller = seller.display(),
        buyer = buyer.display(),
        seller_ln = lncli_line(net, NodeName::Seller),
        buyer_ln = lncli_line(net, NodeName::Buyer),
        mostro_ln = lncli_line(net, NodeName::Mostro),
        root = layout.root.display(),
        mostrod_dir = mostrod_dir.display(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_lines_name_relay_and_npub() {
        let key = nostr::key::Keys::generate().public_key();
        let line = env_lines("ws://127.0.0.1:29790", &key);
        assert!(line.starts_with("export MOSTRO_RELAYS=ws://127.0.0.1:29790 MOSTRO_PUBKEY=npub1"));
        let npub = line.trim().rsplit('=').next().unwrap_or_default();
        assert_eq!(PublicKey::parse(npub).ok(), Some(key));
    }
}
