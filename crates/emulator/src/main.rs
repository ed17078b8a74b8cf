//! `sm-emulator`: one region of Secrets Manager v2 plus its health API, for local development and
//! end-to-end tests. See `shared/contract/emulator.md`.

mod api;
mod backup;
mod cli;
mod control;
mod cors;
mod db;
mod error;
mod events;
mod faults;
mod history;
mod hostile;
mod iam;
mod listener;
mod rng;
mod seed;
mod state;
mod validate;
mod zones;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::cli::{Cli, Command, Config};
use crate::error::StartupError;
use crate::state::{now_s, App, RegionInfo};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // One line, not clap's usage block: callers log stderr and expect a single reason.
            let text = e.to_string();
            // Up to clap's usage block, on one line: "required arguments were not provided: --x <X>".
            let first = text.split("\n\n").next().unwrap_or("invalid arguments").split_whitespace().collect::<Vec<_>>().join(" ");
            let first = first.trim_start_matches("error: ");
            eprintln!("sm-emulator: {first} (see --help)");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .init();

    let result = match cli.command {
        Some(Command::Restore { from, data_dir }) => backup::restore(&from, &data_dir)
            .map(|n| println!("restored {n} secrets from {} into {}", from.display(), data_dir.display()))
            .map_err(StartupError::Restore),
        Some(Command::Iam(args)) => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| StartupError::Runtime(format!("cannot start the runtime: {e}")))
            .and_then(|rt| rt.block_on(iam::serve(args.into_config()))),
        None => match cli.run.into_config() {
            Ok(cfg) => run(cfg),
            Err(e) => Err(StartupError::Runtime(e)),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sm-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cfg: Config) -> Result<(), StartupError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| StartupError::Runtime(format!("cannot start the runtime: {e}")))?;
    rt.block_on(serve(cfg))
}

async fn bind(addr: std::net::SocketAddr) -> Result<TcpListener, StartupError> {
    TcpListener::bind(addr).await.map_err(|source| StartupError::Bind { addr, source })
}

fn region_info(id: &str) -> RegionInfo {
    let mut r = rng::SplitMix::from_str_seed(&format!("instance:{id}"));
    RegionInfo {
        id: id.to_string(),
        display_name: cli::display_name(id),
        zones: (1..=3).map(|i| format!("{id}-{i}")).collect(),
        account: r.hex(32),
        instance: r.uuid(),
    }
}

async fn serve(cfg: Config) -> Result<(), StartupError> {
    let data_listener = bind(cfg.listen).await?;
    let control_listener = bind(cfg.control).await?;
    let data_addr = data_listener.local_addr().map_err(|source| StartupError::Bind { addr: cfg.listen, source })?;
    let control_addr = control_listener.local_addr().map_err(|source| StartupError::Bind { addr: cfg.control, source })?;

    let dir_err = |reason: String| StartupError::DataDir { dir: cfg.data_dir.display().to_string(), reason };
    let database = db::Db::open(&cfg.data_dir).map_err(|e| dir_err(e.to_string()))?;
    let region = region_info(&cfg.region);
    initialize(&database, &region, &cfg).await.map_err(|e| dir_err(e.to_string()))?;
    if let Some((dir, _)) = &cfg.backup {
        std::fs::create_dir_all(dir).map_err(|e| StartupError::BackupDir { dir: dir.display().to_string(), reason: e.to_string() })?;
    }

    let app = App::new(region, cfg.clone(), database);
    let shutdown = CancellationToken::new();
    let data = tokio::spawn(listener::run_data(app.clone(), api::router(app.clone()), data_listener, shutdown.clone()));
    let control = tokio::spawn(listener::accept_loop(control_listener, control::router(app.clone()), shutdown.child_token(), shutdown.clone()));
    if let Some((dir, every)) = cfg.backup.clone() {
        tokio::spawn(backup_loop(app.clone(), dir, every, shutdown.clone()));
    }

    // Handlers go in before the ready line: a supervisor may signal as soon as it reads it.
    let signals = Signals::install()?;
    println!("listening region={} data=http://{data_addr} control=http://{control_addr}", cfg.region);
    let _ = std::io::stdout().flush();

    signals.wait().await;
    shutdown.cancel();
    let _ = data.await;
    let _ = control.await;
    Ok(())
}

/// First-start work: default group, seed, synthesized history; and closing intervals that a
/// previous process left open when it stopped mid-fault.
async fn initialize(database: &db::Db, region: &RegionInfo, cfg: &Config) -> Result<(), db::DbError> {
    let region = region.clone();
    let seed_n = cfg.seed;
    let days = cfg.history_days;
    database
        .write(move |conn| {
            let now = now_s();
            db::in_tx(conn, |tx| {
                db::groups::ensure_default(tx, now)?;
                db::history::close_open(tx, now)?;
                if db::get_meta(tx, "history_synthesized")?.is_none() {
                    for (status, zones, start, end) in history::synthesize(&region.id, &region.zones, days, now) {
                        db::history::insert(tx, status, &zones, start, Some(end), db::history::Source::Synthesized)?;
                    }
                    db::set_meta(tx, "history_synthesized", &days.to_string())?;
                }
                Ok(())
            })?;
            if let Some(n) = seed_n {
                if db::secrets::count(conn)? == 0 {
                    seed::seed(conn, &region, n, now)?;
                }
            }
            Ok(())
        })
        .await
}

async fn backup_loop(app: state::SharedApp, dir: std::path::PathBuf, every: std::time::Duration, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if let Err(e) = backup::snapshot(&app.db, &dir).await {
                    tracing::error!(error = %e, "backup failed");
                }
            }
            _ = shutdown.cancelled() => return,
        }
    }
}

struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> Result<Signals, StartupError> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals {
            term: signal(SignalKind::terminate()).map_err(|e| StartupError::Runtime(format!("cannot handle SIGTERM: {e}")))?,
            int: signal(SignalKind::interrupt()).map_err(|e| StartupError::Runtime(format!("cannot handle SIGINT: {e}")))?,
        })
    }

    async fn wait(mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
    }
}
