//! The monthly report's tables, each described once. A figure table (summary, by
//! community, by category) is a small sheet made from the report's head; a line table
//! (overdue, major, enforcement, leader-led) is its query and its columns, each column a
//! header with the cell it takes from a line. [`write`] picks a table's description with
//! an exhaustive `match`, and every writer (JSON, CSV, workbook) is a [`TableWriter`]
//! that takes any description: a new table does not compile until it is described, and
//! then every writer writes it.

use serde::Serialize;

use super::as_of::StateAsOf;
use super::lines::{self, HazardList};
use super::model::{Counters, EnforcementLine, Filter, HazardLine, LeaderLedLine, MonthlyHead, Row, Table};
use crate::db::DbConn;
use crate::domain::labels::{self, Lang};
use crate::error::ApiResult;
use crate::export::writers::Cell;
use crate::export::{self, Column};

/// What a writer does with each kind of table.
pub trait TableWriter {
    /// A figure table, made from the report's head by `sheet`.
    fn figures(&mut self, table: Table, sheet: fn(&MonthlyHead, Lang) -> Sheet) -> ApiResult<()>;
    /// A line table, its lines read as they come; a line is as the JSON report gives it.
    fn lines<L: Serialize>(&mut self, table: Table, lines: &LineTable<L>) -> ApiResult<()>;
}

/// Hands `table`'s description to `writer`: the one place a table is chosen.
pub fn write(table: Table, writer: &mut impl TableWriter) -> ApiResult<()> {
    match table {
        Table::Summary => writer.figures(table, summary),
        Table::ByCommunity => writer.figures(table, by_community),
        Table::ByCategory => writer.figures(table, by_category),
        Table::Overdue => writer.lines(table, &OVERDUE),
        Table::Major => writer.lines(table, &MAJOR),
        Table::Enforcement => writer.lines(table, &ENFORCEMENT),
        Table::LeaderLed => writer.lines(table, &LEADER_LED),
        Table::Recurrent => writer.lines(table, &RECURRENT),
    }
}

/// The sheet name of a table.
pub fn name(table: Table, lang: Lang) -> &'static str {
    match table {
        Table::Summary => lang.pick("汇总", "Summary"),
        Table::ByCommunity => lang.pick("按社区", "By community"),
        Table::ByCategory => lang.pick("按类别", "By category"),
        Table::Overdue => lang.pick("逾期隐患", "Overdue hazards"),
        Table::Major => lang.pick("重大隐患", "Major hazards"),
        Table::Enforcement => lang.pick("联合执法", "Joint enforcement"),
        Table::LeaderLed => lang.pick("党政带队", "Leader-led"),
        Table::Recurrent => lang.pick("复发隐患", "Recurrences"),
    }
}

/// A table of lines, read from the database one at a time.
pub struct LineTable<L: 'static> {
    /// The columns, in order.
    pub columns: &'static [Column<L>],
    /// Hands each line to the callback, in order, without holding them all.
    pub query: Query<L>,
}

/// A line table's query: the snapshot, the report's filter and the as-of state in, each
/// line out to the callback.
pub type Query<L> = fn(&mut DbConn, &Filter, StateAsOf, &mut dyn FnMut(L) -> ApiResult<()>) -> ApiResult<()>;

impl<L> LineTable<L> {
    pub fn headers(&self, lang: Lang) -> Vec<&'static str> {
        export::headers(self.columns, lang)
    }

    /// The cells of a line.
    pub fn cells(&self, line: &L, lang: Lang) -> Vec<Cell> {
        export::cells(self.columns, line, lang)
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn opt_int(n: Option<i64>) -> Cell {
    n.map(Cell::Int).unwrap_or(Cell::Empty)
}

/// The hazards overdue as of the report's moment, whenever found.
static OVERDUE: LineTable<HazardLine> = LineTable {
    columns: &HAZARD_COLUMNS,
    query: |conn, f, state, each| lines::hazards(conn, f, state, HazardList::Overdue, each),
};

/// The major hazards open as of the report's moment, whenever found.
static MAJOR: LineTable<HazardLine> = LineTable {
    columns: &MAJOR_COLUMNS,
    query: |conn, f, state, each| lines::hazards(conn, f, state, HazardList::Major, each),
};

const HAZARD_COLUMNS: [Column<HazardLine>; 8] = [
    Column { zh: "单位", en: "Unit", cell: |l, _| text(l.unit_name.clone()) },
    Column { zh: "社区", en: "Community", cell: |l, _| text(l.community_name.clone()) },
    Column { zh: "类别", en: "Category", cell: |l, lang| text(labels::category(l.category, lang)) },
    Column { zh: "等级", en: "Level", cell: |l, lang| text(labels::level(l.level, lang)) },
    Column { zh: "发现日期", en: "Found on", cell: |l, _| Cell::Date(l.found_on) },
    Column { zh: "整改期限", en: "Deadline", cell: |l, _| l.deadline.map(Cell::Date).unwrap_or(Cell::Empty) },
    Column { zh: "逾期天数", en: "Days overdue", cell: |l, _| opt_int(l.days_overdue) },
    Column { zh: "状态", en: "Status", cell: |l, lang| text(labels::status(l.status, lang)) },
];

/// A major hazard's line: the hazard's columns, its plan's completeness and its
/// supervision's level and state.
static MAJOR_COLUMNS: [Column<HazardLine>; 11] = [
    HAZARD_COLUMNS[0],
    HAZARD_COLUMNS[1],
    HAZARD_COLUMNS[2],
    HAZARD_COLUMNS[3],
    HAZARD_COLUMNS[4],
    HAZARD_COLUMNS[5],
    HAZARD_COLUMNS[6],
    HAZARD_COLUMNS[7],
    Column { zh: "治理方案", en: "Plan", cell: |l, lang| text(labels::plan(l.plan_state, lang)) },
    Column {
        zh: "督办级别",
        en: "Supervised by",
        cell: |l, lang| l.supervision_level.map(|s| text(labels::supervision_level(s, lang))).unwrap_or(Cell::Empty),
    },
    Column {
        zh: "督办状态",
        en: "Supervision",
        cell: |l, lang| l.supervision_state.map(|s| text(labels::supervision_state(s, lang))).unwrap_or(Cell::Empty),
    },
];

/// The hazards found in the period that recur an earlier one, in their state as of the
/// report's moment.
static RECURRENT: LineTable<HazardLine> = LineTable {
    columns: &RECURRENT_COLUMNS,
    query: |conn, f, state, each| lines::hazards(conn, f, state, HazardList::Recurrent, each),
};

static RECURRENT_COLUMNS: [Column<HazardLine>; 9] = [
    HAZARD_COLUMNS[0],
    HAZARD_COLUMNS[1],
    HAZARD_COLUMNS[2],
    HAZARD_COLUMNS[3],
    HAZARD_COLUMNS[4],
    HAZARD_COLUMNS[5],
    HAZARD_COLUMNS[7],
    Column {
        zh: "前次发现日期",
        en: "Earlier found on",
        cell: |l, _| l.recurrence_found_on.map(Cell::Date).unwrap_or(Cell::Empty),
    },
    Column {
        zh: "前次隐患编号",
        en: "Earlier hazard",
        cell: |l, _| l.recurrence_of.map(|id| text(id.to_string())).unwrap_or(Cell::Empty),
    },
];

/// The period's joint enforcement outcomes, one line per unit per action. Enforcement
/// has no as-of state: an action recorded by the moment counts as it is.
static ENFORCEMENT: LineTable<EnforcementLine> =
    LineTable { columns: &ENFORCEMENT_COLUMNS, query: |conn, f, _, each| lines::enforcement(conn, f, each) };

static ENFORCEMENT_COLUMNS: [Column<EnforcementLine>; 10] = [
    Column { zh: "日期", en: "Held on", cell: |l, _| Cell::Date(l.held_on) },
    Column {
        zh: "牵头部门",
        en: "Lead department",
        cell: |l, lang| text(labels::department(&l.lead_department, lang)),
    },
    Column {
        zh: "参与部门",
        en: "Departments",
        cell: |l, lang| {
            let departments: Vec<&str> = l.departments.iter().map(|d| labels::department(d, lang)).collect();
            text(departments.join(lang.list_separator()))
        },
    },
    Column { zh: "单位", en: "Unit", cell: |l, _| text(l.unit_name.clone()) },
    Column { zh: "社区", en: "Community", cell: |l, _| text(l.community_name.clone()) },
    Column { zh: "违法行为数", en: "Violations", cell: |l, _| Cell::Int(l.violations_found) },
    Column {
        zh: "违法行为", en: "Violation", cell: |l, _| text(l.violation_description.clone().unwrap_or_default())
    },
    Column { zh: "处理措施", en: "Measure", cell: |l, lang| text(labels::measure(&l.measure, lang)) },
    Column {
        zh: "移交部门",
        en: "Transferred to",
        cell: |l, lang| text(l.transferred_to.as_deref().map(|d| labels::department(d, lang)).unwrap_or_default()),
    },
    Column { zh: "行动概况", en: "Summary", cell: |l, _| text(l.summary.clone()) },
];

/// The period's leader-led inspections with the hazards each found and closed.
static LEADER_LED: LineTable<LeaderLedLine> =
    LineTable { columns: &LEADER_LED_COLUMNS, query: |conn, f, state, each| lines::leader_led(conn, f, state, each) };

static LEADER_LED_COLUMNS: [Column<LeaderLedLine>; 6] = [
    Column { zh: "日期", en: "Inspected on", cell: |l, _| Cell::Date(l.inspected_on) },
    Column { zh: "单位", en: "Unit", cell: |l, _| text(l.unit_name.clone()) },
    Column { zh: "社区", en: "Community", cell: |l, _| text(l.community_name.clone()) },
    Column { zh: "检查人员", en: "Inspectors", cell: |l, lang| text(l.inspectors.join(lang.list_separator())) },
    Column { zh: "发现隐患", en: "Hazards found", cell: |l, _| Cell::Int(l.hazards_found) },
    Column { zh: "已整改", en: "Closed", cell: |l, _| Cell::Int(l.hazards_closed) },
];

/// A small table held whole: its headers and rows.
pub struct Sheet {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

fn counter_headers(lang: Lang, with_inspections: bool) -> Vec<&'static str> {
    let mut h = Vec::new();
    if with_inspections {
        h.push(lang.pick("检查单位数", "Units inspected"));
        h.push(lang.pick("检查次数", "Inspections"));
    }
    h.extend([
        lang.pick("有隐患单位数", "Units with hazards"),
        lang.pick("发现隐患", "Hazards found"),
        lang.pick("已整改", "Closed"),
        lang.pick("已作废", "Voided"),
        lang.pick("待整改", "Open"),
        lang.pick("待复查", "Pending verification"),
        lang.pick("逾期", "Overdue"),
        lang.pick("重大隐患未整改", "Major open"),
        lang.pick("整改率", "Closure rate"),
    ]);
    h
}

fn counter_cells(c: &Counters, with_inspections: bool) -> Vec<Cell> {
    let mut cells = Vec::new();
    if with_inspections {
        cells.push(opt_int(c.units_inspected));
        cells.push(opt_int(c.inspections));
    }
    cells.extend([
        Cell::Int(c.units_with_hazards),
        Cell::Int(c.hazards_found),
        Cell::Int(c.hazards_closed),
        Cell::Int(c.hazards_voided),
        Cell::Int(c.hazards_open),
        Cell::Int(c.hazards_pending_verification),
        Cell::Int(c.hazards_overdue),
        Cell::Int(c.major_open),
        Cell::Rate(c.rate()),
    ]);
    cells
}

fn grouped(first: &'static str, rows: &[Row], lang: Lang, with_inspections: bool) -> Sheet {
    let mut headers = vec![first];
    headers.extend(counter_headers(lang, with_inspections));
    let rows = rows
        .iter()
        .map(|r| {
            let mut cells = vec![text(r.label.clone())];
            cells.extend(counter_cells(&r.counters, with_inspections));
            cells
        })
        .collect();
    Sheet { headers, rows }
}

fn by_community(m: &MonthlyHead, lang: Lang) -> Sheet {
    grouped(lang.pick("社区", "Community"), &m.by_community, lang, true)
}

fn by_category(m: &MonthlyHead, lang: Lang) -> Sheet {
    grouped(lang.pick("类别", "Category"), &m.by_category, lang, false)
}

fn summary(m: &MonthlyHead, lang: Lang) -> Sheet {
    let (a, b) = (&m.totals, &m.leader_led_totals);
    let pair = |label: &'static str, x: Option<i64>, y: Option<i64>| vec![text(label), opt_int(x), opt_int(y)];
    let mut rows = vec![
        pair(lang.pick("检查单位数", "Units inspected"), a.units_inspected, b.units_inspected),
        pair(lang.pick("检查次数", "Inspections"), a.inspections, b.inspections),
        pair(lang.pick("有隐患单位数", "Units with hazards"), Some(a.units_with_hazards), Some(b.units_with_hazards)),
        pair(lang.pick("发现隐患", "Hazards found"), Some(a.hazards_found), Some(b.hazards_found)),
        pair(lang.pick("已整改", "Closed"), Some(a.hazards_closed), Some(b.hazards_closed)),
        pair(lang.pick("已作废", "Voided"), Some(a.hazards_voided), Some(b.hazards_voided)),
        pair(lang.pick("待整改", "Open"), Some(a.hazards_open), Some(b.hazards_open)),
        pair(
            lang.pick("待复查", "Pending verification"),
            Some(a.hazards_pending_verification),
            Some(b.hazards_pending_verification),
        ),
        pair(lang.pick("逾期", "Overdue"), Some(a.hazards_overdue), Some(b.hazards_overdue)),
        pair(lang.pick("重大隐患未整改", "Major open"), Some(a.major_open), Some(b.major_open)),
        vec![text(lang.pick("整改率", "Closure rate")), Cell::Rate(a.rate()), Cell::Rate(b.rate())],
    ];
    let e = &m.enforcement_totals;
    for (label, n) in [
        (lang.pick("联合执法行动", "Joint enforcement actions"), e.actions),
        (lang.pick("涉及单位", "Units involved"), e.units_involved),
        (lang.pick("发现违法行为", "Violations found"), e.violations),
        (lang.pick("警告", "Warnings"), e.warnings),
        (lang.pick("移交立案", "Cases transferred"), e.cases_transferred),
        (lang.pick("责令停产整顿", "Suspensions ordered"), e.suspensions),
        (lang.pick("取缔关闭", "Closures"), e.closures),
    ] {
        rows.push(vec![text(label), Cell::Int(n), Cell::Empty]);
    }
    Sheet {
        headers: vec![lang.pick("项目", "Item"), lang.pick("合计", "Total"), lang.pick("其中党政带队", "Leader-led")],
        rows,
    }
}
