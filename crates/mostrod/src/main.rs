//! mostrod: the Mostro daemon.
//!
//! Reads the configuration (flags, environment, `settings.toml`), connects to LND,
//! opens the database, builds the daemon and runs it until SIGINT or SIGTERM. An
//! invalid configuration exits with code 2 and names the setting.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use mostro_relay::{PoolOptions, RelayPool};
use mostrod::admin::{AdminServer, AdminStartError};
use mostrod::config::{AdminSettings, Cli, ConfigError, Settings};
use mostrod::lightning::lnd::{ensure_crypto_provider, LndConfig, LndLightning};
use mostrod::lnurl::LnurlResolver;
use mostrod::price::{
    CoinGeckoProvider, DynPriceProvider, PriceHttp, PriceService, PriceSettings, YadioProvider,
};
use mostrod::runtime::Mostro;
use mostrod::store::Store;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing_subscriber::EnvFilter;

/// Exit code of an unusable configuration.
const EXIT_CONFIG: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.log.as_deref());
    let settings = match Settings::load(&cli) {
        Ok(settings) => settings,
        Err(error) => return config_failure(&error),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("mostrod: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => match error.downcast_ref::<ConfigError>() {
            Some(config) => config_failure(config),
            None => {
                tracing::error!(error = format!("{error:#}"), "mostrod failed");
                eprintln!("mostrod: {error:#}");
                ExitCode::FAILURE
            }
        },
    }
}

/// `--log`, else `RUST_LOG`, else `info`.
fn init_tracing(flag: Option<&str>) {
    let filter = flag
        .and_then(|f| EnvFilter::try_new(f).ok())
        .or_else(|| EnvFilter::try_from_default_env().ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).init();
}

fn config_failure(error: &ConfigError) -> ExitCode {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    eprintln!("mostrod: configuration error: {message}");
    ExitCode::from(EXIT_CONFIG)
}

async fn run(settings: Settings) -> anyhow::Result<()> {
    settings.ensure_data_dir()?;
    let keys = settings.node_keys()?;
    let shutdown = CancellationToken::new();
    let tasks = TaskTracker::new();

    ensure_crypto_provider();
    let l = &settings.lightning;
    let (Some(cert), Some(macaroon)) = (&l.lnd_cert_file, &l.lnd_macaroon_file) else {
        return Err(ConfigError::Invalid {
            setting: "lightning.lnd_cert_file",
            value: String::new(),
            reason: "the LND certificate and macaroon files are required".to_owned(),
        }
        .into());
    };
    let lnd = LndConfig::new(l.lnd_grpc_host.clone(), cert.clone(), macaroon.clone());
    let lightning = LndLightning::connect(lnd, shutdown.clone(), &tasks)
        .await
        .context("cannot connect to LND")?;

    let path = settings.database_path();
    let store = tokio::task::spawn_blocking(move || Store::open(path))
        .await
        .context("database task failed")?
        .context("cannot open the database")?;
    let relays = RelayPool::new(&settings.nostr.relays, PoolOptions::default())
        .context("invalid relay list")?;
    let price = price_service(&settings)?;
    let lnurl_options = settings.lnurl.options();
    if lnurl_options.allow_insecure_localhost {
        tracing::warn!(
            "lnurl.allow_insecure_localhost is set: LNURL requests may reach 127.0.0.1 \
             over plain http. TEST ONLY, never enable it in production"
        );
    }

    let admin_settings = settings.admin.clone();
    let data_dir = settings.data_dir.clone();
    let mostro = Mostro::builder(settings)
        .store(store)
        .lightning(Arc::new(lightning))
        .relays(relays.clone())
        .keys(keys)
        .price(price)
        .lnurl(LnurlResolver::new(lnurl_options))
        .build()
        .await
        .context("cannot assemble the daemon")?;

    if admin_settings.enabled {
        start_admin(&admin_settings, &data_dir, &mostro, &shutdown, &tasks).await?;
    } else {
        tracing::info!("admin interface disabled");
    }

    let signals = shutdown.clone();
    tasks.spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutdown requested");
        signals.cancel();
    });
    let outcome = mostro.run(shutdown.clone()).await;
    shutdown.cancel();
    tasks.close();
    tasks.wait().await;
    relays.shutdown().await;
    outcome.context("daemon stopped")
}

/// Binds and serves the admin interface. An unusable token file is a configuration
/// error; an address that cannot be bound (for instance already in use) is logged and
/// the daemon trades on without the interface, since trading must not depend on it.
async fn start_admin(
    settings: &AdminSettings,
    data_dir: &Path,
    mostro: &Mostro,
    shutdown: &CancellationToken,
    tasks: &TaskTracker,
) -> anyhow::Result<()> {
    let server = match AdminServer::bind(settings, data_dir, mostro.admin_handle()).await {
        Ok(server) => server,
        Err(AdminStartError::Config(config)) => return Err(config.into()),
        Err(error) => {
            tracing::error!(
                error = format!("{:#}", anyhow::Error::from(error)),
                "admin interface unavailable; mostrod runs without it"
            );
            return Ok(());
        }
    };
    let addr = server.local_addr().context("admin interface address")?;
    tracing::info!(%addr, "admin interface listening");
    let stop = shutdown.clone();
    tasks.spawn(async move {
        if let Err(error) = server.serve(stop).await {
            tracing::error!(%error, "admin interface stopped");
        }
    });
    Ok(())
}

/// Yadio and CoinGecko at `[price] yadio_url` / `coingecko_url`. CoinGecko needs the
/// list of currencies to quote, so it is left out when every currency is accepted.
fn price_service(settings: &Settings) -> anyhow::Result<PriceService> {
    let http = PriceHttp::with_defaults().context("cannot build the price HTTP client")?;
    let p = &settings.price;
    let yadio_url = url::Url::parse(&p.yadio_url).context("price.yadio_url")?;
    let mut providers: Vec<DynPriceProvider> =
        vec![Arc::new(YadioProvider::new(http.clone(), yadio_url))];
    let currencies = &settings.mostro.fiat_currencies_accepted;
    if currencies.is_empty() {
        tracing::info!("every currency is accepted: prices come from Yadio only");
    } else {
        let coingecko = CoinGeckoProvider::new(http, &p.coingecko_url, currencies)
            .context("price.coingecko_url")?;
        providers.push(Arc::new(coingecko));
    }
    Ok(PriceService::new(
        providers,
        PriceSettings::new(p.update_interval_seconds, p.max_price_staleness_seconds),
    ))
}

/// Completes on SIGINT or SIGTERM (SIGINT only where SIGTERM does not exist).
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
                return;
            }
            Err(error) => tracing::warn!(%error, "cannot listen for SIGTERM"),
        }
    }
    if tokio::signal::ctrl_c().await.is_err() {
        // No signal handling at all: never stop on our own.
        std::future::pending::<()>().await;
    }
}
