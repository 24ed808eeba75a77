//! What an import answers and keeps: its report, the stored import, the upload form.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::imports;
use crate::domain::{Id, Moment};

/// What a file imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Units,
    Communities,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Units => "units",
            Kind::Communities => "communities",
        }
    }
}

/// One problem with one row of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RowError {
    /// The row's number as the spreadsheet shows it (the header is usually row 1).
    pub row: u32,
    /// The column's header as the file names it (or its Chinese name when the file lacks it).
    pub column: String,
    /// Machine-readable reason: `required`, `invalid`, `invalid_choice`, `not_found`,
    /// `duplicate`, `taken`, `ambiguous`, or a rule's code as `POST /units` gives it.
    pub code: String,
    pub message: String,
}

/// What an import did, or what a dry run would do. The counts are of the rows without
/// errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ImportReport {
    /// The stored import's id; for a dry run, the `id` sent (or null): nothing is stored.
    pub id: Option<Id>,
    pub dry_run: bool,
    /// Data rows in the file (blank rows are not counted).
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Every row refused, in row order: nothing of an import with errors is written,
    /// unless `partial`, which writes the other rows.
    pub errors: Vec<RowError>,
    /// Columns of the file the import does not know; they are not read.
    pub ignored_columns: Vec<String>,
}

/// An applied import as stored, with the report it answered (JSON).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = imports)]
pub struct ImportRow {
    pub id: Id,
    pub kind: String,
    pub file_name: Option<String>,
    pub request_hash: String,
    pub report: String,
    pub created_at: Moment,
    pub created_by: Option<Id>,
}

/// An applied import: its report, what it imported, the file, when and by whom.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Import {
    #[serde(flatten)]
    pub report: ImportReport,
    /// `units` or `communities`.
    pub kind: String,
    pub file_name: Option<String>,
    pub created_at: Moment,
    /// The user who imported; null for the command line.
    pub created_by: Option<Id>,
}

/// An import: a multipart/form-data body with these parts.
// For the OpenAPI document only: the handler reads the parts as they stream in.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ImportForm {
    /// The spreadsheet: XLSX, or CSV in UTF-8 or GB18030 (GBK), at most 20 MiB and
    /// 50,000 rows. The first row names the columns.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// `true` (the default): check every row and answer the report, writing nothing;
    /// `false`: import.
    #[schema(value_type = Option<bool>)]
    pub dry_run: Option<bool>,
    /// `true`: import the rows without errors and report the others; `false` (the
    /// default): any row error writes nothing.
    #[schema(value_type = Option<bool>)]
    pub partial: Option<bool>,
    /// A UUID the client makes, so that a retried import is applied once.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub id: Option<Id>,
}
