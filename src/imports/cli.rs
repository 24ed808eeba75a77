//! `safetrace import units|communities FILE`: the API's import from the command line, with
//! a progress bar and the same rules and report. It writes unless told `--dry-run` (a
//! person typed it on purpose; the API, which a click on a page calls, dry-runs unless
//! told otherwise).

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};

use super::handlers::MAX_IMPORT_BYTES;
use super::model::Kind;
use super::{sheet, By, Outcome, Progress, Request};
use crate::clock::{Clock, SystemClock};
use crate::db::DbPool;
use crate::domain::access::Scope;
use crate::domain::actor::Actor;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import units from a spreadsheet (XLSX, or CSV in UTF-8 or GB18030) with the
    /// registry's columns (单位名称, 社区, 类型, 地址, 统一社会信用代码, 联系人, 联系电话, 纬度,
    /// 经度). Writes unless --dry-run.
    Units(ImportArgs),
    /// Import communities (名称, 代码) from a spreadsheet. Writes unless --dry-run.
    Communities(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The spreadsheet: XLSX, or CSV in UTF-8 or GB18030 (at most 20 MiB and 50,000 rows).
    pub file: std::path::PathBuf,
    /// Check every row and print the report; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Write the rows without errors and report the others (without it, any row error
    /// writes nothing).
    #[arg(long)]
    pub partial: bool,
    /// Hide the progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// The progress bar: rows checked, then rows written.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, phase: &'static str, total: u64) {
        self.0.set_length(total);
        self.0.set_position(0);
        self.0.set_message(phase);
    }

    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
}

/// Runs the import and prints its report (JSON); an error when rows were refused.
pub fn run(pool: &DbPool, cmd: ImportCommand) -> Result<(), String> {
    let (kind, args) = match cmd {
        ImportCommand::Units(a) => (Kind::Units, a),
        ImportCommand::Communities(a) => (Kind::Communities, a),
    };
    let size = std::fs::metadata(&args.file).map_err(|e| format!("{}: {e}", args.file.display()))?.len();
    if size > MAX_IMPORT_BYTES as u64 {
        return Err(format!("{}: larger than 20 MiB", args.file.display()));
    }
    let bytes = std::fs::read(&args.file).map_err(|e| format!("{}: {e}", args.file.display()))?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let sheet = sheet::read(&bytes).map_err(describe)?;
    drop(bytes);
    let rows = sheet.rows.len();
    let request = Request {
        kind,
        sheet,
        dry_run: args.dry_run,
        partial: args.partial,
        id: None,
        file_name: args.file.file_name().map(|n| n.to_string_lossy().into_owned()),
        hash: super::request_hash(kind, &sha256, args.partial),
    };
    let bar = if args.quiet { ProgressBar::hidden() } else { ProgressBar::new(rows as u64) };
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} rows {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let actor = Actor::named("cli");
    let by = By { scope: &Scope::All, actor: &actor, sees_every_import: true };
    let result = super::run(&mut conn, request, &by, SystemClock.now(), &Bar(bar.clone()));
    bar.finish_and_clear();
    let (report, written) = match result.map_err(describe)? {
        Outcome::Checked(report) => (report, false),
        Outcome::Applied(_, report) => (report, true),
        Outcome::Refused(report) => (report, false),
    };
    println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
    match (report.errors.is_empty(), written) {
        (true, _) => Ok(()),
        (false, true) => Ok(()),
        (false, false) => Err(format!("{} rows have errors; nothing was written", distinct_rows(&report.errors))),
    }
}

fn distinct_rows(errors: &[super::model::RowError]) -> usize {
    let mut rows: Vec<u32> = errors.iter().map(|e| e.row).collect();
    rows.dedup();
    rows.len()
}

/// An error as one line, each refused row and column named.
fn describe(err: crate::error::ApiError) -> String {
    match err {
        crate::error::ApiError::Validation(errors) => {
            errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("\n")
        }
        other => other.to_string(),
    }
}
