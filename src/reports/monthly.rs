//! The monthly report, built in one snapshot and written straight into a temporary file
//! as JSON, one CSV table or a workbook: the figures first, then each line table row by
//! row from a database cursor. Memory stays flat however long the overdue list is, and
//! the connection is released before the first byte goes to a (possibly slow) client.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Duration;

use chrono::{Datelike, NaiveDate};

use serde::Serialize;

use super::as_of::StateAsOf;
use super::model::{Filter, GroupBy, MonthlyHead, Period, Table, YearToDate};
use super::store::{self, Method};
use super::tables::{self, LineTable, Paper, Sheet, TableWriter};
use crate::db::deadline::read_snapshot_within;
use crate::db::DbConn;
use crate::domain::labels::Lang;
use crate::error::{ApiError, ApiResult};
use crate::export::writers::{Masthead, TableSink};
use crate::export::{self, FileFormat};

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    /// One table of the workbook.
    Csv(Table),
    Xlsx,
}

/// A report to build.
#[derive(Debug, Clone)]
pub struct Request {
    pub month: String,
    pub filter: Filter,
    pub lang: Lang,
    pub format: Format,
    /// Who sends it: the workbook's title and 填报 lines.
    pub paper: Paper,
}

fn io_error(e: std::io::Error) -> ApiError {
    ApiError::internal("cannot write the report", e)
}

/// The figures: totals, leader-led totals, enforcement totals, by community, by category,
/// by unit kind; and the year to date (from 1 January of the month's year to its end, as
/// of the same moment), read from the counters like the month's.
fn head(conn: &mut DbConn, r: &Request) -> ApiResult<MonthlyHead> {
    let f = &r.filter;
    let groups = [GroupBy::Community, GroupBy::Category, GroupBy::UnitKind];
    let figures = store::figures(conn, f, &groups, Method::Counters, r.lang)?;
    let mut rows = figures.rows.into_iter();
    let january = NaiveDate::from_ymd_opt(f.from.year(), 1, 1).unwrap_or(f.from);
    let ytd_filter = Filter { from: january, ..f.clone() };
    let ytd = store::figures(conn, &ytd_filter, &[GroupBy::Community], Method::Counters, r.lang)?;
    Ok(MonthlyHead {
        month: r.month.clone(),
        period: Period { from: f.from, to: f.to, as_of: f.as_of },
        totals: figures.totals,
        leader_led_totals: figures.leader_led,
        enforcement_totals: store::enforcement(conn, f)?,
        by_community: rows.next().unwrap_or_default(),
        by_category: rows.next().unwrap_or_default(),
        by_unit_kind: rows.next().unwrap_or_default(),
        year_to_date: YearToDate {
            period: Period { from: january, to: f.to, as_of: f.as_of },
            totals: ytd.totals,
            rows: ytd.rows.into_iter().next().unwrap_or_default(),
        },
    })
}

/// Builds the report into `file` (a fresh temporary file) and answers it rewound, with
/// its length. `tmp_dir` takes the workbook's scratch files; each statement may run for
/// `limit` at most.
pub fn build(conn: &mut DbConn, r: &Request, file: File, tmp_dir: &Path, limit: Duration) -> ApiResult<(File, u64)> {
    let file = read_snapshot_within(conn, limit, |conn| -> ApiResult<File> {
        let state = StateAsOf::at(conn, r.filter.as_of)?;
        let head = head(conn, r)?;
        let (format, tables) = match r.format {
            Format::Json => return json(conn, r, state, &head, file),
            Format::Csv(table) => (FileFormat::Csv, vec![table]),
            Format::Xlsx => (FileFormat::Xlsx, Table::ALL.to_vec()),
        };
        export::write_into(format, file, tmp_dir, |sink| {
            let lines = tables::masthead_lines(&r.paper, &r.month, r.lang);
            let mut writer = SinkWriter { conn, filter: &r.filter, state, lang: r.lang, head: &head, lines, sink };
            tables.into_iter().try_for_each(|table| tables::write(table, &mut writer))
        })
    })?;
    export::rewound(file)
}

/// The JSON report: the head's fields, then each line table as an array written line by
/// line. The shape is [`super::model::Monthly`].
fn json(conn: &mut DbConn, r: &Request, state: StateAsOf, head: &MonthlyHead, file: File) -> ApiResult<File> {
    let json_error = |e: serde_json::Error| ApiError::internal("cannot write the report", e);
    let mut out = BufWriter::with_capacity(64 * 1024, file);
    let mut opening = serde_json::to_vec(head).map_err(json_error)?;
    // `{…}` without its closing brace: the line tables follow as more members.
    opening.pop();
    out.write_all(&opening).map_err(io_error)?;
    let mut writer = JsonWriter { conn, filter: &r.filter, state, out: &mut out };
    for table in Table::ALL {
        tables::write(table, &mut writer)?;
    }
    out.write_all(b"}").map_err(io_error)?;
    out.into_inner().map_err(|e| io_error(e.into_error()))
}

/// Writes each line table as a member of the JSON report.
struct JsonWriter<'a, W: Write> {
    conn: &'a mut DbConn,
    filter: &'a Filter,
    state: StateAsOf,
    out: &'a mut W,
}

impl<W: Write> TableWriter for JsonWriter<'_, W> {
    /// The figure tables are the head's members, written before the line tables.
    fn figures(&mut self, _table: Table, _sheet: fn(&MonthlyHead, Lang) -> Sheet) -> ApiResult<()> {
        Ok(())
    }

    fn lines<L: Serialize>(&mut self, table: Table, lines: &LineTable<L>) -> ApiResult<()> {
        write!(self.out, ",\"{}\":[", table.as_str()).map_err(io_error)?;
        let mut array = JsonArray { out: &mut *self.out, empty: true };
        (lines.query)(self.conn, self.filter, self.state, &mut |l| array.push(&l))?;
        self.out.write_all(b"]").map_err(io_error)
    }
}

/// The elements of a JSON array, written as they come.
struct JsonArray<'a, W: Write> {
    out: &'a mut W,
    empty: bool,
}

impl<W: Write> JsonArray<'_, W> {
    fn push(&mut self, value: &impl Serialize) -> ApiResult<()> {
        if !self.empty {
            self.out.write_all(b",").map_err(io_error)?;
        }
        self.empty = false;
        serde_json::to_writer(&mut *self.out, value).map_err(|e| ApiError::internal("cannot write the report", e))
    }
}

/// Writes each table, header and rows, into a CSV or workbook sink.
struct SinkWriter<'a> {
    conn: &'a mut DbConn,
    filter: &'a Filter,
    state: StateAsOf,
    lang: Lang,
    head: &'a MonthlyHead,
    /// The title and 填报 lines above every sheet.
    lines: Vec<String>,
    sink: &'a mut dyn TableSink,
}

impl SinkWriter<'_> {
    fn masthead(&self, groups: &[(&'static str, usize, usize)]) -> Masthead {
        Masthead {
            lines: self.lines.clone(),
            groups: groups.iter().map(|(label, first, n)| ((*label).to_string(), *first, *n)).collect(),
            number_header: self.lang.pick("序号", "No.").to_string(),
        }
    }
}

impl TableWriter for SinkWriter<'_> {
    fn figures(&mut self, table: Table, sheet: fn(&MonthlyHead, Lang) -> Sheet) -> ApiResult<()> {
        let sheet = sheet(self.head, self.lang);
        let masthead = self.masthead(&sheet.groups);
        self.sink.start_report(tables::name(table, self.lang), &sheet.headers, &masthead)?;
        for row in &sheet.rows {
            self.sink.row(row)?;
        }
        if let Some(total) = &sheet.total {
            self.sink.total(total)?;
        }
        self.sink.end()
    }

    fn lines<L: Serialize>(&mut self, table: Table, lines: &LineTable<L>) -> ApiResult<()> {
        let lang = self.lang;
        let masthead = self.masthead(&[]);
        self.sink.start_report(tables::name(table, lang), &lines.headers(lang), &masthead)?;
        let sink = &mut *self.sink;
        (lines.query)(self.conn, self.filter, self.state, &mut |l| sink.row(&lines.cells(&l, lang)))?;
        self.sink.end()
    }
}
