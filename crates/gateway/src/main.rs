//! `sm-gateway`: one region's gateway between the Regional Console and a real IBM Secrets Manager
//! instance. See `shared/contract/gateway.md`.

mod cli;
mod error;
mod feed;
mod feed_loop;
mod health;
mod iam;
mod links;
mod probe;
mod probe_loop;
mod routes;
mod state;
mod store;
mod upstream;

use std::io::Write;
use std::process::ExitCode;
use std::sync::{Arc, RwLock};

use clap::Parser;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::cli::{Cli, Config};
use crate::error::StartupError;
use crate::state::{now_s, App, Live};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            let text = e.to_string();
            // Up to clap's usage block, on one line: "required arguments were not provided: --x <X>".
            let first = text.split("\n\n").next().unwrap_or("invalid arguments").split_whitespace().collect::<Vec<_>>().join(" ");
            let first = first.trim_start_matches("error: ");
            eprintln!("sm-gateway: {first} (see --help)");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let result = cli.into_config().and_then(|cfg| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| StartupError::Config(format!("cannot start the runtime: {e}")))?
            .block_on(serve(cfg))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sm-gateway: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(cfg: Config) -> Result<(), StartupError> {
    let dir_err = |reason: String| StartupError::DataDir { dir: cfg.data_dir.display().to_string(), reason };
    let store = store::Store::open(&cfg.data_dir).map_err(|e| dir_err(e.to_string()))?;
    if let Some((s, e)) = store.start_run(now_s()).await.map_err(|e| dir_err(e.to_string()))? {
        tracing::info!(seconds = e - s, "the gateway was not running since its last record: that time is unknown in the history");
    }
    let http = upstream::client(cfg.upstream_ca_pem.as_deref()).map_err(|e| StartupError::Config(format!("--upstream-ca: {e}")))?;
    let listener = TcpListener::bind(cfg.listen).await.map_err(|source| StartupError::Bind { addr: cfg.listen, source })?;
    let addr = listener.local_addr().map_err(|source| StartupError::Bind { addr: cfg.listen, source })?;

    let (failures_tx, failures_rx) = tokio::sync::mpsc::channel(16);
    let app = Arc::new(App {
        display_name: cli::display_name(&cfg.region),
        zones: (1..=3).map(|i| format!("{}-{i}", cfg.region)).collect(),
        upstream_origin: upstream::origin_string(&cfg.upstream),
        limiter: upstream::Limiter::new(cfg.upstream_rps),
        iam: iam::IamClient::new(http.clone(), &cfg.iam_origin),
        http,
        store,
        live: tokio::sync::watch::channel(Live { authenticated: cfg.probe_key.is_some(), ..Live::default() }).0,
        incidents: RwLock::new(Vec::new()),
        failures: failures_tx,
        cfg: cfg.clone(),
    });
    let shutdown = CancellationToken::new();
    let prober = tokio::spawn(probe_loop::run(app.clone(), failures_rx, shutdown.clone()));
    if let Some((src, every)) = cfg.feed.clone() {
        tokio::spawn(feed_loop::run(app.clone(), src, every, shutdown.clone()));
    }
    let signals = Signals::install()?;
    println!("listening region={} url=http://{addr} upstream={}", cfg.region, app.upstream_origin);
    let _ = std::io::stdout().flush();

    let stop = shutdown.clone();
    let server = axum::serve(listener, routes::router(app.clone())).with_graceful_shutdown(async move { stop.cancelled().await });
    let serving = tokio::spawn(async move { server.await });
    signals.wait().await;
    shutdown.cancel();
    let _ = prober.await;
    // The last moment known alive: the gap until the next start begins exactly here.
    if let Err(e) = app.store.alive(now_s()).await {
        tracing::error!(error = %e, "cannot record the shutdown");
    }
    // Open event streams never end by themselves; give requests in flight a moment, then exit.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), serving).await;
    Ok(())
}

struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> Result<Signals, StartupError> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals {
            term: signal(SignalKind::terminate()).map_err(|e| StartupError::Config(format!("cannot handle SIGTERM: {e}")))?,
            int: signal(SignalKind::interrupt()).map_err(|e| StartupError::Config(format!("cannot handle SIGINT: {e}")))?,
        })
    }

    async fn wait(mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
    }
}
