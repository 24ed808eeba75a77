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
/// use. One arena per core lets threads reuse what others freed (one arena measured
/// 52 MiB peak, but 16 clients asking for summaries then queue on its lock: 41 against 45
/// summaries a second on 2 cores, p99 1.06 s against 0.84 s; see docs/benchmarks.md).
/// `MALLOC_ARENA_MAX` in the environment still wins.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only tunes the allocator, and runs first thing in main, before
        // any other thread exists.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let arenas = i32::try_from(cores).unwrap_or(1).clamp(1, 8);
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
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
    // Before any connection: a backup must not migrate the database it copies, and a
    // restore must find its data directory as it is.
    match &cli.command {
        Some(Command::Backup(args)) => return safetrace::backup::run_backup(&settings, args).map_err(Into::into),
        Some(Command::Restore(args)) => return safetrace::backup::run_restore(&settings, args).map_err(Into::into),
        _ => {}
    }
    std::fs::create_dir_all(&settings.data_dir)
        .map_err(|e| format!("cannot create data directory {}: {e}", settings.data_dir.display()))?;
    // A service holds its data directory until the process ends, from before the
    // migrations: `restore` and a second service refuse it meanwhile.
    let _serving = match cli.command {
        None | Some(Command::Serve) => Some(
            safetrace::ops::lock::ServiceLock::acquire(&settings.data_dir)
                .map_err(|e| format!("the data directory is in use by another safetrace: {e}"))?,
        ),
        _ => None,
    };
    let url = settings.database_url();
    let pool = db::connect(&url, settings.pool_size)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Migrate => {
            tracing::info!("migrations are up to date");
            Ok(())
        }
        Command::User(cmd) => safetrace::cli::run(&pool, &settings.data_dir, cmd).map_err(Into::into),
        Command::RebuildCounters => {
            let started = std::time::Instant::now();
            let mut conn = pool.get()?;
            let done = safetrace::tallies::rebuild::rebuild(&mut conn, settings.timezone)
                .map_err(|e| format!("cannot rebuild the counters: {}", e.problem().detail))?;
            println!(
                "rebuilt the counters of {} hazards ({} changes) and {} inspections in {:.1} s",
                done.hazards,
                done.changes,
                done.inspections,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Import(cmd) => safetrace::imports::cli::run(&pool, cmd).map_err(Into::into),
        Command::Generate(args) => {
            let summary = safetrace::generate::run(&pool, &args, settings.timezone)?;
            println!("{summary}");
            Ok(())
        }
        Command::Backup(_) | Command::Restore(_) => Ok(()),
        Command::Serve => {
            bootstrap_admin(&settings, &pool)?;
            ensure_counters(&settings, &pool)?;
            let swept = safetrace::attachments::storage::Storage::new(&settings.data_dir).sweep_unfinished()?;
            if swept > 0 {
                tracing::info!(swept, "removed uploads left unfinished by an earlier stop");
            }
            serve(settings, pool)
        }
    }
}

/// On the first start (no active user yet), creates `admin`. A generated password goes to
/// a file only its owner can read; the log says only where.
fn bootstrap_admin(settings: &Settings, pool: &db::DbPool) -> Result<(), Box<dyn std::error::Error>> {
    let mut conn = pool.get()?;
    let now = safetrace::clock::Clock::now(&SystemClock);
    let given = settings.admin_password.clone().filter(|p| !p.is_empty());
    let written = conn
        .write(|c| safetrace::users::store::bootstrap_admin(c, given, &settings.data_dir, now))
        .map_err(|e| format!("cannot create the first admin: {}", e.problem().detail))?;
    if let Some(path) = written {
        tracing::warn!(
            username = "admin",
            file = %path.display(),
            "created the first admin with a generated password, written to that file (readable by this account only); \
             it must be changed at the first login, which removes the file"
        );
    }
    Ok(())
}

/// Rebuilds the report counters when they were built by another version or time zone.
fn ensure_counters(settings: &Settings, pool: &db::DbPool) -> Result<(), Box<dyn std::error::Error>> {
    let mut conn = pool.get()?;
    let started = std::time::Instant::now();
    let rebuilt = safetrace::tallies::rebuild::ensure(&mut conn, settings.timezone)
        .map_err(|e| format!("cannot rebuild the counters: {}", e.problem().detail))?;
    if let Some(done) = rebuilt {
        let seconds = started.elapsed().as_secs_f64();
        tracing::info!(hazards = done.hazards, changes = done.changes, seconds, "rebuilt the report counters");
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
    let engine = db::Engine::from_url(&settings.database_url())?;
    state.metrics.build_info(engine);
    let data_dir = settings.data_dir.clone();
    actix_web::rt::System::new().block_on(async move {
        let stop = safetrace::ops::stop_on_signals()?;
        let public_state = state.clone();
        let server = HttpServer::new(move || app(public_state.clone()));
        let scheme = if tls.is_some() { "https" } else { "http" };
        let mut server = match tls {
            Some(config) => server.bind_rustls_0_23(bind, config)?,
            None => server.bind(bind)?,
        };
        server = server
            .workers(workers)
            .worker_max_blocking_threads(blocking_threads)
            .disable_signals()
            .shutdown_timeout(settings.shutdown_seconds);
        tracing::info!(%bind, "safetrace listening on {scheme}://{bind}/");
        let public = server.run();
        let metrics = match settings.metrics_bind {
            Some(addr) => {
                let metrics_state = state.clone();
                let server = HttpServer::new(move || safetrace::ops::metrics::app(metrics_state.clone()))
                    .workers(1)
                    .disable_signals()
                    .shutdown_timeout(1)
                    .bind(addr)?;
                tracing::info!(%addr, "metrics on http://{addr}/metrics");
                Some(server.run())
            }
            None => None,
        };
        // SIGTERM / SIGINT: the public server stops accepting and lets requests in flight
        // finish (up to SAFETRACE_SHUTDOWN_SECONDS); the metrics listener stops after it.
        // Through the handles, not each server's own signal, which would stop the whole
        // runtime as soon as the first server is done.
        let handles = (public.handle(), metrics.as_ref().map(|m| m.handle()));
        actix_web::rt::spawn(async move {
            safetrace::ops::stopped(stop).await;
            handles.0.stop(true).await;
            if let Some(metrics) = handles.1 {
                metrics.stop(true).await;
            }
        });
        safetrace::notifications::scheduler::spawn(
            state.clone(),
            std::time::Duration::from_secs(settings.scheduler_seconds),
        );
        safetrace::webhooks::worker::spawn(state.clone());
        safetrace::ops::metrics::spawn_refresh(
            state.clone(),
            std::time::Duration::from_secs(settings.metrics_refresh_seconds),
        );
        safetrace::attachments::sweep::spawn(state.clone());
        match metrics {
            Some(metrics) => {
                let (a, b) = futures_util::future::join(public, metrics).await;
                a.and(b)
            }
            None => public.await,
        }
    })?;
    // A request cut off by the shutdown timeout may leave its upload's temporary file.
    let swept = safetrace::attachments::storage::Storage::new(&data_dir).sweep_unfinished()?;
    tracing::info!(swept, "stopped");
    Ok(())
}
