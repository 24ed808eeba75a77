//! The registry (单位名册) as a spreadsheet: its columns, the same for the import template,
//! the import and the export, so that an exported file edited in Excel imports back; and
//! the export itself, read from a cursor in one snapshot.

use diesel::sql_types::Text;
use diesel::QueryableByName;

use super::list::Selection;
use super::model::Unit;
use crate::db::DbConn;
use crate::domain::labels::{self, Lang};
use crate::error::ApiResult;
use crate::export::writers::{Cell, TableSink};
use crate::export::{self, Column};

/// A column of the registry: the unit field it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    Community,
    Kind,
    Address,
    CreditCode,
    ContactName,
    ContactPhone,
    Latitude,
    Longitude,
}

impl Field {
    /// The columns, in the order of the template and the export.
    pub const ALL: [Field; 9] = [
        Field::Name,
        Field::Community,
        Field::Kind,
        Field::Address,
        Field::CreditCode,
        Field::ContactName,
        Field::ContactPhone,
        Field::Latitude,
        Field::Longitude,
    ];

    /// The Chinese header.
    pub const fn header(self) -> &'static str {
        match self {
            Field::Name => "单位名称",
            Field::Community => "社区",
            Field::Kind => "类型",
            Field::Address => "地址",
            Field::CreditCode => "统一社会信用代码",
            Field::ContactName => "联系人",
            Field::ContactPhone => "联系电话",
            Field::Latitude => "纬度",
            Field::Longitude => "经度",
        }
    }

    /// The English header: the field's name in the API.
    pub const fn name(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Community => "community",
            Field::Kind => "kind",
            Field::Address => "address",
            Field::CreditCode => "credit_code",
            Field::ContactName => "contact_name",
            Field::ContactPhone => "contact_phone",
            Field::Latitude => "latitude",
            Field::Longitude => "longitude",
        }
    }
}

/// A unit with its community's name.
#[derive(QueryableByName)]
pub struct RegistryLine {
    #[diesel(embed)]
    pub unit: Unit,
    #[diesel(sql_type = Text)]
    pub community_name: String,
}

const fn column(field: Field, cell: fn(&RegistryLine, Lang) -> Cell) -> Column<RegistryLine> {
    Column { zh: field.header(), en: field.name(), cell }
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

fn opt_text(s: &Option<String>) -> Cell {
    s.as_deref().map(text).unwrap_or(Cell::Empty)
}

fn opt_number(n: Option<f64>) -> Cell {
    n.map(Cell::Number).unwrap_or(Cell::Empty)
}

/// The export's columns: exactly [`Field::ALL`]'s, each cell as the import reads it back.
static COLUMNS: [Column<RegistryLine>; 9] = [
    column(Field::Name, |l, _| text(&l.unit.name)),
    column(Field::Community, |l, _| text(&l.community_name)),
    column(Field::Kind, |l, lang| text(labels::unit_kind(l.unit.kind, lang))),
    column(Field::Address, |l, _| text(&l.unit.address)),
    column(Field::CreditCode, |l, _| opt_text(&l.unit.credit_code)),
    column(Field::ContactName, |l, _| opt_text(&l.unit.contact_name)),
    column(Field::ContactPhone, |l, _| opt_text(&l.unit.contact_phone)),
    column(Field::Latitude, |l, _| opt_number(l.unit.latitude)),
    column(Field::Longitude, |l, _| opt_number(l.unit.longitude)),
];

/// The sheet's name.
pub const NAME: &str = "单位名册";

/// Writes the selection's units into `sink`; call inside a read snapshot.
pub fn write(conn: &mut DbConn, selection: &Selection<'_>, sink: &mut dyn TableSink) -> ApiResult<()> {
    let sql =
        selection.all(conn.engine(), "u.*, c.name AS community_name", " JOIN communities c ON c.id = u.community_id");
    export::write_lines(sink, NAME, &COLUMNS, Lang::Zh, |each| sql.for_each(conn, |line: RegistryLine| each(line)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_export_has_exactly_the_template_columns() {
        let exported: Vec<&str> = COLUMNS.iter().map(|c| c.zh).collect();
        let template: Vec<&str> = Field::ALL.iter().map(|f| f.header()).collect();
        assert_eq!(exported, template);
        let english: Vec<&str> = COLUMNS.iter().map(|c| c.en).collect();
        assert_eq!(english, Field::ALL.iter().map(|f| f.name()).collect::<Vec<_>>());
    }
}
