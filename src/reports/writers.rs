//! The monthly report as tables, written once and rendered as CSV (UTF-8 with BOM, CRLF,
//! so Excel shows Chinese) or as an Excel workbook (one sheet per table). Rows go to a
//! [`TableSink`] one at a time, so a table of any length is written in constant memory.

use std::io::{Seek, Write};
use std::path::Path;

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::model::{Counters, EnforcementLine, HazardLine, LeaderLedLine, MonthlyHead, Row, Table};
use crate::domain::labels::{self, Lang};
use crate::error::{ApiError, ApiResult};

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
    }
}

/// A table of figures, from the report's head; `None` for a line table.
pub fn figures(m: &MonthlyHead, table: Table, lang: Lang) -> Option<Sheet> {
    match table {
        Table::Summary => Some(summary(m, lang)),
        Table::ByCommunity => Some(grouped(lang.pick("社区", "Community"), &m.by_community, lang, true)),
        Table::ByCategory => Some(grouped(lang.pick("类别", "Category"), &m.by_category, lang, false)),
        Table::Overdue | Table::Major | Table::Enforcement | Table::LeaderLed => None,
    }
}

/// The headers of a line table (overdue, major, enforcement, leader-led).
pub fn line_headers(table: Table, lang: Lang) -> Vec<&'static str> {
    match table {
        Table::Enforcement => vec![
            lang.pick("日期", "Held on"),
            lang.pick("牵头部门", "Lead department"),
            lang.pick("参与部门", "Departments"),
            lang.pick("单位", "Unit"),
            lang.pick("社区", "Community"),
            lang.pick("违法行为数", "Violations"),
            lang.pick("违法行为", "Violation"),
            lang.pick("处理措施", "Measure"),
            lang.pick("移交部门", "Transferred to"),
            lang.pick("行动概况", "Summary"),
        ],
        Table::LeaderLed => vec![
            lang.pick("日期", "Inspected on"),
            lang.pick("单位", "Unit"),
            lang.pick("社区", "Community"),
            lang.pick("检查人员", "Inspectors"),
            lang.pick("发现隐患", "Hazards found"),
            lang.pick("已整改", "Closed"),
        ],
        _ => vec![
            lang.pick("单位", "Unit"),
            lang.pick("社区", "Community"),
            lang.pick("类别", "Category"),
            lang.pick("等级", "Level"),
            lang.pick("发现日期", "Found on"),
            lang.pick("整改期限", "Deadline"),
            lang.pick("逾期天数", "Days overdue"),
            lang.pick("状态", "Status"),
        ],
    }
}

pub fn hazard_cells(l: &HazardLine, lang: Lang) -> Vec<Cell> {
    vec![
        text(l.unit_name.clone()),
        text(l.community_name.clone()),
        text(labels::category(l.category, lang)),
        text(labels::level(l.level, lang)),
        Cell::Date(l.found_on),
        l.deadline.map(Cell::Date).unwrap_or(Cell::Empty),
        opt_int(l.days_overdue),
        text(labels::status(l.status, lang)),
    ]
}

pub fn enforcement_cells(l: &EnforcementLine, lang: Lang) -> Vec<Cell> {
    let departments: Vec<&str> = l.departments.iter().map(|d| labels::department(d, lang)).collect();
    vec![
        Cell::Date(l.held_on),
        text(labels::department(&l.lead_department, lang)),
        text(departments.join(lang.list_separator())),
        text(l.unit_name.clone()),
        text(l.community_name.clone()),
        Cell::Int(l.violations_found),
        text(l.violation_description.clone().unwrap_or_default()),
        text(labels::measure(&l.measure, lang)),
        text(l.transferred_to.as_deref().map(|d| labels::department(d, lang)).unwrap_or_default()),
        text(l.summary.clone()),
    ]
}

pub fn leader_led_cells(l: &LeaderLedLine, lang: Lang) -> Vec<Cell> {
    vec![
        Cell::Date(l.inspected_on),
        text(l.unit_name.clone()),
        text(l.community_name.clone()),
        text(l.inspectors.join(lang.list_separator())),
        Cell::Int(l.hazards_found),
        Cell::Int(l.hazards_closed),
    ]
}

/// Where a table's rows go, one at a time.
pub trait TableSink {
    fn start(&mut self, name: &str, headers: &[&str]) -> ApiResult<()>;
    fn row(&mut self, cells: &[Cell]) -> ApiResult<()>;
    fn end(&mut self) -> ApiResult<()>;
}

fn csv_error(e: csv::Error) -> ApiError {
    ApiError::internal("cannot write the CSV", e)
}

fn xlsx_error(e: XlsxError) -> ApiError {
    ApiError::internal("cannot write the workbook", e)
}

/// One table as CSV: UTF-8 with a byte-order mark and CRLF line ends.
pub struct CsvSink<W: Write> {
    out: csv::Writer<W>,
}

impl<W: Write> CsvSink<W> {
    pub fn new(mut out: W) -> ApiResult<Self> {
        out.write_all(&[0xEF, 0xBB, 0xBF]).map_err(|e| ApiError::internal("cannot write the CSV", e))?;
        Ok(CsvSink { out: csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out) })
    }

    /// The writer, with everything written flushed to it.
    pub fn finish(self) -> ApiResult<W> {
        self.out.into_inner().map_err(|e| ApiError::internal("cannot write the CSV", e.into_error()))
    }
}

impl<W: Write> TableSink for CsvSink<W> {
    fn start(&mut self, _name: &str, headers: &[&str]) -> ApiResult<()> {
        self.out.write_record(headers).map_err(csv_error)
    }

    fn row(&mut self, cells: &[Cell]) -> ApiResult<()> {
        self.out.write_record(cells.iter().map(Cell::text)).map_err(csv_error)
    }

    fn end(&mut self) -> ApiResult<()> {
        Ok(())
    }
}

/// The whole report as a workbook: one sheet per table, bold frozen header row, widths
/// that fit, dates as dates and rates as percentages. Sheets are written in constant
/// memory mode: rows go to a temporary file in `tmp_dir`, not into memory.
pub struct XlsxSink {
    workbook: Workbook,
    sheet: Option<usize>,
    next_row: u32,
    widths: Vec<usize>,
    bold: Format,
    date: Format,
    percent: Format,
}

impl XlsxSink {
    pub fn new(tmp_dir: &Path) -> ApiResult<Self> {
        let mut workbook = Workbook::new();
        workbook.set_tempdir(tmp_dir).map_err(xlsx_error)?;
        Ok(XlsxSink {
            workbook,
            sheet: None,
            next_row: 0,
            widths: Vec::new(),
            bold: Format::new().set_bold(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            percent: Format::new().set_num_format("0.00%"),
        })
    }

    /// The sheet being written, borrowing only the workbook (so the formats and widths
    /// stay usable beside it).
    fn worksheet(workbook: &mut Workbook, sheet: Option<usize>) -> ApiResult<&mut rust_xlsxwriter::Worksheet> {
        let index = sheet.ok_or_else(|| ApiError::Internal("no sheet started".into()))?;
        workbook.worksheet_from_index(index).map_err(xlsx_error)
    }

    /// Writes the finished workbook to `out`.
    pub fn finish<W: Write + Seek + Send>(mut self, out: W) -> ApiResult<()> {
        self.workbook.save_to_writer(out).map_err(xlsx_error)
    }
}

impl TableSink for XlsxSink {
    fn start(&mut self, name: &str, headers: &[&str]) -> ApiResult<()> {
        let ws = self.workbook.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
        ws.set_name(name).map_err(xlsx_error)?;
        for (col, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, col as u16, *h, &self.bold).map_err(xlsx_error)?;
        }
        self.sheet = Some(self.workbook.worksheets().len() - 1);
        self.next_row = 1;
        self.widths = headers.iter().map(|h| Cell::Text(h.to_string()).width()).collect();
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> ApiResult<()> {
        let r = self.next_row;
        let ws = Self::worksheet(&mut self.workbook, self.sheet)?;
        for (col, cell) in cells.iter().enumerate() {
            let c = col as u16;
            match cell {
                Cell::Text(v) => ws.write_string(r, c, v).map(|_| ()),
                Cell::Int(n) => ws.write_number(r, c, *n as f64).map(|_| ()),
                Cell::Date(d) => ws.write_date_with_format(r, c, d, &self.date).map(|_| ()),
                Cell::Rate(Some(v)) => ws.write_number_with_format(r, c, *v, &self.percent).map(|_| ()),
                Cell::Rate(None) | Cell::Empty => Ok(()),
            }
            .map_err(xlsx_error)?;
            if let Some(w) = self.widths.get_mut(col) {
                *w = (*w).max(cell.width());
            }
        }
        self.next_row += 1;
        Ok(())
    }

    fn end(&mut self) -> ApiResult<()> {
        let ws = Self::worksheet(&mut self.workbook, self.sheet)?;
        for (col, w) in self.widths.iter().enumerate() {
            ws.set_column_width(col as u16, (*w as f64 + 2.0).min(60.0)).map_err(xlsx_error)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        Ok(())
    }
}
