//! Imports (导入) of units and communities from a spreadsheet, through the API and the
//! command line alike: the file read into rows ([`sheet`]), every row checked by the
//! rules of the record's own creation and matched to what exists ([`units`],
//! [`communities`]), then, unless it is a dry run, everything written in one transaction
//! (or only the good rows, with `partial`), and the import stored with its report.

pub mod cli;
pub mod communities;
pub mod handlers;
pub mod model;
pub mod sheet;
pub mod store;
pub mod template;
pub mod units;

use std::collections::HashMap;
use std::hash::Hash;

use serde_json::json;

use crate::db::DbConn;
use crate::domain::access::Scope;
use crate::domain::actor::Actor;
use crate::domain::{Id, Moment};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::http::idempotent::{self, Stored};
use model::{ImportReport, ImportRow, Kind, RowError};
use sheet::Sheet;

/// An import asked for.
pub struct Request {
    pub kind: Kind,
    pub sheet: Sheet,
    pub dry_run: bool,
    pub partial: bool,
    /// The client's id, for a retried import to be applied once.
    pub id: Option<Id>,
    pub file_name: Option<String>,
    /// The request's hash (see [`request_hash`]).
    pub hash: String,
}

/// The hash an applied import is kept under: the same bytes imported the same way are
/// the same import.
pub fn request_hash(kind: Kind, sha256: &str, partial: bool) -> String {
    idempotent::canonical_hash(&json!({"kind": kind.as_str(), "sha256": sha256, "partial": partial}))
}

/// Who imports: where they may, as whom, and whether they see every stored import (an
/// admin, or the command line) or only their own.
pub struct By<'a> {
    pub scope: &'a Scope,
    pub actor: &'a Actor,
    pub sees_every_import: bool,
}

/// Told how far an import is: rows checked, then rows written.
pub trait Progress {
    fn start(&self, phase: &'static str, total: u64);
    fn advance(&self, n: u64);
}

/// No progress to show (the API).
pub struct Quiet;

impl Progress for Quiet {
    fn start(&self, _: &'static str, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// What checking the rows found: the writes the good rows make, and the bad rows.
pub struct Checked<W> {
    pub writes: W,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<RowError>,
    pub ignored_columns: Vec<String>,
}

/// What an import came to.
pub enum Outcome {
    /// A dry run's report: nothing written.
    Checked(ImportReport),
    /// Written (or replayed: written by an earlier request under the same id), and stored.
    Applied(Stored, ImportReport),
    /// Row errors without `partial`: nothing written, nothing stored.
    Refused(ImportReport),
}

/// Runs an import: a dry run in one read snapshot, writing nothing; otherwise in one
/// write transaction, which stores the import with its report (a replay of an import
/// applied under the same id answers that one). With row errors and without `partial`,
/// the transaction is rolled back: nothing is written.
pub fn run(conn: &mut DbConn, req: Request, by: &By<'_>, now: Moment, progress: &dyn Progress) -> ApiResult<Outcome> {
    if req.dry_run {
        return conn.read_snapshot(|conn| {
            Ok(Outcome::Checked(match req.kind {
                Kind::Units => report_of(&req, units::check(conn, &req.sheet, by.scope, now, by.actor, progress)?),
                Kind::Communities => report_of(&req, communities::check(conn, &req.sheet, now, by.actor, progress)?),
            }))
        });
    }
    let mut refused = None;
    let written = conn.write(|conn| {
        let id = req.id.unwrap_or_else(Id::new_v7);
        if let Some(earlier) = store::replay(conn, id, &req.hash, by)? {
            return Ok((Stored::Replayed, earlier));
        }
        // Stored first: an identical import racing this one waits for it here, then
        // finds it (PostgreSQL) or is refused on the id and replays it.
        let mut row = ImportRow {
            id,
            kind: req.kind.as_str().to_string(),
            file_name: req.file_name.clone(),
            request_hash: req.hash.clone(),
            report: "{}".to_string(),
            created_at: now,
            created_by: by.actor.user_id,
        };
        store::insert(conn, &row)?;
        let report = match req.kind {
            Kind::Units => {
                let checked = units::check(conn, &req.sheet, by.scope, now, by.actor, progress)?;
                if checked.errors.is_empty() || req.partial {
                    units::apply(conn, &checked.writes, id, now, by.actor, progress)?;
                }
                report_of(&req, checked)
            }
            Kind::Communities => {
                let checked = communities::check(conn, &req.sheet, now, by.actor, progress)?;
                if checked.errors.is_empty() || req.partial {
                    communities::apply(conn, &checked.writes, now, progress)?;
                }
                report_of(&req, checked)
            }
        };
        if !report.errors.is_empty() && !req.partial {
            let error = refusal(&report);
            refused = Some(report);
            return Err(error);
        }
        let report = ImportReport { id: Some(id), ..report };
        row.report = serde_json::to_string(&report).map_err(|e| ApiError::internal("cannot store the report", e))?;
        store::set_report(conn, id, &row.report)?;
        Ok((Stored::Created, report))
    });
    match (written, refused) {
        (Err(_), Some(report)) => Ok(Outcome::Refused(report)),
        (result, _) => result.map(|(stored, report)| Outcome::Applied(stored, report)),
    }
}

/// The 422 of a refused import: each row error as `rows[<row>].<column>`.
pub fn refusal(report: &ImportReport) -> ApiError {
    ApiError::Validation(
        report
            .errors
            .iter()
            .map(|e| FieldError::new(format!("rows[{}].{}", e.row, e.column), e.code.clone(), e.message.clone()))
            .collect(),
    )
}

fn report_of<W>(req: &Request, c: Checked<W>) -> ImportReport {
    ImportReport {
        id: req.id,
        dry_run: req.dry_run,
        rows: req.sheet.rows.len(),
        created: c.created,
        updated: c.updated,
        unchanged: c.unchanged,
        errors: c.errors,
        ignored_columns: c.ignored_columns,
    }
}

/// A file's columns an import knows: the position of each field's column and its header
/// as the file writes it; the headers it does not know.
pub struct Columns<F> {
    at: HashMap<F, usize>,
    written: HashMap<F, String>,
    pub ignored: Vec<String>,
}

impl<F: Copy + Eq + Hash> Columns<F> {
    /// Finds each field's column by its Chinese or English header (`fields`: the field,
    /// its Chinese header, its English one); a header may carry a `*` (required) mark.
    pub fn find(headers: &[String], fields: &[(F, &'static str, &'static str)]) -> ApiResult<Self> {
        let mut cols = Columns { at: HashMap::new(), written: HashMap::new(), ignored: Vec::new() };
        for (i, h) in headers.iter().enumerate() {
            let name = h.trim_matches(|c: char| c == '*' || c.is_whitespace());
            if name.is_empty() {
                continue;
            }
            match fields.iter().find(|(_, zh, en)| name == *zh || name.eq_ignore_ascii_case(en)) {
                Some((f, _, _)) => {
                    if cols.at.insert(*f, i).is_some() {
                        return Err(ApiError::field(
                            "file",
                            "duplicate_column",
                            format!("the column {h} appears twice"),
                        ));
                    }
                    cols.written.insert(*f, h.clone());
                }
                None => cols.ignored.push(h.clone()),
            }
        }
        if cols.at.is_empty() {
            let names: Vec<&str> = fields.iter().map(|(_, zh, _)| *zh).collect();
            return Err(ApiError::field(
                "file",
                "no_columns",
                format!("the first row names no column the import knows: {}", names.join(", ")),
            ));
        }
        Ok(cols)
    }

    /// The cell of `field` in `row`, `None` when blank or when the file has no such column.
    pub fn cell<'r>(&self, row: &'r sheet::Row, field: F) -> Option<&'r str> {
        self.at.get(&field).and_then(|i| row.cell(*i))
    }

    pub fn has(&self, field: F) -> bool {
        self.at.contains_key(&field)
    }

    /// The header of `field` as the file writes it, or `default` when it has none.
    pub fn header(&self, field: F, default: &'static str) -> String {
        self.written.get(&field).cloned().unwrap_or_else(|| default.to_string())
    }
}

/// Row errors in the order of the rows, each problem of a cell once (a blank name is
/// both required and too short: one error).
pub fn sorted(mut errors: Vec<RowError>) -> Vec<RowError> {
    errors.sort_by_key(|e| e.row);
    let mut seen = std::collections::HashSet::new();
    errors.retain(|e| seen.insert((e.row, e.column.clone(), e.code.clone())));
    errors
}
