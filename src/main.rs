//! Start-up: configuration, logging, database, migrations, server.

use std::sync::Arc;

use actix_web::HttpServer;
use clap::Parser;
use tracing_subscriber::EnvFilter;

use safetrace::clock::SystemClock;
use safetrace::config::{Cli, Command, Settings};
use safetrace::{app, db, AppState};

fn init_logging(settings: &Settings) {
    let filter = EnvFilter::try_new(&settings.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if settings.log_json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging(&cli.settings);
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err}");
            eprintln!("safetrace: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let settings = cli.settings;
    std::fs::create_dir_all(&settings.data_dir)
        .map_err(|e| format!("cannot create data directory {}: {e}", settings.data_dir.display()))?;
    let url = settings.database_url();
    let pool = db::connect(&url, settings.pool_size)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Migrate => {
            tracing::info!("migrations are up to date");
            Ok(())
        }
        Command::Serve => serve(settings, pool),
    }
}

fn serve(settings: Settings, pool: db::DbPool) -> Result<(), Box<dyn std::error::Error>> {
    let state = AppState::new(pool, settings.app_config(), Arc::new(SystemClock));
    let bind = settings.bind;
    let workers = settings.workers;
    actix_web::rt::System::new().block_on(async move {
        let mut server = HttpServer::new(move || app(state.clone())).bind(bind)?;
        if let Some(n) = workers {
            server = server.workers(n);
        }
        tracing::info!(%bind, "safetrace listening");
        server.run().await
    })?;
    Ok(())
}
