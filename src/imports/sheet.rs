//! Reading an uploaded spreadsheet into rows of text: an XLSX workbook's first sheet, or a
//! CSV file in UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark, or
//! GB18030 (what Excel in China saves CSV as). The first non-blank row is the header; each
//! row keeps the number the spreadsheet shows it under; cells are normalised.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE};

use crate::error::ApiError;

/// Data rows an import takes at most; more is a 413.
pub const MAX_ROWS: usize = 50_000;

/// A spreadsheet as read: its header and its data rows (blank rows left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// A data row: its number in the spreadsheet (the header is usually row 1) and its
/// normalised cells, one per header column (missing ones are empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub number: u32,
    pub cells: Vec<String>,
}

impl Row {
    /// The cell of column `i`, `None` when blank.
    pub fn cell(&self, i: usize) -> Option<&str> {
        self.cells.get(i).map(String::as_str).filter(|c| !c.is_empty())
    }
}

fn unreadable(what: impl std::fmt::Display) -> ApiError {
    ApiError::field("file", "unreadable", format!("the file cannot be read as a spreadsheet: {what}"))
}

/// Reads a spreadsheet from its bytes, whatever it is (XLSX, or CSV text).
pub fn read(bytes: &[u8]) -> Result<Sheet, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::field("file", "empty", "the file is empty"));
    }
    let raw = if bytes.starts_with(b"PK\x03\x04") {
        xlsx_rows(bytes)?
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(ApiError::UnsupportedMediaType(
            "an Excel 97-2003 workbook (.xls): save it as .xlsx or CSV and send that".into(),
        ));
    } else {
        csv_rows(&decode(bytes)?)?
    };
    sheet_of(raw)
}

/// The text of CSV bytes: UTF-8 when it is (a byte-order mark is dropped), UTF-16 when a
/// byte-order mark says so, GB18030 otherwise.
fn decode(bytes: &[u8]) -> Result<String, ApiError> {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        if encoding == UTF_16LE || encoding == UTF_16BE || encoding == encoding_rs::UTF_8 {
            return encoding
                .decode_without_bom_handling_and_without_replacement(&bytes[bom..])
                .map(|t| t.into_owned())
                .ok_or_else(|| unreadable(format!("it is not valid {}", encoding.name())));
        }
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|t| t.into_owned())
        .ok_or_else(|| unreadable("CSV must be UTF-8 or GB18030 (GBK) text"))
}

/// A sheet's raw rows: (row number, cells).
type RawRows = Vec<(u32, Vec<String>)>;

fn csv_rows(text: &str) -> Result<RawRows, ApiError> {
    if text.contains('\0') {
        return Err(unreadable("it holds binary data"));
    }
    // A file saved as "Unicode text" separates by tabs.
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches('\t').count() > first.matches(',').count() { b'\t' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(unreadable)?;
        guard_rows(rows.len())?;
        rows.push((i as u32 + 1, record.iter().map(str::to_string).collect()));
    }
    Ok(rows)
}

fn xlsx_rows(bytes: &[u8]) -> Result<RawRows, ApiError> {
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let range = match book.worksheet_range_at(0) {
        Some(r) => r.map_err(unreadable)?,
        None => return Err(unreadable("the workbook has no sheet")),
    };
    let first_row = range.start().map_or(0, |(row, _)| row);
    let first_col = range.start().map_or(0, |(_, col)| col) as usize;
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        guard_rows(rows.len())?;
        let mut cells = vec![String::new(); first_col];
        cells.extend(row.iter().map(cell_text));
        rows.push((first_row + i as u32 + 1, cells));
    }
    Ok(rows)
}

/// Refuses a file long past the limit before it is all read (blank rows, which are not
/// counted, included); the exact count is checked once blank rows are left out.
fn guard_rows(read: usize) -> Result<(), ApiError> {
    if read > 2 * MAX_ROWS {
        return Err(ApiError::TooManyRows(MAX_ROWS));
    }
    Ok(())
}

/// A workbook cell as text: a whole number without a fraction (a phone number typed as a
/// number), other numbers in full.
fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// The header (the first row with any text) and the non-blank rows after it, normalised.
fn sheet_of(raw: RawRows) -> Result<Sheet, ApiError> {
    let mut rows = raw.into_iter().map(|(n, cells)| (n, cells.iter().map(|c| normalise(c)).collect::<Vec<_>>()));
    let blank = |cells: &[String]| cells.iter().all(String::is_empty);
    let Some((_, headers)) = rows.by_ref().find(|(_, cells)| !blank(cells)) else {
        return Err(ApiError::field("file", "empty", "the file has no header row"));
    };
    let rows: Vec<Row> = rows
        .filter(|(_, cells)| !blank(cells))
        .map(|(number, mut cells)| {
            cells.resize(headers.len().max(cells.len()), String::new());
            Row { number, cells }
        })
        .collect();
    if rows.len() > MAX_ROWS {
        return Err(ApiError::TooManyRows(MAX_ROWS));
    }
    Ok(Sheet { headers, rows })
}

/// A cell as the import reads it: full-width letters, digits and signs as their ASCII
/// forms, the ideographic space as a space, surrounding white space gone, and a leading
/// `'` dropped (exports add it so that Excel never reads a formula).
pub fn normalise(raw: &str) -> String {
    let half: String = raw
        .chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect();
    let trimmed = half.trim();
    trimmed.strip_prefix('\'').unwrap_or(trimmed).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_lose_full_width_forms_spaces_and_the_formula_guard() {
        assert_eq!(normalise("　金茂路１２号 "), "金茂路12号");
        assert_eq!(normalise("'+86 138"), "+86 138");
        assert_eq!(normalise("  '=1+1 "), "=1+1");
        assert_eq!(normalise("ＡＢＣ（店）"), "ABC(店)");
        assert_eq!(normalise("湘味小厨"), "湘味小厨");
    }

    #[test]
    fn csv_in_utf8_gb18030_and_utf16_reads_the_same() {
        let text = "单位名称,地址\r\n湘味小厨,金茂路１２号\r\n,\r\n\"老街,五金\",书院路3号\r\n";
        let want = Sheet {
            headers: vec!["单位名称".into(), "地址".into()],
            rows: vec![
                Row { number: 2, cells: vec!["湘味小厨".into(), "金茂路12号".into()] },
                Row { number: 4, cells: vec!["老街,五金".into(), "书院路3号".into()] },
            ],
        };
        assert_eq!(read(text.as_bytes()).expect("utf-8"), want);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(read(&bom).expect("utf-8 with a BOM"), want);
        let (gbk, _, _) = GB18030.encode(text);
        assert!(std::str::from_utf8(&gbk).is_err(), "really not UTF-8");
        assert_eq!(read(&gbk).expect("gb18030"), want);
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(read(&utf16).expect("utf-16"), want);
        let tabs = "单位名称\t地址\r\n湘味小厨\t金茂路12号\r\n\t\r\n老街,五金\t书院路3号\r\n";
        assert_eq!(read(tabs.as_bytes()).expect("tab-separated"), want);
    }

    #[test]
    fn what_is_not_a_spreadsheet_is_refused() {
        assert!(matches!(read(b""), Err(ApiError::Validation(_))));
        assert!(matches!(read(b"\n\n ,\n"), Err(ApiError::Validation(_))), "no header");
        assert!(matches!(read(b"PK\x03\x04garbage"), Err(ApiError::Validation(_))));
        assert!(matches!(read(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1]), Err(ApiError::UnsupportedMediaType(_))));
        assert!(matches!(read(b"a,b\n\0\0\0"), Err(ApiError::Validation(_))));
        assert!(matches!(read(&[0x81, 0x20, 0xFF]), Err(ApiError::Validation(_))), "neither UTF-8 nor GB18030");
        let many = format!("a\n{}", "x\n\n".repeat(MAX_ROWS + 1));
        assert!(matches!(read(many.as_bytes()), Err(ApiError::TooManyRows(_))));
        let enough = format!("a\n{}", "x\n".repeat(MAX_ROWS));
        assert_eq!(read(enough.as_bytes()).expect("the limit itself").rows.len(), MAX_ROWS);
    }
}
