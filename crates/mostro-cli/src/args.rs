//! Command-line arguments: global options (also read from the environment)
//! and one subcommand per user action. Every subcommand's `--help` ends with
//! an example.

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

/// The whole command line.
#[derive(Debug, Parser)]
#[command(
    name = "mostro-cli",
    version,
    about = "Trade bitcoin for fiat peer to peer with Mostro, over Lightning and Nostr.",
    long_about = "Trade bitcoin for fiat peer to peer with Mostro, over Lightning and Nostr.\n\n\
        Your keys come from one mnemonic kept in the data directory; every order uses a \
        fresh trade key. Choose a Mostro daemon with --mostro and relays with --relay \
        (or the MOSTRO_PUBKEY and MOSTRO_RELAYS environment variables).",
    after_help = "Example:\n  export MOSTRO_PUBKEY=npub1...  MOSTRO_RELAYS=wss://relay.mostro.network\n  \
        mostro-cli init\n  mostro-cli orders --currency USD\n\n\
        Exit codes: 0 ok, 1 error, 2 usage/config/input, 3 refused by Mostro (cant-do), \
        4 timeout/no answer, 5 relay/network, 6 local storage/keys."
)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Directory holding the mnemonic and the local database
    /// [default: $XDG_DATA_HOME/mostro-cli, else ~/.mostro-cli].
    #[arg(long, global = true, env = "MOSTRO_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Relay URL (repeat the option, or comma-separate in MOSTRO_RELAYS).
    #[arg(
        long = "relay",
        global = true,
        env = "MOSTRO_RELAYS",
        value_delimiter = ',',
        value_name = "URL"
    )]
    pub relays: Vec<String>,
    /// The Mostro daemon's public key, npub or hex.
    #[arg(long, global = true, env = "MOSTRO_PUBKEY", value_name = "NPUB|HEX")]
    pub mostro: Option<String>,
    /// Never reveal your identity key: no reputation, maximum privacy.
    #[arg(long, global = true, env = "MOSTRO_FULL_PRIVACY", action = ArgAction::SetTrue)]
    pub full_privacy: bool,
    /// Force a transport instead of the one the daemon advertises.
    #[arg(long, global = true, value_enum, value_name = "VERSION")]
    pub transport: Option<TransportArg>,
    /// Print one JSON document on stdout (JSON lines for `watch` and `chat follow`).
    #[arg(long, global = true, action = ArgAction::SetTrue)]
    pub json: bool,
    /// Seconds to wait for Mostro's reply (relay queries wait at most 10 s).
    #[arg(
        long,
        global = true,
        env = "MOSTRO_TIMEOUT",
        default_value_t = 30,
        value_name = "SECS"
    )]
    pub timeout: u64,
    /// More logging on stderr (-v, -vv, -vvv).
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,
}

/// `--transport` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TransportArg {
    /// NIP-59 gift wrap (kind 1059).
    V1,
    /// Kind 14 with identity proof.
    V2,
}

/// Order kinds on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// The maker buys sats.
    Buy,
    /// The maker sells sats.
    Sell,
}

/// Order-book status filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BucketArg {
    /// Waiting for a taker (the default).
    Pending,
    /// Taken, trade under way.
    InProgress,
    /// Completed.
    Success,
    /// Canceled or expired.
    Canceled,
    /// Every status.
    All,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the data directory and your mnemonic (or import one).
    #[command(after_help = "Example:\n  mostro-cli init\n  \
        mostro-cli init --import \"abandon ability able ... zoo\"")]
    Init {
        /// Import these BIP-39 words instead of generating new ones.
        #[arg(long, value_name = "WORDS")]
        import: Option<String>,
    },
    /// Show your mnemonic (keep it secret: it controls your trades).
    #[command(after_help = "Example:\n  mostro-cli mnemonic --show")]
    Mnemonic {
        /// Really print the words.
        #[arg(long)]
        show: bool,
    },
    /// Show the daemon's fees, limits and timings.
    #[command(after_help = "Example:\n  mostro-cli info\n  mostro-cli info --json")]
    Info,
    /// Browse the order book.
    #[command(
        visible_alias = "book",
        after_help = "Example:\n  mostro-cli orders --kind sell --currency USD --payment-method bank\n  \
            mostro-cli orders --status all --json"
    )]
    Orders(BookArgs),
    /// Create a sell order: you sell sats for fiat.
    #[command(after_help = "Examples:\n  \
        mostro-cli sell --fiat 100 --currency USD --method \"bank transfer\" --premium 2\n  \
        mostro-cli sell --fiat 50 --currency EUR --method SEPA --sats 80000\n  \
        mostro-cli sell --fiat 10-100 --currency USD --method cash")]
    Sell(OrderArgs),
    /// Create a buy order: you buy sats with fiat.
    #[command(after_help = "Examples:\n  \
        mostro-cli buy --fiat 100 --currency USD --method \"bank transfer\"\n  \
        mostro-cli buy --fiat 20 --currency EUR --method SEPA --invoice me@wallet.example")]
    Buy {
        /// Order terms.
        #[command(flatten)]
        order: OrderArgs,
        /// Where to be paid: an amountless invoice or a Lightning address.
        #[arg(long, value_name = "INVOICE|ADDRESS")]
        invoice: Option<String>,
    },
    /// Take a sell order: you buy its sats.
    #[command(after_help = "Example:\n  \
        mostro-cli take-sell 4f1c2e8a-5d1b-4a7e-9c3f-2b6d8e0a1c55 --invoice me@wallet.example\n  \
        mostro-cli take-sell 4f1c2e8a-5d1b-4a7e-9c3f-2b6d8e0a1c55 --amount 50")]
    TakeSell {
        /// The order id.
        order: String,
        /// Where to be paid: an invoice or a Lightning address (else Mostro asks later).
        #[arg(long, value_name = "INVOICE|ADDRESS")]
        invoice: Option<String>,
        /// Fiat amount, for range orders.
        #[arg(long, value_name = "FIAT")]
        amount: Option<i64>,
    },
    /// Take a buy order: you sell sats and pay a hold invoice.
    #[command(after_help = "Example:\n  \
        mostro-cli take-buy 4f1c2e8a-5d1b-4a7e-9c3f-2b6d8e0a1c55\n  \
        mostro-cli take-buy 4f1c2e8a-5d1b-4a7e-9c3f-2b6d8e0a1c55 --amount 25")]
    TakeBuy {
        /// The order id.
        order: String,
        /// Fiat amount, for range orders.
        #[arg(long, value_name = "FIAT")]
        amount: Option<i64>,
    },
    /// Send the invoice (or Lightning address) Mostro pays you with.
    #[command(after_help = "Example:\n  mostro-cli add-invoice 4f1c2e8a lnbcrt10u1p...")]
    AddInvoice {
        /// The order id (or a unique prefix of one of your orders).
        order: String,
        /// An invoice for the requested amount, an amountless one, or a Lightning address.
        invoice: String,
        /// Amount in sats, for Lightning addresses or amountless invoices.
        #[arg(long, value_name = "SATS")]
        amount: Option<i64>,
    },
    /// Tell the seller you sent the fiat (buyer).
    #[command(after_help = "Example:\n  mostro-cli fiat-sent 4f1c2e8a")]
    FiatSent {
        /// The order id (or a unique prefix).
        order: String,
    },
    /// Release the sats to the buyer once the fiat arrived (seller).
    #[command(after_help = "Example:\n  mostro-cli release 4f1c2e8a")]
    Release {
        /// The order id (or a unique prefix).
        order: String,
    },
    /// Cancel your pending order, back out of a take, or propose/accept a
    /// cooperative cancel of an active trade.
    #[command(after_help = "Example:\n  mostro-cli cancel 4f1c2e8a")]
    Cancel {
        /// The order id (or a unique prefix).
        order: String,
    },
    /// Open a dispute; a solver will contact both parties.
    #[command(after_help = "Example:\n  mostro-cli dispute 4f1c2e8a")]
    Dispute {
        /// The order id (or a unique prefix).
        order: String,
    },
    /// Rate your counterparty after a trade (1 to 5).
    #[command(after_help = "Example:\n  mostro-cli rate 4f1c2e8a 5")]
    Rate {
        /// The order id (or a unique prefix).
        order: String,
        /// 1 (bad) to 5 (excellent).
        #[arg(value_parser = clap::value_parser!(u8).range(1..=5))]
        rating: u8,
    },
    /// Show the hold invoice to pay for an order, with a QR code.
    #[command(after_help = "Example:\n  mostro-cli show-invoice 4f1c2e8a")]
    ShowInvoice {
        /// The order id (or a unique prefix).
        order: String,
    },
    /// List the orders and trades you made or took.
    #[command(
        visible_alias = "trades",
        after_help = "Example:\n  mostro-cli my-orders\n  mostro-cli my-orders --refresh --json"
    )]
    MyOrders {
        /// Ask Mostro for the current state of unfinished orders first.
        #[arg(long)]
        refresh: bool,
        /// Include finished orders.
        #[arg(long)]
        all: bool,
    },
    /// Restore your orders and trade index from Mostro (after `init --import`).
    #[command(after_help = "Example:\n  mostro-cli init --import \"...\"\n  mostro-cli restore")]
    Restore,
    /// Follow your trades live and print what to do next at each step.
    #[command(after_help = "Example:\n  mostro-cli watch\n  mostro-cli watch --json --for 600")]
    Watch {
        /// Replay messages from the last this many hours first.
        #[arg(long, default_value_t = 24, value_name = "HOURS")]
        lookback: u64,
        /// Stop after this many seconds (default: until Ctrl-C).
        #[arg(long = "for", value_name = "SECS")]
        duration: Option<u64>,
    },
    /// Chat with your counterparty (or the dispute solver).
    #[command(subcommand)]
    Chat(ChatCommand),
    /// Talk with the solver of your order's dispute: send a message, or
    /// print the conversation (and your dispute token) without one.
    #[command(after_help = "Example:\n  mostro-cli dispute-chat 4f1c2e8a\n  \
        mostro-cli dispute-chat 4f1c2e8a \"The transfer receipt is attached to my bank's message\"\n\n\
        Only messages signed by the solver Mostro announced (admin-took-dispute, seen by \
        `mostro-cli watch`) are shown. The real solver quotes your dispute token.")]
    DisputeChat {
        /// The order id (or a unique prefix).
        order: String,
        /// The message; omit it to read the conversation.
        text: Option<String>,
    },
    /// Resolve disputes, as a solver registered by the node operator (your
    /// identity key is the solver key).
    #[command(subcommand)]
    Solver(SolverCommand),
}

/// `solver` subcommands. The solver is identified by the identity key of
/// this data directory (see `mostro-cli init`).
#[derive(Debug, Subcommand)]
pub enum SolverCommand {
    /// List disputes published by Mostro.
    #[command(after_help = "Example:\n  mostro-cli solver disputes\n  \
        mostro-cli solver disputes --status in-progress --json")]
    Disputes {
        /// Dispute status.
        #[arg(long, value_enum, default_value_t = DisputeStatusArg::Initiated)]
        status: DisputeStatusArg,
    },
    /// Take a dispute and print its context: order, amounts, previous
    /// status, initiator, both reputations and the parties' dispute tokens.
    #[command(
        after_help = "Example:\n  mostro-cli solver take efc75871-2568-40b9-a6ee-c382d4d6de01"
    )]
    Take {
        /// The dispute id (from `solver disputes`).
        dispute: String,
    },
    /// Settle: pay the escrowed sats to the buyer.
    #[command(after_help = "Example:\n  mostro-cli solver settle 4f1c2e8a")]
    Settle {
        /// The order id (or a unique prefix of a dispute you took).
        order: String,
    },
    /// Cancel: return the escrowed sats to the seller.
    #[command(after_help = "Example:\n  mostro-cli solver cancel 4f1c2e8a")]
    Cancel {
        /// The order id (or a unique prefix of a dispute you took).
        order: String,
    },
    /// Write to one party of a dispute you took, or read that conversation
    /// when no message is given.
    #[command(after_help = "Example:\n  \
        mostro-cli solver chat 4f1c2e8a --to buyer \"Please send the transfer receipt\"\n  \
        mostro-cli solver chat 4f1c2e8a --to seller")]
    Chat {
        /// The order id (or a unique prefix of a dispute you took).
        order: String,
        /// Which party.
        #[arg(long, value_enum)]
        to: PartyArg,
        /// The message; omit it to read.
        text: Option<String>,
    },
    /// Read both parties' conversations with you, oldest first.
    #[command(after_help = "Example:\n  mostro-cli solver read 4f1c2e8a")]
    Read {
        /// The order id (or a unique prefix of a dispute you took).
        order: String,
    },
    /// Read the buyer-seller chat a party disclosed to you (read-only;
    /// every message's signature is checked against the trade keys).
    #[command(after_help = "Example:\n  mostro-cli solver evidence 4f1c2e8a")]
    Evidence {
        /// The order id (or a unique prefix of a dispute you took).
        order: String,
    },
    /// List the disputes you took.
    #[command(after_help = "Example:\n  mostro-cli solver cases")]
    Cases,
}

/// Dispute status filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DisputeStatusArg {
    /// Waiting for a solver.
    Initiated,
    /// Taken by a solver.
    InProgress,
    /// Settled (buyer paid).
    Settled,
    /// Canceled (seller refunded).
    SellerRefunded,
    /// Every status.
    All,
}

/// A party of a disputed trade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PartyArg {
    /// The buyer.
    Buyer,
    /// The seller.
    Seller,
}

/// `orders` filters.
#[derive(Debug, Args)]
pub struct BookArgs {
    /// Only buy or sell orders.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// Only this fiat currency (e.g. USD).
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// Status bucket.
    #[arg(long, value_enum, default_value_t = BucketArg::Pending)]
    pub status: BucketArg,
    /// Only orders offering this payment method (substring, any case).
    #[arg(long, value_name = "TEXT")]
    pub payment_method: Option<String>,
}

/// Terms of a new order.
#[derive(Debug, Args)]
pub struct OrderArgs {
    /// Fiat amount, or a range `MIN-MAX` the taker picks from.
    #[arg(long, value_name = "AMOUNT|MIN-MAX")]
    pub fiat: String,
    /// Fiat currency code (e.g. USD).
    #[arg(long, value_name = "CODE")]
    pub currency: String,
    /// Payment method (repeat for several).
    #[arg(long = "method", required = true, value_name = "TEXT")]
    pub methods: Vec<String>,
    /// Fixed amount in sats (instead of the market price).
    #[arg(long, value_name = "SATS", conflicts_with = "premium")]
    pub sats: Option<i64>,
    /// Percent over (or under, negative) the market price.
    #[arg(long, value_name = "PERCENT", allow_negative_numbers = true)]
    pub premium: Option<i64>,
    /// Take window in hours (default: the daemon's).
    #[arg(long, value_name = "HOURS")]
    pub expires_in: Option<u64>,
}

/// `chat` subcommands.
#[derive(Debug, Subcommand)]
pub enum ChatCommand {
    /// Send a message.
    #[command(
        after_help = "Example:\n  mostro-cli chat send 4f1c2e8a \"Sent, please check\"\n  \
        mostro-cli chat send 4f1c2e8a --solver \"Here is my receipt\""
    )]
    Send {
        /// The order id (or a unique prefix).
        order: String,
        /// The text.
        text: String,
        /// Write to the dispute solver instead of the counterparty.
        #[arg(long)]
        solver: bool,
    },
    /// Print the conversation.
    #[command(after_help = "Example:\n  mostro-cli chat read 4f1c2e8a")]
    Read {
        /// The order id (or a unique prefix).
        order: String,
        /// The conversation with the dispute solver.
        #[arg(long)]
        solver: bool,
    },
    /// Print new messages as they arrive (Ctrl-C to stop).
    #[command(after_help = "Example:\n  mostro-cli chat follow 4f1c2e8a")]
    Follow {
        /// The order id (or a unique prefix).
        order: String,
        /// The conversation with the dispute solver.
        #[arg(long)]
        solver: bool,
        /// Stop after this many seconds.
        #[arg(long = "for", value_name = "SECS")]
        duration: Option<u64>,
    },
    /// Print the key that lets a dispute solver read your peer chat. Send
    /// it only to the solver of your dispute.
    #[command(after_help = "Example:\n  mostro-cli chat export-key 4f1c2e8a\n  \
        mostro-cli chat export-key 4f1c2e8a --send-to-solver")]
    ExportKey {
        /// The order id (or a unique prefix).
        order: String,
        /// Send it to the solver over the dispute chat instead of printing it.
        #[arg(long)]
        send_to_solver: bool,
    },
    /// Send the solver of your dispute read access to your chat with the
    /// counterparty (same as `export-key --send-to-solver`). The solver can
    /// read it but never write into it.
    #[command(after_help = "Example:\n  mostro-cli chat disclose 4f1c2e8a")]
    Disclose {
        /// The order id (or a unique prefix).
        order: String,
    },
}
