//! Typed configuration: every option declared once with its environment name and default.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::auth::client::Cidr;
use crate::auth::throttle::ThrottlePolicy;
use crate::domain::hazard::Ladder;
use crate::webhooks::allow::AllowList;

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
    /// Rebuild the report counters from the records and their events (the service does
    /// it by itself at start-up when they were built by another version or time zone).
    RebuildCounters,
    /// Copy the database and its uploads while the service runs, or check such a copy.
    Backup(crate::backup::BackupArgs),
    /// Restore a backup into an empty data directory that no running service uses.
    Restore(crate::backup::RestoreArgs),
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
        /// The user must change this password at their first login.
        #[arg(long)]
        must_change_password: bool,
    },
    /// Set a user's password (read from standard input unless --password is given); the
    /// user must change it at their next login.
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
    /// Clear a username's failed-login counts from every address (a locked-out user).
    Unlock { username: String },
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

    /// Summaries (`GET /reports/summary`) computed at once; more wait their turn, so that
    /// many heavy summaries never hold every pooled connection.
    #[arg(long, env = "SAFETRACE_SUMMARY_CONCURRENCY", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub summary_concurrency: u32,

    /// How long one statement of a report (summary, monthly report, list export) may run,
    /// in seconds; past it the request answers 503 with `Retry-After`.
    #[arg(long, env = "SAFETRACE_REPORT_TIMEOUT_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub report_timeout_seconds: u64,

    /// A request body that sends no byte for this many seconds is answered 408 and closed
    /// (so is one averaging under 1 KiB/s after its first 30 seconds).
    #[arg(long, env = "SAFETRACE_BODY_IDLE_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub body_idle_seconds: u64,

    /// Bytes one user may upload per day (the office's local day); beyond, 429 until
    /// local midnight.
    #[arg(long, env = "SAFETRACE_UPLOAD_QUOTA_BYTES", default_value_t = 500 * 1024 * 1024)]
    pub upload_quota_bytes: u64,

    /// Uploads no record cited within this many days are removed (the row stays, marked).
    #[arg(long, env = "SAFETRACE_ORPHAN_UPLOAD_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..))]
    pub orphan_upload_days: u32,

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

    /// How many days back a hazard closed at the same unit in the same category makes a
    /// new one a recurrence (`recurrence_of`).
    #[arg(long, env = "SAFETRACE_RECURRENCE_DAYS", default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub recurrence_days: u32,

    /// Whether whoever submitted a rectification may also verify it (small offices); by
    /// default someone else must.
    #[arg(long, env = "SAFETRACE_ALLOW_SELF_VERIFICATION", default_value_t = false, action = clap::ArgAction::Set)]
    pub allow_self_verification: bool,

    /// The office's name, printed at the head of its notices, opinions and monthly workbook
    /// (e.g. `某某街道办事处`).
    #[arg(long, env = "SAFETRACE_OFFICE_NAME", default_value = "")]
    pub office_name: String,

    /// The office's telephone number, printed on its notices and in the monthly workbook's
    /// 联系电话.
    #[arg(long, env = "SAFETRACE_OFFICE_PHONE", default_value = "")]
    pub office_phone: String,

    /// What a 安全隐患整改通知书's number starts with: `<prefix>〔YYYY〕NNNN号`.
    #[arg(long, env = "SAFETRACE_DOC_PREFIX", default_value = "安隐改")]
    pub doc_prefix: String,

    /// What a 整改复查意见书's number starts with: `<prefix>〔YYYY〕NNNN号`.
    #[arg(long, env = "SAFETRACE_RECHECK_PREFIX", default_value = "安隐复")]
    pub recheck_prefix: String,

    /// How long a login token is valid, in hours.
    #[arg(long, env = "SAFETRACE_TOKEN_TTL_HOURS", default_value_t = 12)]
    pub token_ttl_hours: i64,

    /// Failed logins for one username from one client address after which each attempt
    /// must wait (1 s, 2 s, 4 s …).
    #[arg(long, env = "SAFETRACE_LOGIN_SLOW_AFTER", default_value_t = 3)]
    pub login_slow_after: i32,

    /// Failed logins for one username from one client address that lock that pair.
    #[arg(long, env = "SAFETRACE_LOGIN_MAX_FAILURES", default_value_t = 5, value_parser = clap::value_parser!(i32).range(1..))]
    pub login_max_failures: i32,

    /// How long a locked pair or address stays locked, in seconds.
    #[arg(long, env = "SAFETRACE_LOGIN_LOCK_SECONDS", default_value_t = 900, value_parser = clap::value_parser!(i64).range(1..))]
    pub login_lock_seconds: i64,

    /// Failed logins from one client address, any usernames, within 15 minutes that lock
    /// the address.
    #[arg(long, env = "SAFETRACE_LOGIN_ADDRESS_MAX_FAILURES", default_value_t = 50, value_parser = clap::value_parser!(i32).range(1..))]
    pub login_address_max_failures: i32,

    /// Reverse proxies (addresses or networks, comma-separated, e.g. `127.0.0.1,10.0.0.0/8`)
    /// whose `X-Forwarded-For` is believed: behind them the client is the right-most entry
    /// that is not one of them. Default: none (the peer address is the client).
    #[arg(long, env = "SAFETRACE_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<Cidr>,

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

    /// Address of the Prometheus metrics listener (`/metrics`), e.g. `127.0.0.1:9464`;
    /// unset: no metrics listener. Never the public port.
    #[arg(long, env = "SAFETRACE_METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,

    /// How often the hazard gauges per community (open, overdue, major open) are
    /// recomputed, in seconds.
    #[arg(long, env = "SAFETRACE_METRICS_REFRESH_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub metrics_refresh_seconds: u64,

    /// A hazard is due soon (`due_soon`) from this many days before its deadline to the
    /// deadline day itself, while open or pending verification.
    #[arg(long, env = "SAFETRACE_DUE_SOON_DAYS", default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=365))]
    pub due_soon_days: u32,

    /// Days overdue at which an overdue hazard climbs one escalation level more, comma
    /// separated and increasing: level 1 from the first overdue day, level 2 from the
    /// first step, level 3 from the second, …
    #[arg(long, env = "SAFETRACE_ESCALATE_DAYS", default_value = "3,7")]
    pub escalate_days: crate::domain::hazard::Steps,

    /// How often the deadline scheduler writes the notifications hazards are owed, in
    /// seconds.
    #[arg(long, env = "SAFETRACE_SCHEDULER_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub scheduler_seconds: u64,

    /// Where webhooks may call: host names, addresses or networks, comma-separated (e.g.
    /// `hooks.example.gov.cn,10.20.0.0/16`), checked on the addresses a name resolves to.
    /// Default: none (no outbound calls).
    #[arg(long, env = "SAFETRACE_WEBHOOK_ALLOW", value_delimiter = ',')]
    pub webhook_allow: Vec<crate::webhooks::allow::Allowed>,

    /// The wait before a failed webhook delivery's first retry, in seconds; it doubles at
    /// each failure, up to an hour, for up to 3 days.
    #[arg(long, env = "SAFETRACE_WEBHOOK_RETRY_SECONDS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub webhook_retry_seconds: u64,

    /// On SIGTERM or SIGINT, how long requests in flight may take to finish, in seconds.
    #[arg(long, env = "SAFETRACE_SHUTDOWN_SECONDS", default_value_t = 30)]
    pub shutdown_seconds: u64,
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
            recurrence_days: self.recurrence_days,
            allow_self_verification: self.allow_self_verification,
            report_concurrency: self.report_concurrency as usize,
            summary_concurrency: self.summary_concurrency as usize,
            report_timeout: std::time::Duration::from_secs(self.report_timeout_seconds),
            body_idle: std::time::Duration::from_secs(self.body_idle_seconds),
            upload_quota_bytes: self.upload_quota_bytes,
            orphan_upload_days: self.orphan_upload_days,
            tls: self.tls_cert.is_some() && self.tls_key.is_some(),
            throttle: ThrottlePolicy {
                slow_after: self.login_slow_after,
                max_failures: self.login_max_failures,
                lock_seconds: self.login_lock_seconds,
                address_max_failures: self.login_address_max_failures,
                ..ThrottlePolicy::default()
            },
            trusted_proxies: self.trusted_proxies.clone(),
            office: Office {
                name: self.office_name.trim().to_string(),
                phone: self.office_phone.trim().to_string(),
                doc_prefix: self.doc_prefix.trim().to_string(),
                recheck_prefix: self.recheck_prefix.trim().to_string(),
            },
            ladder: Ladder { due_soon_days: self.due_soon_days, steps: self.escalate_days },
            webhook_allow: AllowList(self.webhook_allow.clone()),
            webhook_retry_seconds: self.webhook_retry_seconds,
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
    /// SAFETRACE_RECURRENCE_DAYS.
    pub recurrence_days: u32,
    pub allow_self_verification: bool,
    pub report_concurrency: usize,
    pub summary_concurrency: usize,
    /// The longest a report statement may run.
    pub report_timeout: std::time::Duration,
    /// The longest a request body may send nothing.
    pub body_idle: std::time::Duration,
    pub upload_quota_bytes: u64,
    pub orphan_upload_days: u32,
    /// Whether the server serves TLS (answers then carry `Strict-Transport-Security`).
    pub tls: bool,
    pub throttle: ThrottlePolicy,
    pub trusted_proxies: Vec<Cidr>,
    /// When a deadline is due soon and how an overdue one escalates.
    pub ladder: Ladder,
    /// Where webhooks may call (empty: nowhere).
    pub webhook_allow: AllowList,
    /// The first retry's wait, in seconds.
    pub webhook_retry_seconds: u64,
    /// Who issues the office's papers, and how they are numbered.
    pub office: Office,
}

/// The office as its papers name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office {
    pub name: String,
    pub phone: String,
    /// 整改通知书 numbers start with this.
    pub doc_prefix: String,
    /// 复查意见书 numbers start with this.
    pub recheck_prefix: String,
}

impl Default for Office {
    fn default() -> Self {
        Office {
            name: String::new(),
            phone: String::new(),
            doc_prefix: "安隐改".to_string(),
            recheck_prefix: "安隐复".to_string(),
        }
    }
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
            recurrence_days: 365,
            allow_self_verification: false,
            report_concurrency: 2,
            summary_concurrency: 4,
            report_timeout: std::time::Duration::from_secs(60),
            body_idle: std::time::Duration::from_secs(30),
            upload_quota_bytes: 500 * 1024 * 1024,
            orphan_upload_days: 30,
            tls: false,
            throttle: ThrottlePolicy::default(),
            trusted_proxies: Vec::new(),
            office: Office::default(),
            ladder: Ladder::default(),
            webhook_allow: AllowList::default(),
            webhook_retry_seconds: 5,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[test]
    fn trusted_proxies_are_a_comma_separated_list_of_addresses_and_networks() {
        let cli = Cli::try_parse_from(["safetrace", "--trusted-proxies", "127.0.0.1, 10.0.0.0/8,::1"]).expect("parsed");
        let shown: Vec<String> = cli.settings.trusted_proxies.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]);
        assert_eq!(cli.settings.app_config().trusted_proxies.len(), 3);
        assert!(Cli::try_parse_from(["safetrace", "--trusted-proxies", "the-proxy"]).is_err());
        let defaults = Cli::try_parse_from(["safetrace"]).expect("parsed").settings.app_config();
        assert_eq!(defaults.throttle.address_max_failures, 50);
    }
}
