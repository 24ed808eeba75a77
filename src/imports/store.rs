//! Stored imports: kept with the report they answered, replayed under their id.

use diesel::prelude::*;

use super::model::{Import, ImportReport, ImportRow};
use super::By;
use crate::db::schema::imports;
use crate::db::DbConn;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::http::idempotent;

pub fn insert(conn: &mut DbConn, row: &ImportRow) -> ApiResult<()> {
    diesel::insert_into(imports::table).values(row).execute(conn)?;
    Ok(())
}

pub fn set_report(conn: &mut DbConn, id: Id, report: &str) -> ApiResult<()> {
    diesel::update(imports::table.find(id)).set(imports::report.eq(report)).execute(conn)?;
    Ok(())
}

fn find(conn: &mut DbConn, id: Id) -> ApiResult<Option<ImportRow>> {
    Ok(imports::table.find(id).select(ImportRow::as_select()).first(conn).optional()?)
}

fn sees(by: &By<'_>, row: &ImportRow) -> bool {
    by.sees_every_import || (row.created_by.is_some() && row.created_by == by.actor.user_id)
}

fn report_of(row: &ImportRow) -> ApiResult<ImportReport> {
    serde_json::from_str(&row.report)
        .map_err(|e| ApiError::internal(&format!("corrupt report stored for import {}", row.id), e))
}

/// The import applied earlier under this id, if it was the same request (see
/// [`idempotent::earlier`]).
pub fn replay(conn: &mut DbConn, id: Id, hash: &str, by: &By<'_>) -> ApiResult<Option<ImportReport>> {
    let Some(row) = find(conn, id)? else {
        return Ok(None);
    };
    if !idempotent::earlier(Some((&row.request_hash, sees(by, &row))), hash, "import", id)? {
        return Ok(None);
    }
    report_of(&row).map(Some)
}

/// An import the caller may see (admins every one, others their own); 404 otherwise.
pub fn get(conn: &mut DbConn, id: Id, by: &By<'_>) -> ApiResult<Import> {
    let row = find(conn, id)?.filter(|r| sees(by, r)).ok_or_else(|| ApiError::not_found("import"))?;
    Ok(Import {
        report: report_of(&row)?,
        kind: row.kind,
        file_name: row.file_name,
        created_at: row.created_at,
        created_by: row.created_by,
    })
}
