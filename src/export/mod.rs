//! Tables written as files for Excel, for the monthly report and the list exports (the
//! hazard ledger, the unit registry): the sinks ([`writers`]), a table's columns, and
//! building a file into a scratch file that is then sent with its length.

pub mod writers;

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom};
use std::path::Path;

use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::labels::Lang;
use crate::error::{ApiError, ApiResult};
use writers::{Cell, CsvSink, TableSink, XlsxSink};

/// A column of a table of lines `L`: its header, in Chinese and in English, and its cell
/// of a line.
pub struct Column<L> {
    pub zh: &'static str,
    pub en: &'static str,
    pub cell: fn(&L, Lang) -> Cell,
}

impl<L> Clone for Column<L> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<L> Copy for Column<L> {}

/// The headers of `columns` in `lang`.
pub fn headers<L>(columns: &[Column<L>], lang: Lang) -> Vec<&'static str> {
    columns.iter().map(|c| lang.pick(c.zh, c.en)).collect()
}

/// The cells of one line.
pub fn cells<L>(columns: &[Column<L>], line: &L, lang: Lang) -> Vec<Cell> {
    columns.iter().map(|c| (c.cell)(line, lang)).collect()
}

/// A table file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    /// UTF-8 with a byte-order mark, CRLF line ends, formula-safe.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

impl FileFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            FileFormat::Csv => "text/csv; charset=utf-8",
            FileFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Xlsx => "xlsx",
        }
    }
}

fn io_error(e: std::io::Error) -> ApiError {
    ApiError::internal("cannot write the file", e)
}

/// Writes tables into `file` (a fresh scratch file) as `format`: `write` hands the sink
/// its tables (a CSV holds one). `tmp_dir` takes a workbook's scratch files.
pub fn write_into(
    format: FileFormat,
    file: File,
    tmp_dir: &Path,
    write: impl FnOnce(&mut dyn TableSink) -> ApiResult<()>,
) -> ApiResult<File> {
    match format {
        FileFormat::Csv => {
            let mut sink = CsvSink::new(BufWriter::with_capacity(64 * 1024, file))?;
            write(&mut sink)?;
            sink.finish()?.into_inner().map_err(|e| io_error(e.into_error()))
        }
        FileFormat::Xlsx => {
            let mut sink = XlsxSink::new(tmp_dir)?;
            write(&mut sink)?;
            let mut out = BufWriter::with_capacity(64 * 1024, file);
            sink.finish(&mut out)?;
            out.into_inner().map_err(|e| io_error(e.into_error()))
        }
    }
}

/// Writes one table of lines: the header, then each line `lines` hands over.
pub fn write_lines<L>(
    sink: &mut dyn TableSink,
    name: &str,
    columns: &[Column<L>],
    lang: Lang,
    lines: impl FnOnce(&mut dyn FnMut(L) -> ApiResult<()>) -> ApiResult<()>,
) -> ApiResult<()> {
    sink.start(name, &headers(columns, lang))?;
    lines(&mut |line| sink.row(&cells(columns, &line, lang)))?;
    sink.end()
}

/// The file written so far, rewound, with its length.
pub fn rewound(mut file: File) -> ApiResult<(File, u64)> {
    let len = file.stream_position().map_err(io_error)?;
    file.seek(SeekFrom::Start(0)).map_err(io_error)?;
    Ok((file, len))
}
