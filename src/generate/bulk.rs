//! The tables the generator loads in bulk, each declared once by its columns: from that
//! one list come the SQLite INSERT and its binds, the PostgreSQL COPY text and its column
//! list, and the diesel INSERT for a database without a file. A column is a field of the
//! row type of the same name, encoded by its type ([`Cell`]); a field left out of the list
//! does not compile, and neither does a column the schema lacks.

use std::io::Write;

use chrono::{Datelike, NaiveDate, Timelike};
use diesel::prelude::*;

use crate::db::types::SQLITE_MOMENT_FORMAT;
use crate::db::DbConn;
use crate::domain::{Department, HandlingType, HazardCategory, HazardLevel, HazardSource, HazardStatus, Measure};
use crate::domain::{FoundBy, PlanState, SupervisionLevel, SupervisionState};
use crate::domain::{Id, Moment, RectificationStatus, UnitKind, UnitStatus};
use crate::enforcement::model::{ActionRow, OutcomeRow};
use crate::hazards::model::{HazardEventRow, HazardRow};
use crate::inspections::model::InspectionRow;
use crate::rectifications::model::RectificationRow;
use crate::search::{HazardGram, UnitGram};
use crate::units::model::Unit;

/// Rows per diesel INSERT, under both engines' limits of bound variables.
const SQLITE_ROWS: usize = 400;
const PG_ROWS: usize = 2_000;

/// A row type of a bulk table: its table, its columns, and how it is written.
pub trait Bulk: Sized {
    const TABLE: &'static str;
    const COLUMNS: &'static [&'static str];
    /// Binds this row to an INSERT prepared from [`insert_sql`] and runs it.
    fn insert_prepared(&self, st: &mut rusqlite::Statement<'_>) -> rusqlite::Result<()>;
    /// Appends this row as a line of COPY text.
    fn copy_line(&self, out: &mut Vec<u8>);
    /// COPY of lines made by [`Bulk::copy_line`] into the table.
    fn copy_in(c: &mut diesel::PgConnection, data: &[u8]) -> QueryResult<usize>;
    /// The rows through diesel's multi-row INSERT, in chunks.
    fn insert_diesel(conn: &mut DbConn, rows: &[Self]) -> QueryResult<()>;
}

macro_rules! bulk_tables {
    ($($row:ident => $table:ident [$($col:ident),+ $(,)?];)+) => {$(
        impl Bulk for $row {
            const TABLE: &'static str = stringify!($table);
            const COLUMNS: &'static [&'static str] = &[$(stringify!($col)),+];

            fn insert_prepared(&self, st: &mut rusqlite::Statement<'_>) -> rusqlite::Result<()> {
                let $row { $($col),+ } = self;
                let mut binds = Binds::new(st);
                $($col.bind(&mut binds);)+
                binds.run()
            }

            fn copy_line(&self, out: &mut Vec<u8>) {
                let $row { $($col),+ } = self;
                $($col.copy(out); out.push(b'\t');)+
                end_line(out);
            }

            fn copy_in(c: &mut diesel::PgConnection, data: &[u8]) -> QueryResult<usize> {
                use crate::db::schema::$table as t;
                diesel::copy_from(t::table)
                    .from_raw_data(($(t::$col,)+), |w| w.write_all(data).map_err(copy_err))
                    .execute(c)
            }

            fn insert_diesel(conn: &mut DbConn, rows: &[Self]) -> QueryResult<()> {
                use crate::db::schema::$table as t;
                match conn {
                    DbConn::Postgresql(c) => for chunk in rows.chunks(PG_ROWS) {
                        diesel::insert_into(t::table).values(chunk).execute(c)?;
                    },
                    DbConn::Sqlite(c) => for chunk in rows.chunks(SQLITE_ROWS) {
                        diesel::insert_into(t::table).values(chunk).execute(c)?;
                    },
                }
                Ok(())
            }
        }
    )+};
}

bulk_tables! {
    Unit => units [
        id, community_id, name, kind, status, address, credit_code, contact_name, contact_phone, latitude,
        longitude, version, created_at, updated_at, created_by, unit_no,
    ];
    InspectionRow => inspections [
        id, unit_id, community_id, unit_kind, campaign_id, inspected_at, inspected_on, inspectors, leader_led,
        latitude, longitude, notes, request_hash, recorded_at, created_by,
    ];
    HazardRow => hazards [
        id, inspection_id, unit_id, community_id, unit_kind, campaign_id, leader_led, category, level, source,
        handling_type, description, legal_basis, responsible_person, note, deadline, status, found_at, found_on,
        recorded_at, closed_at, version, created_by, plan_state, supervision_level, supervision_state, recurrence_of,
        found_by,
    ];
    HazardEventRow => hazard_events [
        id, hazard_id, at, actor, actor_user_id, kind, from_state, to_state, reason, details, deadline, plan_state,
        supervision_level, supervision_state,
    ];
    RectificationRow => rectifications [
        id, hazard_id, community_id, status, measures, responsible_person, cost_cents, completed_at, submitted_at,
        submitted_by, verified_at, verified_by, verification_comment, request_hash, version,
    ];
    ActionRow => enforcement_actions [
        id, held_on, lead_department, departments, community_id, summary, request_hash, recorded_at, created_by,
    ];
    OutcomeRow => enforcement_outcomes [
        id, action_id, position, unit_id, community_id, unit_kind, violations_found, violation_description,
        measure, transferred_to,
    ];
    HazardGram => hazard_search [gram, found_at, hazard_id];
    UnitGram => unit_search [gram, created_at, unit_id];
}

/// The INSERT of one row of `R`, with a placeholder per column.
pub fn insert_sql<R: Bulk>() -> String {
    let placeholders = vec!["?"; R::COLUMNS.len()].join(", ");
    format!("INSERT INTO {} ({}) VALUES ({placeholders})", R::TABLE, R::COLUMNS.join(", "))
}

/// The rows as COPY text.
pub fn copy_text<R: Bulk>(rows: &[R]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.len() * 300);
    for r in rows {
        r.copy_line(&mut out);
    }
    out
}

fn copy_err(e: std::io::Error) -> diesel::result::Error {
    diesel::result::Error::SerializationError(Box::new(e))
}

/// Ends a COPY line: each cell is followed by a tab, the last one's becomes the newline.
fn end_line(out: &mut [u8]) {
    if let Some(last) = out.last_mut() {
        *last = b'\n';
    }
}

/// One column's value, written the way diesel stores it: bound to a SQLite statement (ids
/// as 16-byte BLOBs, moments and dates as text, booleans as 0/1), or as PostgreSQL's COPY
/// text (tab-separated, `\N` for NULL, backslash escapes).
trait Cell {
    fn bind(&self, binds: &mut Binds);
    fn copy(&self, out: &mut Vec<u8>);
}

impl<T: Cell> Cell for Option<T> {
    fn bind(&self, binds: &mut Binds) {
        match self {
            Some(v) => v.bind(binds),
            None => binds.bind(rusqlite::types::Null),
        }
    }

    fn copy(&self, out: &mut Vec<u8>) {
        match self {
            Some(v) => v.copy(out),
            None => out.extend_from_slice(b"\\N"),
        }
    }
}

impl Cell for Id {
    fn bind(&self, binds: &mut Binds) {
        binds.bind(&self.0.as_bytes()[..]);
    }

    fn copy(&self, out: &mut Vec<u8>) {
        let mut buf = uuid::Uuid::encode_buffer();
        out.extend_from_slice(self.0.hyphenated().encode_lower(&mut buf).as_bytes());
    }
}

impl Cell for String {
    fn bind(&self, binds: &mut Binds) {
        binds.bind(self.as_str());
    }

    fn copy(&self, out: &mut Vec<u8>) {
        copy_escaped(out, self);
    }
}

/// The vocabularies, stored as their names.
macro_rules! text_cells {
    ($($t:ty),+) => {$(
        impl Cell for $t {
            fn bind(&self, binds: &mut Binds) {
                binds.bind(self.as_str());
            }

            fn copy(&self, out: &mut Vec<u8>) {
                copy_escaped(out, self.as_str());
            }
        }
    )+};
}

text_cells!(
    UnitKind,
    UnitStatus,
    HazardCategory,
    HazardLevel,
    HazardSource,
    HandlingType,
    HazardStatus,
    RectificationStatus,
    Department,
    Measure,
    FoundBy,
    PlanState,
    SupervisionLevel,
    SupervisionState
);

/// Numbers, written in full (digits need no escaping).
macro_rules! number_cells {
    ($($t:ty),+) => {$(
        impl Cell for $t {
            fn bind(&self, binds: &mut Binds) {
                binds.bind(*self);
            }

            fn copy(&self, out: &mut Vec<u8>) {
                let _ = write!(out, "{self}");
            }
        }
    )+};
}

number_cells!(i32, i64, f64);

impl Cell for bool {
    fn bind(&self, binds: &mut Binds) {
        binds.bind(i32::from(*self));
    }

    fn copy(&self, out: &mut Vec<u8>) {
        out.push(if *self { b't' } else { b'f' });
    }
}

impl Cell for Moment {
    fn bind(&self, binds: &mut Binds) {
        let mut buf = [0u8; 27];
        match moment_text(self, &mut buf) {
            Some(s) => binds.bind(s),
            None => binds.bind(self.0.format(SQLITE_MOMENT_FORMAT).to_string()),
        }
    }

    fn copy(&self, out: &mut Vec<u8>) {
        let mut buf = [0u8; 27];
        match moment_text(self, &mut buf) {
            Some(s) => out.extend_from_slice(s.as_bytes()),
            None => copy_escaped(out, &self.to_rfc3339()),
        }
    }
}

impl Cell for NaiveDate {
    fn bind(&self, binds: &mut Binds) {
        let mut buf = [0u8; 10];
        match date_text(self, &mut buf) {
            Some(s) => binds.bind(s),
            None => binds.bind(self.format("%F").to_string()),
        }
    }

    fn copy(&self, out: &mut Vec<u8>) {
        let mut buf = [0u8; 10];
        match date_text(self, &mut buf) {
            Some(s) => out.extend_from_slice(s.as_bytes()),
            None => copy_escaped(out, &self.to_string()),
        }
    }
}

/// Text in COPY's escapes.
fn copy_escaped(out: &mut Vec<u8>, s: &str) {
    for b in s.bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

/// Binds one row's values in order to a prepared SQLite statement, then runs it.
struct Binds<'s, 'c> {
    st: &'s mut rusqlite::Statement<'c>,
    at: usize,
    failed: Option<rusqlite::Error>,
}

impl<'s, 'c> Binds<'s, 'c> {
    fn new(st: &'s mut rusqlite::Statement<'c>) -> Self {
        Binds { st, at: 0, failed: None }
    }

    fn bind<T: rusqlite::ToSql>(&mut self, v: T) {
        self.at += 1;
        if self.failed.is_none() {
            if let Err(e) = self.st.raw_bind_parameter(self.at, v) {
                self.failed = Some(e);
            }
        }
    }

    fn run(self) -> rusqlite::Result<()> {
        match self.failed {
            Some(e) => Err(e),
            None => self.st.raw_execute().map(|_| ()),
        }
    }
}

/// `2026-11-25T01:02:03.000004Z` in `buf`: the fixed-width UTC text SQLite stores moments
/// in (the same as [`SQLITE_MOMENT_FORMAT`]), which PostgreSQL reads too; `None` outside
/// years 0–9999 or on a leap second (for chrono to write).
fn moment_text<'b>(m: &Moment, buf: &'b mut [u8; 27]) -> Option<&'b str> {
    let t = m.0;
    let (year, micros) = (t.year(), t.nanosecond() / 1_000);
    if !(0..=9999).contains(&year) || micros >= 1_000_000 {
        return None;
    }
    put_digits(buf, 0, 4, year as u32);
    put_digits(buf, 5, 2, t.month());
    put_digits(buf, 8, 2, t.day());
    put_digits(buf, 11, 2, t.hour());
    put_digits(buf, 14, 2, t.minute());
    put_digits(buf, 17, 2, t.second());
    put_digits(buf, 20, 6, micros);
    for (i, c) in [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':'), (19, b'.'), (26, b'Z')] {
        buf[i] = c;
    }
    std::str::from_utf8(buf).ok()
}

/// `2026-11-25` in `buf` (diesel's `%F` for dates on SQLite), `None` outside years 0–9999.
fn date_text<'b>(d: &NaiveDate, buf: &'b mut [u8; 10]) -> Option<&'b str> {
    let year = d.year();
    if !(0..=9999).contains(&year) {
        return None;
    }
    put_digits(buf, 0, 4, year as u32);
    put_digits(buf, 5, 2, d.month());
    put_digits(buf, 8, 2, d.day());
    buf[4] = b'-';
    buf[7] = b'-';
    std::str::from_utf8(buf).ok()
}

/// `v` as `width` decimal digits at `at`, zero-padded.
fn put_digits(buf: &mut [u8], at: usize, width: usize, mut v: u32) {
    for i in (at..at + width).rev() {
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::*;

    #[test]
    fn a_row_is_one_copy_line_and_one_insert_in_its_declared_columns() {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 1, 2, 3).single().expect("moment") + Duration::microseconds(4);
        let event = HazardEventRow {
            id: Id(uuid::Uuid::nil()),
            hazard_id: Id(uuid::Uuid::from_u128(1)),
            at: Moment::new(at),
            actor: "甲\t乙\\".into(),
            actor_user_id: None,
            kind: "created".into(),
            from_state: None,
            to_state: HazardStatus::Open,
            reason: Some("a\nb\r".into()),
            details: None,
            deadline: NaiveDate::from_ymd_opt(2026, 12, 1),
            plan_state: None,
            supervision_level: None,
            supervision_state: None,
        };
        let text = String::from_utf8(copy_text(&[event.clone(), event])).expect("utf-8");
        let line = "00000000-0000-0000-0000-000000000000\t00000000-0000-0000-0000-000000000001\t\
                    2026-11-25T01:02:03.000004Z\t甲\\t乙\\\\\t\\N\tcreated\t\\N\topen\ta\\nb\\r\t\\N\t2026-12-01\t\\N\t\\N\t\\N\n";
        assert_eq!(text, format!("{line}{line}"));
        assert_eq!(line.split('\t').count(), HazardEventRow::COLUMNS.len());
        assert_eq!(
            insert_sql::<HazardEventRow>(),
            "INSERT INTO hazard_events (id, hazard_id, at, actor, actor_user_id, kind, from_state, to_state, \
             reason, details, deadline, plan_state, supervision_level, supervision_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, \
             ?, ?, ?, ?, ?, ?)"
        );
    }
}
