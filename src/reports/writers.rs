//! The monthly report as tables, written once and rendered as CSV (UTF-8 with BOM, CRLF,
//! so Excel shows Chinese) or as an Excel workbook (one sheet per table).

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::model::{Counters, Monthly, Row, Table};
use crate::domain::labels;

/// One cell of a table.
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Int(i64),
    Date(NaiveDate),
    /// A rate between 0 and 1, shown as a percentage.
    Rate(Option<f64>),
    Empty,
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Rate(Some(r)) => format!("{:.2}%", r * 100.0),
            Cell::Rate(None) | Cell::Empty => String::new(),
        }
    }

    /// Display width in Excel's units, counting a CJK character as two.
    fn width(&self) -> usize {
        match self {
            Cell::Date(_) => 11,
            Cell::Rate(_) => 9,
            other => other.text().chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum(),
        }
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn opt_int(n: Option<i64>) -> Cell {
    n.map(Cell::Int).unwrap_or(Cell::Empty)
}

/// A table: its sheet name, headers and rows.
pub struct Sheet {
    pub name: &'static str,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

fn t(en: bool, zh: &'static str, english: &'static str) -> &'static str {
    if en {
        english
    } else {
        zh
    }
}

const ALL_TABLES: [Table; 7] = [
    Table::Summary,
    Table::ByCommunity,
    Table::ByCategory,
    Table::Overdue,
    Table::Major,
    Table::Enforcement,
    Table::LeaderLed,
];

fn counter_headers(en: bool, with_inspections: bool) -> Vec<&'static str> {
    let mut h = Vec::new();
    if with_inspections {
        h.push(t(en, "检查单位数", "Units inspected"));
        h.push(t(en, "检查次数", "Inspections"));
    }
    h.extend([
        t(en, "有隐患单位数", "Units with hazards"),
        t(en, "发现隐患", "Hazards found"),
        t(en, "已整改", "Closed"),
        t(en, "已作废", "Voided"),
        t(en, "待整改", "Open"),
        t(en, "待复查", "Pending verification"),
        t(en, "逾期", "Overdue"),
        t(en, "重大隐患未整改", "Major open"),
        t(en, "整改率", "Closure rate"),
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

fn grouped(name: &'static str, first: &'static str, rows: &[Row], en: bool, with_inspections: bool) -> Sheet {
    let mut headers = vec![first];
    headers.extend(counter_headers(en, with_inspections));
    let rows = rows
        .iter()
        .map(|r| {
            let mut cells = vec![text(r.label.clone())];
            cells.extend(counter_cells(&r.counters, with_inspections));
            cells
        })
        .collect();
    Sheet { name, headers, rows }
}

fn summary(m: &Monthly, en: bool) -> Sheet {
    let (a, b) = (&m.totals, &m.leader_led_totals);
    let pair = |label: &'static str, x: Option<i64>, y: Option<i64>| vec![text(label), opt_int(x), opt_int(y)];
    let mut rows = vec![
        pair(t(en, "检查单位数", "Units inspected"), a.units_inspected, b.units_inspected),
        pair(t(en, "检查次数", "Inspections"), a.inspections, b.inspections),
        pair(t(en, "有隐患单位数", "Units with hazards"), Some(a.units_with_hazards), Some(b.units_with_hazards)),
        pair(t(en, "发现隐患", "Hazards found"), Some(a.hazards_found), Some(b.hazards_found)),
        pair(t(en, "已整改", "Closed"), Some(a.hazards_closed), Some(b.hazards_closed)),
        pair(t(en, "已作废", "Voided"), Some(a.hazards_voided), Some(b.hazards_voided)),
        pair(t(en, "待整改", "Open"), Some(a.hazards_open), Some(b.hazards_open)),
        pair(
            t(en, "待复查", "Pending verification"),
            Some(a.hazards_pending_verification),
            Some(b.hazards_pending_verification),
        ),
        pair(t(en, "逾期", "Overdue"), Some(a.hazards_overdue), Some(b.hazards_overdue)),
        pair(t(en, "重大隐患未整改", "Major open"), Some(a.major_open), Some(b.major_open)),
        vec![text(t(en, "整改率", "Closure rate")), Cell::Rate(a.rate()), Cell::Rate(b.rate())],
    ];
    let e = &m.enforcement_totals;
    for (label, n) in [
        (t(en, "联合执法行动", "Joint enforcement actions"), e.actions),
        (t(en, "涉及单位", "Units involved"), e.units_involved),
        (t(en, "发现违法行为", "Violations found"), e.violations),
        (t(en, "警告", "Warnings"), e.warnings),
        (t(en, "移交立案", "Cases transferred"), e.cases_transferred),
        (t(en, "责令停产整顿", "Suspensions ordered"), e.suspensions),
        (t(en, "取缔关闭", "Closures"), e.closures),
    ] {
        rows.push(vec![text(label), Cell::Int(n), Cell::Empty]);
    }
    Sheet {
        name: t(en, "汇总", "Summary"),
        headers: vec![t(en, "项目", "Item"), t(en, "合计", "Total"), t(en, "其中党政带队", "Leader-led")],
        rows,
    }
}

fn hazard_sheet(name: &'static str, lines: &[super::model::HazardLine], en: bool) -> Sheet {
    let headers = vec![
        t(en, "单位", "Unit"),
        t(en, "社区", "Community"),
        t(en, "类别", "Category"),
        t(en, "等级", "Level"),
        t(en, "发现日期", "Found on"),
        t(en, "整改期限", "Deadline"),
        t(en, "逾期天数", "Days overdue"),
        t(en, "状态", "Status"),
    ];
    let rows = lines
        .iter()
        .map(|l| {
            vec![
                text(l.unit_name.clone()),
                text(l.community_name.clone()),
                text(labels::category(l.category, en)),
                text(labels::level(l.level, en)),
                Cell::Date(l.found_on),
                l.deadline.map(Cell::Date).unwrap_or(Cell::Empty),
                opt_int(l.days_overdue),
                text(labels::status(l.status, en)),
            ]
        })
        .collect();
    Sheet { name, headers, rows }
}

fn enforcement(m: &Monthly, en: bool) -> Sheet {
    let headers = vec![
        t(en, "日期", "Held on"),
        t(en, "牵头部门", "Lead department"),
        t(en, "参与部门", "Departments"),
        t(en, "单位", "Unit"),
        t(en, "社区", "Community"),
        t(en, "违法行为数", "Violations"),
        t(en, "违法行为", "Violation"),
        t(en, "处理措施", "Measure"),
        t(en, "移交部门", "Transferred to"),
        t(en, "行动概况", "Summary"),
    ];
    let rows = m
        .enforcement
        .iter()
        .map(|l| {
            let departments: Vec<&str> = l.departments.iter().map(|d| labels::department(d, en)).collect();
            vec![
                Cell::Date(l.held_on),
                text(labels::department(&l.lead_department, en)),
                text(departments.join(if en { ", " } else { "、" })),
                text(l.unit_name.clone()),
                text(l.community_name.clone()),
                Cell::Int(l.violations_found),
                text(l.violation_description.clone().unwrap_or_default()),
                text(labels::measure(&l.measure, en)),
                text(l.transferred_to.as_deref().map(|d| labels::department(d, en)).unwrap_or_default()),
                text(l.summary.clone()),
            ]
        })
        .collect();
    Sheet { name: t(en, "联合执法", "Joint enforcement"), headers, rows }
}

fn leader_led(m: &Monthly, en: bool) -> Sheet {
    let headers = vec![
        t(en, "日期", "Inspected on"),
        t(en, "单位", "Unit"),
        t(en, "社区", "Community"),
        t(en, "检查人员", "Inspectors"),
        t(en, "发现隐患", "Hazards found"),
        t(en, "已整改", "Closed"),
    ];
    let rows = m
        .leader_led
        .iter()
        .map(|l| {
            vec![
                Cell::Date(l.inspected_on),
                text(l.unit_name.clone()),
                text(l.community_name.clone()),
                text(l.inspectors.join(if en { ", " } else { "、" })),
                Cell::Int(l.hazards_found),
                Cell::Int(l.hazards_closed),
            ]
        })
        .collect();
    Sheet { name: t(en, "党政带队", "Leader-led"), headers, rows }
}

/// One table of the monthly report.
pub fn sheet(m: &Monthly, table: Table, en: bool) -> Sheet {
    match table {
        Table::Summary => summary(m, en),
        Table::ByCommunity => {
            grouped(t(en, "按社区", "By community"), t(en, "社区", "Community"), &m.by_community, en, true)
        }
        Table::ByCategory => {
            grouped(t(en, "按类别", "By category"), t(en, "类别", "Category"), &m.by_category, en, false)
        }
        Table::Overdue => hazard_sheet(t(en, "逾期隐患", "Overdue hazards"), &m.overdue, en),
        Table::Major => hazard_sheet(t(en, "重大隐患", "Major hazards"), &m.major, en),
        Table::Enforcement => enforcement(m, en),
        Table::LeaderLed => leader_led(m, en),
    }
}

/// A table as CSV: UTF-8 with a byte-order mark and CRLF line ends.
pub fn csv(sheet: &Sheet) -> Result<Vec<u8>, csv::Error> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        w.write_record(&sheet.headers)?;
        for row in &sheet.rows {
            w.write_record(row.iter().map(Cell::text))?;
        }
        w.flush()?;
    }
    Ok(out)
}

/// The whole report as a workbook: one sheet per table, bold frozen header row, widths
/// that fit, dates as dates and rates as percentages. Sheets are written in constant
/// memory mode: rows go to a temporary file, not into memory.
pub fn xlsx(m: &Monthly, en: bool) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let percent = Format::new().set_num_format("0.00%");
    for table in ALL_TABLES {
        let s = sheet(m, table, en);
        let ws = workbook.add_worksheet_with_constant_memory()?;
        ws.set_name(s.name)?;
        let mut widths: Vec<usize> = s.headers.iter().map(|h| Cell::Text(h.to_string()).width()).collect();
        for (col, h) in s.headers.iter().enumerate() {
            ws.write_string_with_format(0, col as u16, *h, &bold)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let r = (r + 1) as u32;
            for (col, cell) in row.iter().enumerate() {
                let c = col as u16;
                match cell {
                    Cell::Text(v) => {
                        ws.write_string(r, c, v)?;
                    }
                    Cell::Int(n) => {
                        ws.write_number(r, c, *n as f64)?;
                    }
                    Cell::Date(d) => {
                        ws.write_date_with_format(r, c, d, &date)?;
                    }
                    Cell::Rate(Some(v)) => {
                        ws.write_number_with_format(r, c, *v, &percent)?;
                    }
                    Cell::Rate(None) | Cell::Empty => {}
                }
                if let Some(w) = widths.get_mut(col) {
                    *w = (*w).max(cell.width());
                }
            }
        }
        for (col, w) in widths.iter().enumerate() {
            ws.set_column_width(col as u16, (*w as f64 + 2.0).min(60.0))?;
        }
        ws.set_freeze_panes(1, 0)?;
    }
    workbook.save_to_buffer()
}
