//! Where tables are rendered: as CSV (UTF-8 with BOM, CRLF, so Excel shows Chinese) or as
//! an Excel workbook (one sheet per table). Rows go to a [`TableSink`] one at a time, so a
//! table of any length is written in constant memory. User text never becomes a formula:
//! a CSV cell that Excel would read as one is neutralised ([`formula_safe`]), and a
//! workbook cell holding text is always a string.

use std::borrow::Cow;
use std::io::{Seek, Write};
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::error::{ApiError, ApiResult};

/// One cell of a table.
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Int(i64),
    Date(NaiveDate),
    /// A local date and time, to the minute.
    DateTime(NaiveDateTime),
    /// A rate between 0 and 1, shown as a percentage.
    Rate(Option<f64>),
    /// An amount of money in cents, shown in yuan with two decimals.
    Cents(i64),
    /// Any other number (a coordinate), written in full.
    Number(f64),
    Empty,
}

impl Cell {
    /// The cell as CSV text: user text neutralised, numbers as numbers.
    fn csv(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(t) => formula_safe(t),
            other => Cow::Owned(other.plain()),
        }
    }

    /// The cell as it reads, without neutralising.
    fn plain(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::DateTime(t) => t.format("%Y-%m-%d %H:%M").to_string(),
            Cell::Rate(Some(r)) => format!("{:.2}%", r * 100.0),
            Cell::Cents(c) => {
                format!("{}{}.{:02}", if *c < 0 { "-" } else { "" }, c.unsigned_abs() / 100, c.unsigned_abs() % 100)
            }
            Cell::Number(n) => n.to_string(),
            Cell::Rate(None) | Cell::Empty => String::new(),
        }
    }

    /// Display width in Excel's units, counting a CJK character as two.
    fn width(&self) -> usize {
        match self {
            Cell::Date(_) => 11,
            Cell::DateTime(_) => 17,
            Cell::Rate(_) => 9,
            other => other.plain().chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum(),
        }
    }
}

/// Text as a CSV cell Excel will not evaluate: a leading `=`, `+`, `-`, `@`, tab or
/// carriage return makes Excel read a formula (and run `=cmd|' /C calc'!A0`), so such a
/// cell gets a leading `'`, as OWASP advises. Importing drops it again.
pub fn formula_safe(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// Rows a worksheet holds below its header row.
pub const XLSX_MAX_ROWS: u32 = 1_048_575;

/// What heads a sheet of a report to send on paper: lines across the table above its
/// headers (a title, a 填报 line), labels over runs of headers (本月, 本年累计), and the
/// name of the numbering column (序号) a workbook puts first.
#[derive(Debug, Clone, Default)]
pub struct Masthead {
    pub lines: Vec<String>,
    /// `(label, first column, columns)`, columns counted in the table's headers.
    pub groups: Vec<(String, usize, usize)>,
    pub number_header: String,
}

impl Masthead {
    /// Each header under its group's label, for a sink with one header row (CSV).
    pub fn flat_headers(&self, headers: &[&str]) -> Vec<String> {
        headers
            .iter()
            .enumerate()
            .map(|(i, h)| match self.groups.iter().find(|(_, first, n)| i >= *first && i < first + n) {
                Some((label, _, _)) => format!("{label}{h}"),
                None => (*h).to_string(),
            })
            .collect()
    }
}

/// Where a table's rows go, one at a time.
pub trait TableSink {
    fn start(&mut self, name: &str, headers: &[&str]) -> ApiResult<()>;
    fn row(&mut self, cells: &[Cell]) -> ApiResult<()>;
    fn end(&mut self) -> ApiResult<()>;

    /// Starts a sheet of a report to print under `head`. A plain table (CSV) has no
    /// title lines: only its headers, each under its group's label.
    fn start_report(&mut self, name: &str, headers: &[&str], head: &Masthead) -> ApiResult<()> {
        let flat = head.flat_headers(headers);
        let refs: Vec<&str> = flat.iter().map(String::as_str).collect();
        self.start(name, &refs)
    }

    /// A 合计 row ending a report's table. A plain table (CSV) keeps its data rows only.
    fn total(&mut self, _cells: &[Cell]) -> ApiResult<()> {
        Ok(())
    }
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
        self.out.write_record(cells.iter().map(|c| c.csv().into_owned())).map_err(csv_error)
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
    /// Rows a sheet may hold below its header: more is a 422 asking to narrow the filters.
    max_rows: u32,
    widths: Vec<usize>,
    /// Rows above the first data row (frozen).
    head_rows: u32,
    /// A report's sheet: numbered rows (序号 first), borders, wrapped text.
    report: bool,
    numbered: u32,
    bold: Format,
    date: Format,
    date_time: Format,
    percent: Format,
    money: Format,
    framed: Framed,
}

/// The formats of a report's sheet: every cell framed.
struct Framed {
    title: Format,
    line: Format,
    header: Format,
    text: Format,
    total: Format,
    number: Format,
    date: Format,
    date_time: Format,
    percent: Format,
    money: Format,
}

impl Framed {
    fn new() -> Self {
        use rust_xlsxwriter::{FormatAlign, FormatBorder};
        let cell = || Format::new().set_border(FormatBorder::Thin).set_align(FormatAlign::VerticalCenter);
        Framed {
            title: Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center),
            line: Format::new().set_align(FormatAlign::Left).set_align(FormatAlign::VerticalCenter).set_text_wrap(),
            header: cell().set_bold().set_align(FormatAlign::Center).set_text_wrap().set_background_color("#E8EEF5"),
            text: cell().set_text_wrap(),
            total: cell().set_bold().set_align(FormatAlign::Center),
            number: cell().set_align(FormatAlign::Center),
            date: cell().set_num_format("yyyy-mm-dd").set_align(FormatAlign::Center),
            date_time: cell().set_num_format("yyyy-mm-dd hh:mm"),
            percent: cell().set_num_format("0.00%"),
            money: cell().set_num_format("0.00"),
        }
    }
}

/// Widest a column of a report's sheet grows, in Excel's units: longer text wraps.
const REPORT_MAX_WIDTH: usize = 34;
/// Widest a header makes its column in a report's sheet: a longer one wraps.
const REPORT_HEADER_WIDTH: usize = 10;

impl XlsxSink {
    pub fn new(tmp_dir: &Path) -> ApiResult<Self> {
        let mut workbook = Workbook::new();
        workbook.set_tempdir(tmp_dir).map_err(xlsx_error)?;
        Ok(XlsxSink {
            workbook,
            sheet: None,
            next_row: 0,
            max_rows: XLSX_MAX_ROWS,
            widths: Vec::new(),
            head_rows: 1,
            report: false,
            numbered: 0,
            bold: Format::new().set_bold(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            date_time: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            percent: Format::new().set_num_format("0.00%"),
            money: Format::new().set_num_format("0.00"),
            framed: Framed::new(),
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
        self.head_rows = 1;
        self.report = false;
        self.widths = headers.iter().map(|h| Cell::Text(h.to_string()).width()).collect();
        Ok(())
    }

    /// A sheet ready to print and send: the title and 填报 lines across the table, group
    /// labels over their headers, centred framed headers, 序号 first; A4 landscape, one
    /// page wide, the header rows repeated on every page.
    fn start_report(&mut self, name: &str, headers: &[&str], head: &Masthead) -> ApiResult<()> {
        let f = &self.framed;
        let ws = self.workbook.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
        ws.set_name(name).map_err(xlsx_error)?;
        let last = headers.len() as u16; // the 序号 column comes first
        let mut r: u32 = 0;
        for (i, line) in head.lines.iter().enumerate() {
            let format = if i == 0 { &f.title } else { &f.line };
            if last == 0 {
                ws.write_string_with_format(r, 0, line, format).map_err(xlsx_error)?;
            } else {
                ws.merge_range(r, 0, r, last, line, format).map_err(xlsx_error)?;
            }
            // The title in large type; the 填报 line wraps on a narrow sheet.
            ws.set_row_height(r, if i == 0 { 28 } else { 30 }).map_err(xlsx_error)?;
            r += 1;
        }
        let first_header = r;
        if !head.groups.is_empty() {
            // A row of group labels; the columns outside any group span both header rows.
            let grouped = |c: usize| head.groups.iter().any(|(_, first, n)| c >= *first && c < first + n);
            ws.merge_range(r, 0, r + 1, 0, &head.number_header, &f.header).map_err(xlsx_error)?;
            for (c, h) in headers.iter().enumerate() {
                let col = c as u16 + 1;
                if let Some((label, _, n)) = head.groups.iter().find(|(_, first, _)| *first == c) {
                    let end = col + *n as u16 - 1;
                    if end > col {
                        ws.merge_range(r, col, r, end, label, &f.header).map_err(xlsx_error)?;
                    } else {
                        ws.write_string_with_format(r, col, label, &f.header).map_err(xlsx_error)?;
                    }
                } else if !grouped(c) {
                    ws.merge_range(r, col, r + 1, col, h, &f.header).map_err(xlsx_error)?;
                }
            }
            r += 1;
            for (c, h) in headers.iter().enumerate() {
                if grouped(c) {
                    ws.write_string_with_format(r, c as u16 + 1, *h, &f.header).map_err(xlsx_error)?;
                }
            }
        } else {
            ws.write_string_with_format(r, 0, &head.number_header, &f.header).map_err(xlsx_error)?;
            for (c, h) in headers.iter().enumerate() {
                ws.write_string_with_format(r, c as u16 + 1, *h, &f.header).map_err(xlsx_error)?;
            }
        }
        // Headers wrap onto a second line rather than widen their columns.
        for header_row in first_header..=r {
            ws.set_row_height(header_row, 32).map_err(xlsx_error)?;
        }
        ws.set_repeat_rows(first_header, r).map_err(xlsx_error)?;
        ws.set_landscape();
        ws.set_paper_size(9);
        ws.set_print_fit_to_pages(1, 0);
        ws.set_print_center_horizontally(true);
        ws.set_margins(0.4, 0.4, 0.5, 0.5, 0.3, 0.3);
        self.sheet = Some(self.workbook.worksheets().len() - 1);
        self.next_row = r + 1;
        self.head_rows = r + 1;
        self.report = true;
        self.numbered = 0;
        self.widths = std::iter::once(head.number_header.chars().count() * 2)
            .chain(headers.iter().map(|h| Cell::Text(h.to_string()).width().min(REPORT_HEADER_WIDTH)))
            .collect();
        Ok(())
    }

    fn total(&mut self, cells: &[Cell]) -> ApiResult<()> {
        self.write_row(cells, true)
    }

    fn row(&mut self, cells: &[Cell]) -> ApiResult<()> {
        self.write_row(cells, false)
    }

    fn end(&mut self) -> ApiResult<()> {
        let ws = Self::worksheet(&mut self.workbook, self.sheet)?;
        let max = if self.report { REPORT_MAX_WIDTH } else { 58 };
        for (col, w) in self.widths.iter().enumerate() {
            ws.set_column_width(col as u16, ((*w).min(max) as f64 + 2.0).min(60.0)).map_err(xlsx_error)?;
        }
        ws.set_freeze_panes(self.head_rows, 0).map_err(xlsx_error)?;
        Ok(())
    }
}

impl XlsxSink {
    fn write_row(&mut self, cells: &[Cell], total: bool) -> ApiResult<()> {
        let r = self.next_row;
        if r > self.max_rows {
            return Err(ApiError::field(
                "rows",
                "too_many",
                format!("a worksheet holds at most {} rows: narrow the filters, or export CSV", self.max_rows),
            ));
        }
        let ws = Self::worksheet(&mut self.workbook, self.sheet)?;
        let offset = u16::from(self.report);
        if self.report {
            let f = &self.framed;
            if total {
                ws.write_blank(r, 0, &f.total).map_err(xlsx_error)?;
            } else {
                self.numbered += 1;
                ws.write_number_with_format(r, 0, f64::from(self.numbered), &f.number).map_err(xlsx_error)?;
            }
            for (col, cell) in cells.iter().enumerate() {
                let c = col as u16 + 1;
                match cell {
                    Cell::Text(v) => ws.write_string_with_format(r, c, v, if total { &f.total } else { &f.text }),
                    Cell::Int(n) => ws.write_number_with_format(r, c, *n as f64, &f.number),
                    Cell::Date(d) => ws.write_date_with_format(r, c, d, &f.date),
                    Cell::DateTime(t) => ws.write_datetime_with_format(r, c, t, &f.date_time),
                    Cell::Rate(Some(v)) => ws.write_number_with_format(r, c, *v, &f.percent),
                    Cell::Cents(v) => ws.write_number_with_format(r, c, *v as f64 / 100.0, &f.money),
                    Cell::Number(v) => ws.write_number_with_format(r, c, *v, &f.number),
                    Cell::Rate(None) | Cell::Empty => ws.write_blank(r, c, &f.text),
                }
                .map_err(xlsx_error)?;
            }
        } else {
            for (col, cell) in cells.iter().enumerate() {
                let c = col as u16;
                match cell {
                    Cell::Text(v) => ws.write_string(r, c, v).map(|_| ()),
                    Cell::Int(n) => ws.write_number(r, c, *n as f64).map(|_| ()),
                    Cell::Date(d) => ws.write_date_with_format(r, c, d, &self.date).map(|_| ()),
                    Cell::DateTime(t) => ws.write_datetime_with_format(r, c, t, &self.date_time).map(|_| ()),
                    Cell::Rate(Some(v)) => ws.write_number_with_format(r, c, *v, &self.percent).map(|_| ()),
                    Cell::Cents(v) => ws.write_number_with_format(r, c, *v as f64 / 100.0, &self.money).map(|_| ()),
                    Cell::Number(v) => ws.write_number(r, c, *v).map(|_| ()),
                    Cell::Rate(None) | Cell::Empty => Ok(()),
                }
                .map_err(xlsx_error)?;
            }
        }
        for (col, cell) in cells.iter().enumerate() {
            if let Some(w) = self.widths.get_mut(col + usize::from(offset)) {
                *w = (*w).max(cell.width());
            }
        }
        self.next_row += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_of(rows: &[Vec<Cell>]) -> String {
        let mut sink = CsvSink::new(Vec::new()).expect("sink");
        sink.start("t", &["a", "b"]).expect("header");
        for r in rows {
            sink.row(r).expect("row");
        }
        let bytes = sink.finish().expect("finish");
        assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF], "a byte-order mark");
        String::from_utf8(bytes[3..].to_vec()).expect("utf-8")
    }

    #[test]
    fn csv_text_that_excel_would_evaluate_gets_a_leading_quote() {
        let text = |s: &str| Cell::Text(s.to_string());
        let out = csv_of(&[
            vec![text("=cmd|' /C calc'!A0"), text("+1+1")],
            vec![text("@SUM(A1)"), text("-2+3")],
            vec![text("\tx"), text("\rx")],
            vec![text("金茂路=1"), text("'already")],
            vec![Cell::Int(-3), Cell::Number(-28.5)],
            vec![Cell::Cents(-1234), Cell::Cents(5)],
        ]);
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert_eq!(lines[0], "a,b");
        assert_eq!(lines[1], "'=cmd|' /C calc'!A0,'+1+1");
        assert_eq!(lines[2], "'@SUM(A1),'-2+3");
        assert_eq!(lines[3], "'\tx,\"'\rx\"");
        assert_eq!(lines[4], "金茂路=1,'already", "only a first character counts");
        assert_eq!(lines[5], "-3,-28.5", "numbers stay numbers");
        assert_eq!(lines[6], "-12.34,0.05");
    }

    #[test]
    fn a_worksheet_longer_than_excel_allows_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let mut sink = XlsxSink::new(dir.path()).expect("sink");
        sink.max_rows = 2;
        sink.start("t", &["a"]).expect("header");
        sink.row(&[Cell::Int(1)]).expect("row 1");
        sink.row(&[Cell::Int(2)]).expect("row 2");
        match sink.row(&[Cell::Int(3)]) {
            Err(ApiError::Validation(e)) => assert_eq!(e[0].code, "too_many"),
            other => panic!("expected a 422, got {other:?}"),
        }
    }
}
