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
        Table::ByUnitKind => writer.figures(table, by_unit_kind),
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
        Table::ByUnitKind => lang.pick("按行业", "By unit kind"),
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

const HAZARD_COLUMNS: [Column<HazardLine>; 13] = [
    Column { zh: "单位", en: "Unit", cell: |l, _| text(l.unit_name.clone()) },
    Column { zh: "社区", en: "Community", cell: |l, _| text(l.community_name.clone()) },
    Column { zh: "地址", en: "Address", cell: |l, _| text(l.unit_address.clone()) },
    Column { zh: "类别", en: "Category", cell: |l, lang| text(labels::category(l.category, lang)) },
    Column { zh: "等级", en: "Level", cell: |l, lang| text(labels::level(l.level, lang)) },
    Column { zh: "隐患描述", en: "Description", cell: |l, _| text(l.description.clone()) },
    Column { zh: "发现日期", en: "Found on", cell: |l, _| Cell::Date(l.found_on) },
    Column { zh: "整改期限", en: "Deadline", cell: |l, _| l.deadline.map(Cell::Date).unwrap_or(Cell::Empty) },
    Column { zh: "逾期天数（天）", en: "Days overdue", cell: |l, _| opt_int(l.days_overdue) },
    Column { zh: "状态", en: "Status", cell: |l, lang| text(labels::status(l.status, lang)) },
    Column { zh: "整改措施", en: "Measures", cell: |l, _| text(l.measures.clone().unwrap_or_default()) },
    Column { zh: "责任人", en: "Responsible", cell: |l, _| text(l.responsible_person.clone().unwrap_or_default()) },
    Column { zh: "联系电话", en: "Telephone", cell: |l, _| text(l.contact_phone.clone().unwrap_or_default()) },
];

/// A major hazard's line: the hazard's columns, its plan's completeness and its
/// supervision's level and state.
static MAJOR_COLUMNS: [Column<HazardLine>; 16] = [
    HAZARD_COLUMNS[0],
    HAZARD_COLUMNS[1],
    HAZARD_COLUMNS[2],
    HAZARD_COLUMNS[3],
    HAZARD_COLUMNS[4],
    HAZARD_COLUMNS[5],
    HAZARD_COLUMNS[6],
    HAZARD_COLUMNS[7],
    HAZARD_COLUMNS[8],
    HAZARD_COLUMNS[9],
    HAZARD_COLUMNS[10],
    HAZARD_COLUMNS[11],
    HAZARD_COLUMNS[12],
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

static RECURRENT_COLUMNS: [Column<HazardLine>; 10] = [
    HAZARD_COLUMNS[0],
    HAZARD_COLUMNS[1],
    HAZARD_COLUMNS[2],
    HAZARD_COLUMNS[3],
    HAZARD_COLUMNS[4],
    HAZARD_COLUMNS[5],
    HAZARD_COLUMNS[6],
    HAZARD_COLUMNS[9],
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

/// A small table held whole: its headers (with labels over runs of them), its rows and
/// its 合计 row.
pub struct Sheet {
    pub headers: Vec<&'static str>,
    /// `(label, first column, columns)`: 本月 and 本年累计 over their figures.
    pub groups: Vec<(&'static str, usize, usize)>,
    pub rows: Vec<Vec<Cell>>,
    pub total: Option<Vec<Cell>>,
}

/// Who sends the workbook, for its title and 填报 lines.
#[derive(Debug, Clone, Default)]
pub struct Paper {
    pub office_name: String,
    pub office_phone: String,
    /// 填报人: the caller's display name.
    pub prepared_by: String,
    /// 填报日期: the office's date when the report is built.
    pub prepared_on: chrono::NaiveDate,
}

/// The lines above every sheet of the workbook: the title, then 填报单位, 填报人, 审核人
/// (left blank to be signed), 填报日期 and 联系电话.
pub fn masthead_lines(paper: &Paper, month: &str, lang: Lang) -> Vec<String> {
    use chrono::Datelike;
    let (y, m) = month.split_once('-').unwrap_or((month, ""));
    let m = m.trim_start_matches('0');
    let d = paper.prepared_on;
    match lang {
        Lang::Zh => vec![
            format!("{}安全隐患排查治理月报表（{y}年{m}月）", paper.office_name),
            format!(
                "填报单位：{}　　填报人：{}　　审核人：　　　　　　填报日期：{}年{}月{}日　　联系电话：{}",
                paper.office_name,
                paper.prepared_by,
                d.year(),
                d.month(),
                d.day(),
                paper.office_phone
            ),
        ],
        Lang::En => vec![
            format!("{} monthly report on safety hazards ({month})", paper.office_name).trim().to_string(),
            format!(
                "Reporting office: {}    Prepared by: {}    Reviewed by:            Date: {d}    Telephone: {}",
                paper.office_name, paper.prepared_by, paper.office_phone
            ),
        ],
    }
}

/// The amount of a counters' `rectification_cost` (yuan, two decimals) in cents.
fn cost_cents(c: &Counters) -> i64 {
    let text = c.rectification_cost.get();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    let frac: String = frac.chars().chain("00".chars()).take(2).collect();
    let cents = whole.parse::<i64>().unwrap_or(0) * 100 + frac.parse::<i64>().unwrap_or(0);
    if negative {
        -cents
    } else {
        cents
    }
}

/// Which figures a block of columns shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Block {
    /// Everything, with the inspections when the grouping has them.
    Full { with_inspections: bool },
    /// What 本月 and 本年累计 compare side by side.
    Compared,
}

fn block_headers(block: Block, lang: Lang) -> Vec<&'static str> {
    let mut h = Vec::new();
    if matches!(block, Block::Full { with_inspections: true } | Block::Compared) {
        h.push(lang.pick("检查单位数（家）", "Units inspected"));
        h.push(lang.pick("检查次数（次）", "Inspections"));
    }
    h.push(lang.pick("有隐患单位数（家）", "Units with hazards"));
    let full = matches!(block, Block::Full { .. });
    if full {
        h.push(lang.pick("发现隐患（项）", "Hazards found"));
    }
    h.push(lang.pick("发现一般隐患（项）", "General found"));
    h.push(lang.pick("发现重大隐患（项）", "Major found"));
    if full {
        h.push(lang.pick("已整改（项）", "Closed"));
    }
    h.push(lang.pick("整改一般隐患（项）", "General closed"));
    h.push(lang.pick("整改重大隐患（项）", "Major closed"));
    if full {
        h.push(lang.pick("已作废（项）", "Voided"));
    }
    h.push(lang.pick("待整改（项）", "Open"));
    if full {
        h.push(lang.pick("待复查（项）", "Pending verification"));
    }
    h.push(lang.pick("逾期（项）", "Overdue"));
    if full {
        h.push(lang.pick("重大隐患未整改（项）", "Major open"));
    }
    h.push(lang.pick("整改率（%）", "Closure rate (%)"));
    h.push(lang.pick("整改资金（元）", "Rectification cost (yuan)"));
    h
}

fn block_cells(c: &Counters, block: Block) -> Vec<Cell> {
    let mut cells = Vec::new();
    if matches!(block, Block::Full { with_inspections: true } | Block::Compared) {
        cells.push(opt_int(c.units_inspected));
        cells.push(opt_int(c.inspections));
    }
    cells.push(Cell::Int(c.units_with_hazards));
    let full = matches!(block, Block::Full { .. });
    if full {
        cells.push(Cell::Int(c.hazards_found));
    }
    cells.push(Cell::Int(c.hazards_found_general));
    cells.push(Cell::Int(c.hazards_found_major));
    if full {
        cells.push(Cell::Int(c.hazards_closed));
    }
    cells.push(Cell::Int(c.hazards_closed_general));
    cells.push(Cell::Int(c.hazards_closed_major));
    if full {
        cells.push(Cell::Int(c.hazards_voided));
    }
    cells.push(Cell::Int(c.hazards_open));
    if full {
        cells.push(Cell::Int(c.hazards_pending_verification));
    }
    cells.push(Cell::Int(c.hazards_overdue));
    if full {
        cells.push(Cell::Int(c.major_open));
    }
    cells.push(Cell::Rate(c.rate()));
    cells.push(Cell::Cents(cost_cents(c)));
    cells
}

fn total_label(lang: Lang) -> Cell {
    text(lang.pick("合计", "Total"))
}

/// One block of figures per row, and the 合计 row from the report's totals.
fn grouped(first: &'static str, rows: &[Row], totals: &Counters, lang: Lang, with_inspections: bool) -> Sheet {
    let block = Block::Full { with_inspections };
    let mut headers = vec![first];
    headers.extend(block_headers(block, lang));
    let rows = rows
        .iter()
        .map(|r| {
            let mut cells = vec![text(r.label.clone())];
            cells.extend(block_cells(&r.counters, block));
            cells
        })
        .collect();
    let mut total = vec![total_label(lang)];
    total.extend(block_cells(totals, block));
    Sheet { headers, groups: Vec::new(), rows, total: Some(total) }
}

/// 本月 and 本年累计 side by side, a row per community either has, and the 合计 row.
fn by_community(m: &MonthlyHead, lang: Lang) -> Sheet {
    let block = Block::Compared;
    let each = block_headers(block, lang);
    let mut headers = vec![lang.pick("社区", "Community")];
    headers.extend(each.iter().copied());
    headers.extend(each.iter().copied());
    let groups = vec![
        (lang.pick("本月", "This month"), 1, each.len()),
        (lang.pick("本年累计", "Year to date"), 1 + each.len(), each.len()),
    ];
    let ytd = &m.year_to_date;
    let mut keys: Vec<(Option<String>, String)> =
        m.by_community.iter().map(|r| (r.key.clone(), r.label.clone())).collect();
    for r in &ytd.rows {
        if !keys.iter().any(|(k, _)| *k == r.key) {
            keys.push((r.key.clone(), r.label.clone()));
        }
    }
    let find = |rows: &[Row], key: &Option<String>| rows.iter().find(|r| r.key == *key).map(|r| r.counters.clone());
    let zero = || Counters::of(&crate::domain::tally::Tally::default(), 0, Some((0, 0)));
    let rows = keys
        .iter()
        .map(|(key, label)| {
            let mut cells = vec![text(label.clone())];
            cells.extend(block_cells(&find(&m.by_community, key).unwrap_or_else(zero), block));
            cells.extend(block_cells(&find(&ytd.rows, key).unwrap_or_else(zero), block));
            cells
        })
        .collect();
    let mut total = vec![total_label(lang)];
    total.extend(block_cells(&m.totals, block));
    total.extend(block_cells(&ytd.totals, block));
    Sheet { headers, groups, rows, total: Some(total) }
}

fn by_category(m: &MonthlyHead, lang: Lang) -> Sheet {
    grouped(lang.pick("类别", "Category"), &m.by_category, &m.totals, lang, false)
}

fn by_unit_kind(m: &MonthlyHead, lang: Lang) -> Sheet {
    grouped(lang.pick("行业", "Unit kind"), &m.by_unit_kind, &m.totals, lang, true)
}

/// Every figure of the month beside the year to date's, and the month's leader-led ones.
fn summary(m: &MonthlyHead, lang: Lang) -> Sheet {
    let (a, y, b) = (&m.totals, &m.year_to_date.totals, &m.leader_led_totals);
    let int = |n: i64| Cell::Int(n);
    let line = |label: &'static str, f: &dyn Fn(&Counters) -> Cell| vec![text(label), f(a), f(y), f(b)];
    let mut rows = vec![
        line(lang.pick("检查单位数（家）", "Units inspected"), &|c| opt_int(c.units_inspected)),
        line(lang.pick("检查次数（次）", "Inspections"), &|c| opt_int(c.inspections)),
        line(lang.pick("有隐患单位数（家）", "Units with hazards"), &|c| int(c.units_with_hazards)),
        line(lang.pick("发现隐患（项）", "Hazards found"), &|c| int(c.hazards_found)),
        line(lang.pick("其中：一般隐患（项）", "of which general"), &|c| int(c.hazards_found_general)),
        line(lang.pick("　　　重大隐患（项）", "of which major"), &|c| int(c.hazards_found_major)),
        line(lang.pick("已整改（项）", "Closed"), &|c| int(c.hazards_closed)),
        line(lang.pick("其中：一般隐患（项）", "of which general"), &|c| int(c.hazards_closed_general)),
        line(lang.pick("　　　重大隐患（项）", "of which major"), &|c| int(c.hazards_closed_major)),
        line(lang.pick("已作废（项）", "Voided"), &|c| int(c.hazards_voided)),
        line(lang.pick("待整改（项）", "Open"), &|c| int(c.hazards_open)),
        line(lang.pick("待复查（项）", "Pending verification"), &|c| int(c.hazards_pending_verification)),
        line(lang.pick("逾期（项）", "Overdue"), &|c| int(c.hazards_overdue)),
        line(lang.pick("重大隐患未整改（项）", "Major open"), &|c| int(c.major_open)),
        line(lang.pick("整改率（%）", "Closure rate (%)"), &|c| Cell::Rate(c.rate())),
        line(lang.pick("整改资金（元）", "Rectification cost (yuan)"), &|c| Cell::Cents(cost_cents(c))),
    ];
    let e = &m.enforcement_totals;
    for (label, n) in [
        (lang.pick("联合执法行动（起）", "Joint enforcement actions"), e.actions),
        (lang.pick("涉及单位（家）", "Units involved"), e.units_involved),
        (lang.pick("发现违法行为（起）", "Violations found"), e.violations),
        (lang.pick("警告（起）", "Warnings"), e.warnings),
        (lang.pick("移交立案（起）", "Cases transferred"), e.cases_transferred),
        (lang.pick("责令停产整顿（家）", "Suspensions ordered"), e.suspensions),
        (lang.pick("取缔关闭（家）", "Closures"), e.closures),
    ] {
        rows.push(vec![text(label), Cell::Int(n), Cell::Empty, Cell::Empty]);
    }
    Sheet {
        headers: vec![
            lang.pick("项目", "Item"),
            lang.pick("本月", "This month"),
            lang.pick("本年累计", "Year to date"),
            lang.pick("其中党政带队（本月）", "Leader-led (this month)"),
        ],
        groups: Vec::new(),
        rows,
        total: None,
    }
}
