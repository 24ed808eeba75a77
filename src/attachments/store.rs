//! Storing and reading attachment rows.

use diesel::prelude::*;

use super::links;
use super::model::{Attachment, AttachmentRow};
use crate::db::schema::attachments;
use crate::db::DbConn;
use crate::domain::access::Caller;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};

/// Whether an upload was stored now or had been stored before under the same id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Replayed,
}

pub fn find(conn: &mut DbConn, id: Id) -> ApiResult<Option<AttachmentRow>> {
    Ok(attachments::table.find(id).select(AttachmentRow::as_select()).first(conn).optional()?)
}

/// The attachment if the caller may see it; otherwise 404, as if it did not exist.
pub fn visible(conn: &mut DbConn, id: Id, caller: &Caller) -> ApiResult<AttachmentRow> {
    match find(conn, id)? {
        Some(row) if links::visible(conn, caller, row.id, row.uploaded_by)? => Ok(row),
        _ => Err(ApiError::not_found("attachment")),
    }
}

/// An earlier upload under this client id: the same request replays it, anything else
/// under that id is a conflict. One the caller may not see is refused the same way,
/// without revealing it.
pub fn replay(conn: &mut DbConn, id: Id, hash: &str, caller: &Caller) -> ApiResult<Option<Attachment>> {
    match find(conn, id)? {
        None => Ok(None),
        Some(row) if row.request_hash == hash && links::visible(conn, caller, row.id, row.uploaded_by)? => {
            Ok(Some(row.into()))
        }
        Some(_) => Err(ApiError::Conflict(format!("attachment {id} was already uploaded with different content"))),
    }
}

/// Stores the row of an upload whose file is already durable, in the caller's transaction.
pub fn insert(conn: &mut DbConn, row: AttachmentRow, caller: &Caller) -> ApiResult<(Outcome, Attachment)> {
    if let Some(earlier) = replay(conn, row.id, &row.request_hash, caller)? {
        return Ok((Outcome::Replayed, earlier));
    }
    diesel::insert_into(attachments::table).values(&row).execute(conn)?;
    Ok((Outcome::Created, row.into()))
}
