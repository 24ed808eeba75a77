//! Where the monthly report's tables are rendered: as CSV (UTF-8 with BOM, CRLF, so Excel
//! shows Chinese) or as an Excel workbook (one sheet per table). Rows go to a
//! [`TableSink`] one at a time, so a table of any length is written in constant memory;
//! what the tables hold is [`super::tables`].

use std::io::{Seek, Write};
use std::path::Path;

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

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
