//! The units template (单位导入模板): the registry's header row, an example row, and
//! drop-down lists on 类型 and 社区, from a second, hidden sheet.

use rust_xlsxwriter::{DataValidation, Format, Formula, Workbook, XlsxError};

use super::sheet::MAX_ROWS;
use crate::domain::labels::{self, Lang};
use crate::domain::UnitKind;
use crate::error::{ApiError, ApiResult};
use crate::units::registry::{self, Field};

/// The sheet the drop-down lists are read from.
const LISTS: &str = "选项";

fn xlsx_error(e: XlsxError) -> ApiError {
    ApiError::internal("cannot write the template", e)
}

/// The template, with `communities` (the caller's, by name) in the 社区 list.
pub fn units(communities: &[String]) -> ApiResult<Vec<u8>> {
    build(communities).map_err(xlsx_error)
}

fn build(communities: &[String]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    // Codes and phone numbers are text: Excel would turn 18 digits into 9.1E+17.
    let text = Format::new().set_num_format("@");
    let example = [
        "湘味小厨",
        communities.first().map_or("金茂路社区", String::as_str),
        labels::unit_kind(UnitKind::Restaurant, Lang::Zh),
        "金茂路12号",
        "91430100MA4L16JQ9D",
        "王建国",
        "13800000000",
        "28.1941",
        "112.9788",
    ];
    let sheet = book.add_worksheet();
    sheet.set_name(registry::NAME)?;
    for (col, field) in Field::ALL.iter().enumerate() {
        let c = col as u16;
        sheet.write_string_with_format(0, c, field.header(), &bold)?;
        let width = if matches!(field, Field::CreditCode | Field::Address | Field::Name) { 22.0 } else { 12.0 };
        sheet.set_column_width(c, width)?;
        if matches!(field, Field::CreditCode | Field::ContactPhone) {
            sheet.set_column_format(c, &text)?;
        }
        match field {
            Field::Latitude | Field::Longitude => {
                sheet.write_number(1, c, example[col].parse::<f64>().unwrap_or(0.0))?
            }
            _ => sheet.write_string(1, c, example[col])?,
        };
    }
    sheet.set_freeze_panes(1, 0)?;
    let kinds: Vec<&str> = UnitKind::ALL.iter().map(|k| labels::unit_kind(*k, Lang::Zh)).collect();
    let list = |col: &str, n: usize| Formula::new(format!("='{LISTS}'!${col}$1:${col}${n}"));
    let column = |f: Field| Field::ALL.iter().position(|g| *g == f).unwrap_or(0) as u16;
    let last = MAX_ROWS as u32;
    let kind = DataValidation::new().allow_list_formula(list("A", kinds.len()));
    sheet.add_data_validation(1, column(Field::Kind), last, column(Field::Kind), &kind)?;
    if !communities.is_empty() {
        let named = DataValidation::new().allow_list_formula(list("B", communities.len()));
        sheet.add_data_validation(1, column(Field::Community), last, column(Field::Community), &named)?;
    }
    let lists = book.add_worksheet();
    lists.set_name(LISTS)?;
    for (row, k) in kinds.iter().enumerate() {
        lists.write_string(row as u32, 0, *k)?;
    }
    for (row, c) in communities.iter().enumerate() {
        lists.write_string(row as u32, 1, c)?;
    }
    lists.set_hidden(true);
    book.save_to_buffer()
}
