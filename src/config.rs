//! Typed configuration: every option declared once with its environment name and default.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::auth::throttle::ThrottlePolicy;

/// safetrace: safety inspections, hazards and their rectification for a subdistrict office.
#[derive(Debug, Parser)]
#[command(name = "safetrace", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the REST API (the default).
    Serve,
    /// Run the database migrations and exit.
    Migrate,
    /// Fill the configured database with a synthetic year (see `generate --help`).
    Generate(crate::generate::GenerateArgs),
    /// Manage users on the configured database.
    #[command(subcommand)]
    User(UserCommand),
    /// Import units or communities from a spreadsheet (writes unless --dry-run).
    #[command(subcommand)]
    Import(crate::imports::cli::ImportCommand),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user. The password is read from standard input unless --password is given.
    Add {
        username: String,
        /// admin, supervisor, inspector or viewer.
        #[arg(long)]
        role: crate::domain::Role,
        #[arg(long)]
        display_name: Option<String>,
        /// A community code or id in scope; repeat for several. None: all communities.
        #[arg(long = "community")]
        communities: Vec<String>,
        #[arg(long)]
        password: Option<String>,
    },
    /// Set a user's password (read from standard input unless --password is given).
    Passwd {
        username: String,
        #[arg(long)]
        password: Option<String>,
    },
    /// Deactivate a user and revoke their tokens.
    Deactivate {
        username: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// List users.
    List,
}

/// Settings read from the environment (or the matching flag).
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Database: `postgres://…` for PostgreSQL, otherwise a SQLite file path
    /// (default: `<data dir>/safetrace.db`).
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// Address to listen on.
    #[arg(long, env = "SAFETRACE_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Directory for the SQLite file and uploaded attachments (created if missing).
    #[arg(long, env = "SAFETRACE_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// The office's time zone: decides on which date a moment falls.
    #[arg(long, env = "SAFETRACE_TIMEZONE", default_value = "Asia/Shanghai")]
    pub timezone: chrono_tz::Tz,

    /// Database connections in the pool.
    #[arg(long, env = "SAFETRACE_POOL_SIZE", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub pool_size: u32,

    /// Monthly reports, list exports and imports built at once; more wait their turn, so
    /// they never take every pooled connection (and their memory stays bounded).
    #[arg(long, env = "SAFETRACE_REPORT_CONCURRENCY", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub report_concurrency: u32,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "SAFETRACE_WORKERS")]
    pub workers: Option<usize>,

    /// Log filter (tracing's EnvFilter syntax), e.g. `info` or `safetrace=debug`.
    #[arg(long, env = "SAFETRACE_LOG", default_value = "info")]
    pub log: String,

    /// Log as JSON lines instead of text.
    #[arg(long, env = "SAFETRACE_LOG_JSON", default_value_t = false)]
    pub log_json: bool,

    /// Largest JSON request body, in bytes.
    #[arg(long, env = "SAFETRACE_MAX_JSON_BYTES", default_value_t = 2 * 1024 * 1024)]
    pub max_json_bytes: usize,

    /// Largest upload, in bytes.
    #[arg(long, env = "SAFETRACE_MAX_UPLOAD_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_upload_bytes: usize,

    /// Whether a rectification must cite at least one photo as evidence.
    #[arg(long, env = "SAFETRACE_REQUIRE_EVIDENCE", default_value_t = true, action = clap::ArgAction::Set)]
    pub require_evidence: bool,

    /// How long a login token is valid, in hours.
    #[arg(long, env = "SAFETRACE_TOKEN_TTL_HOURS", default_value_t = 12)]
    pub token_ttl_hours: i64,

    /// Failed logins for one username after which each attempt must wait (1 s, 2 s, 4 s …).
    #[arg(long, env = "SAFETRACE_LOGIN_SLOW_AFTER", default_value_t = 3)]
    pub login_slow_after: i32,

    /// Failed logins for one username that lock it.
    #[arg(long, env = "SAFETRACE_LOGIN_MAX_FAILURES", default_value_t = 5)]
    pub login_max_failures: i32,

    /// How long a locked username stays locked, in seconds.
    #[arg(long, env = "SAFETRACE_LOGIN_LOCK_SECONDS", default_value_t = 900)]
    pub login_lock_seconds: i64,

    /// Password of the `admin` created on the first start (default: a random one, logged once).
    #[arg(long, env = "SAFETRACE_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// How far in the future a reported moment (`inspected_at`) may lie, for phone clocks
    /// that run ahead, in seconds.
    #[arg(long, env = "SAFETRACE_CLOCK_SKEW_SECONDS", default_value_t = 300)]
    pub clock_skew_seconds: i64,

    /// TLS certificate chain (PEM). With `SAFETRACE_TLS_KEY`, safetrace serves HTTPS, which
    /// phones on the office network need for the form's offline mode (service workers).
    #[arg(long, env = "SAFETRACE_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// TLS private key (PEM), for `SAFETRACE_TLS_CERT`.
    #[arg(long, env = "SAFETRACE_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

impl Settings {
    /// The database URL, falling back to a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => url.clone(),
            _ => self.data_dir.join("safetrace.db").to_string_lossy().into_owned(),
        }
    }

    pub fn app_config(&self) -> AppConfig {
        AppConfig {
            timezone: self.timezone,
            data_dir: self.data_dir.clone(),
            max_json_bytes: self.max_json_bytes,
            max_upload_bytes: self.max_upload_bytes,
            clock_skew_seconds: self.clock_skew_seconds,
            token_ttl_hours: self.token_ttl_hours,
            require_evidence: self.require_evidence,
            report_concurrency: self.report_concurrency as usize,
            throttle: ThrottlePolicy {
                slow_after: self.login_slow_after,
                max_failures: self.login_max_failures,
                lock_seconds: self.login_lock_seconds,
            },
        }
    }
}

/// What the running application needs to know of its configuration.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub timezone: chrono_tz::Tz,
    pub data_dir: PathBuf,
    pub max_json_bytes: usize,
    pub max_upload_bytes: usize,
    pub clock_skew_seconds: i64,
    pub token_ttl_hours: i64,
    pub require_evidence: bool,
    pub report_concurrency: usize,
    pub throttle: ThrottlePolicy,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            timezone: chrono_tz::Asia::Shanghai,
            data_dir: PathBuf::from("./data"),
            max_json_bytes: 2 * 1024 * 1024,
            max_upload_bytes: 10 * 1024 * 1024,
            clock_skew_seconds: 300,
            token_ttl_hours: 12,
            require_evidence: true,
            report_concurrency: 2,
            throttle: ThrottlePolicy::default(),
        }
    }
}
