//! The ledger (隐患台账) as a file: every hazard the list's filters select, in the list's
//! order, one line each with its unit, its passed rectification and its verification,
//! read from a cursor in one snapshot and written as CSV or a workbook.

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use diesel::sql_types::{BigInt, Bool, Date, Nullable, Text};
use diesel::QueryableByName;

use super::list::Selection;
use crate::db::types::SqlMoment;
use crate::db::DbConn;
use crate::domain::hazard::days_overdue;
use crate::domain::labels::{self, Lang};
use crate::domain::time::local_time;
use crate::domain::{HandlingType, HazardCategory, HazardLevel, HazardStatus, Moment};
use crate::error::ApiResult;
use crate::export::writers::{Cell, TableSink};
use crate::export::{self, Column};

/// A hazard as the ledger reads it.
#[derive(QueryableByName)]
struct LedgerRow {
    #[diesel(sql_type = Date)]
    found_on: NaiveDate,
    #[diesel(sql_type = Text)]
    community_name: String,
    #[diesel(sql_type = Text)]
    unit_name: String,
    #[diesel(sql_type = Text)]
    unit_address: String,
    #[diesel(sql_type = Text)]
    category: HazardCategory,
    #[diesel(sql_type = Text)]
    level: HazardLevel,
    #[diesel(sql_type = Text)]
    description: String,
    #[diesel(sql_type = Text)]
    handling_type: HandlingType,
    #[diesel(sql_type = Nullable<Date>)]
    deadline: Option<NaiveDate>,
    #[diesel(sql_type = Text)]
    status: HazardStatus,
    #[diesel(sql_type = Nullable<Text>)]
    measures: Option<String>,
    #[diesel(sql_type = Nullable<SqlMoment>)]
    completed_at: Option<Moment>,
    #[diesel(sql_type = Nullable<Text>)]
    verifier: Option<String>,
    #[diesel(sql_type = Nullable<SqlMoment>)]
    verified_at: Option<Moment>,
    #[diesel(sql_type = Nullable<Text>)]
    responsible_person: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    contact_phone: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    cost_cents: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    campaign_name: Option<String>,
    #[diesel(sql_type = Bool)]
    leader_led: bool,
}

/// One line of the ledger: its number, the row, and what the office's clock makes of it.
struct Line {
    n: i64,
    row: LedgerRow,
    days_overdue: Option<i64>,
    completed: Option<NaiveDateTime>,
    verified: Option<NaiveDateTime>,
}

const SELECT: &str = "hz.found_on, c.name AS community_name, u.name AS unit_name, u.address AS unit_address, \
     hz.category, hz.level, hz.description, hz.handling_type, hz.deadline, hz.status, rp.measures, \
     rp.completed_at, COALESCE(vu.display_name, vu.username) AS verifier, rp.verified_at, \
     COALESCE(hz.responsible_person, rp.responsible_person) AS responsible_person, u.contact_phone, \
     rp.cost_cents, cp.name AS campaign_name, hz.leader_led";

/// A hazard closes once, by its one passed rectification.
const JOINS: &str = " JOIN communities c ON c.id = hz.community_id LEFT JOIN campaigns cp ON cp.id = hz.campaign_id \
     LEFT JOIN rectifications rp ON rp.hazard_id = hz.id AND rp.status = 'passed' \
     LEFT JOIN users vu ON vu.id = rp.verified_by";

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

fn opt_text(s: &Option<String>) -> Cell {
    s.as_deref().map(text).unwrap_or(Cell::Empty)
}

fn opt_time(t: Option<NaiveDateTime>) -> Cell {
    t.map(Cell::DateTime).unwrap_or(Cell::Empty)
}

static COLUMNS: [Column<Line>; 21] = [
    Column { zh: "序号", en: "No.", cell: |l, _| Cell::Int(l.n) },
    Column { zh: "发现日期", en: "Found on", cell: |l, _| Cell::Date(l.row.found_on) },
    Column { zh: "社区", en: "Community", cell: |l, _| text(&l.row.community_name) },
    Column { zh: "单位", en: "Unit", cell: |l, _| text(&l.row.unit_name) },
    Column { zh: "地址", en: "Address", cell: |l, _| text(&l.row.unit_address) },
    Column { zh: "类别", en: "Category", cell: |l, lang| text(labels::category(l.row.category, lang)) },
    Column { zh: "等级", en: "Level", cell: |l, lang| text(labels::level(l.row.level, lang)) },
    Column { zh: "隐患描述", en: "Description", cell: |l, _| text(&l.row.description) },
    Column {
        zh: "处置方式", en: "Handling", cell: |l, lang| text(labels::handling_type(l.row.handling_type, lang))
    },
    Column { zh: "整改期限", en: "Deadline", cell: |l, _| l.row.deadline.map(Cell::Date).unwrap_or(Cell::Empty) },
    Column { zh: "状态", en: "Status", cell: |l, lang| text(labels::status(l.row.status, lang)) },
    Column {
        zh: "逾期天数", en: "Days overdue", cell: |l, _| l.days_overdue.map(Cell::Int).unwrap_or(Cell::Empty)
    },
    Column { zh: "整改措施", en: "Measures", cell: |l, _| opt_text(&l.row.measures) },
    Column { zh: "整改完成时间", en: "Completed at", cell: |l, _| opt_time(l.completed) },
    Column { zh: "复查人", en: "Verified by", cell: |l, _| opt_text(&l.row.verifier) },
    Column { zh: "复查时间", en: "Verified at", cell: |l, _| opt_time(l.verified) },
    Column { zh: "责任人", en: "Responsible person", cell: |l, _| opt_text(&l.row.responsible_person) },
    Column { zh: "联系电话", en: "Phone", cell: |l, _| opt_text(&l.row.contact_phone) },
    Column {
        zh: "整改资金(元)",
        en: "Cost (yuan)",
        cell: |l, _| l.row.cost_cents.map(Cell::Cents).unwrap_or(Cell::Empty),
    },
    Column { zh: "专项行动", en: "Campaign", cell: |l, _| opt_text(&l.row.campaign_name) },
    Column { zh: "党政带队", en: "Leader-led", cell: |l, lang| text(labels::yes_no(l.row.leader_led, lang)) },
];

/// The sheet's name.
pub const NAME: &str = "隐患台账";

/// Writes the selection's ledger into `sink`, on `today` in the office's zone `tz`; call
/// inside a read snapshot (the cursor needs one on PostgreSQL).
pub fn write(conn: &mut DbConn, selection: &Selection<'_>, tz: Tz, sink: &mut dyn TableSink) -> ApiResult<()> {
    let sql = selection.all(conn.engine(), SELECT, JOINS);
    let today = selection.today;
    export::write_lines(sink, NAME, &COLUMNS, Lang::Zh, |each| {
        let mut n = 0;
        sql.for_each(conn, |row: LedgerRow| {
            n += 1;
            each(Line {
                n,
                days_overdue: days_overdue(row.status, row.deadline, today.date),
                completed: row.completed_at.map(|t| local_time(t, tz)),
                verified: row.verified_at.map(|t| local_time(t, tz)),
                row,
            })
        })
    })
}
