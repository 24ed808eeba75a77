//! Start-up: configuration, logging, database, migrations, server.

use std::sync::Arc;

use actix_web::HttpServer;
use clap::Parser;
use tracing_subscriber::EnvFilter;

use safetrace::clock::SystemClock;
use safetrace::config::{Cli, Command, Settings};
use safetrace::{app, db, AppState};

/// glibc gives threads that allocate their own arenas (up to eight per core) and keeps
/// what was freed in each: with 16 clients the server held 110 MiB while 47 MiB were in
/// use. One arena lets every thread reuse what any other freed (measured: 52 MiB peak;
/// throughput unchanged on 2 cores, where per-thread caches take most small allocations).
/// `MALLOC_ARENA_MAX` in the environment still wins.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only tunes the allocator, and runs first thing in main, before
        // any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 1);
        }
    }
}

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
    limit_malloc_arenas();
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
        Command::User(cmd) => safetrace::cli::run(&pool, cmd).map_err(Into::into),
        Command::Import(cmd) => safetrace::imports::cli::run(&pool, cmd).map_err(Into::into),
        Command::Generate(args) => {
            let summary = safetrace::generate::run(&pool, &args, settings.timezone)?;
            println!("{summary}");
            Ok(())
        }
        Command::Serve => {
            bootstrap_admin(&settings, &pool)?;
            let swept = safetrace::attachments::storage::Storage::new(&settings.data_dir).sweep_unfinished()?;
            if swept > 0 {
                tracing::info!(swept, "removed uploads left unfinished by an earlier stop");
            }
            serve(settings, pool)
        }
    }
}

/// On the first start (no active user yet), creates `admin`; a generated password is shown once.
fn bootstrap_admin(settings: &Settings, pool: &db::DbPool) -> Result<(), Box<dyn std::error::Error>> {
    let mut conn = pool.get()?;
    let now = safetrace::clock::Clock::now(&SystemClock);
    let given = settings.admin_password.clone().filter(|p| !p.is_empty());
    let generated = conn
        .write(|c| safetrace::users::store::bootstrap_admin(c, given, now))
        .map_err(|e| format!("cannot create the first admin: {}", e.problem().detail))?;
    if let Some(password) = generated {
        tracing::warn!(username = "admin", %password, "created the first admin with a generated password; change it");
    }
    Ok(())
}

fn serve(settings: Settings, pool: db::DbPool) -> Result<(), Box<dyn std::error::Error>> {
    let state = AppState::new(pool, settings.app_config(), Arc::new(SystemClock));
    let bind = settings.bind;
    let workers =
        settings.workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    // Database work runs on each worker's blocking threads; more of them than there are
    // pooled connections would only wait for one, each with its own stack and allocator
    // arena. One spare per worker reads report files and hashes passwords meanwhile.
    let blocking_threads = (settings.pool_size as usize).div_ceil(workers) + 1;
    let tls = match (&settings.tls_cert, &settings.tls_key) {
        (Some(cert), Some(key)) => Some(safetrace::tls::server_config(cert, key)?),
        _ => None,
    };
    actix_web::rt::System::new().block_on(async move {
        let server = HttpServer::new(move || app(state.clone()));
        let scheme = if tls.is_some() { "https" } else { "http" };
        let mut server = match tls {
            Some(config) => server.bind_rustls_0_23(bind, config)?,
            None => server.bind(bind)?,
        };
        server = server.workers(workers).worker_max_blocking_threads(blocking_threads);
        tracing::info!(%bind, "safetrace listening on {scheme}://{bind}/");
        server.run().await
    })?;
    Ok(())
}
