//! Storing and reading attachment rows.

use diesel::prelude::*;

use super::links;
use super::model::{Attachment, AttachmentRow};
use crate::db::schema::attachments;
use crate::db::DbConn;
use crate::domain::access::Scope;
use crate::domain::actor::Actor;
use crate::domain::{Id, Moment};
use crate::error::{ApiError, ApiResult};
use crate::http::idempotent::{self, Stored};

pub fn find(conn: &mut DbConn, id: Id) -> ApiResult<Option<AttachmentRow>> {
    Ok(attachments::table.find(id).select(AttachmentRow::as_select()).first(conn).optional()?)
}

/// The attachment if `viewer` may see it; otherwise 404, as if it did not exist.
pub fn visible(conn: &mut DbConn, id: Id, scope: &Scope, viewer: &Actor) -> ApiResult<AttachmentRow> {
    match find(conn, id)? {
        Some(row) if links::visible(conn, scope, viewer, row.id, row.uploaded_by)? => Ok(row),
        _ => Err(ApiError::not_found("attachment")),
    }
}

/// Bytes `user` uploaded in `[from, to)`, kept or removed since (the upload quota).
pub fn uploaded_between(conn: &mut DbConn, user: Id, from: Moment, to: Moment) -> ApiResult<i64> {
    Ok(attachments::table
        .filter(attachments::uploaded_by.eq(user))
        .filter(attachments::uploaded_at.ge(from))
        .filter(attachments::uploaded_at.lt(to))
        .select(diesel::dsl::sql::<diesel::sql_types::BigInt>("CAST(COALESCE(SUM(size), 0) AS BIGINT)"))
        .first(conn)?)
}

/// The upload stored earlier under this client id, if it was the same request (see
/// [`idempotent::earlier`]).
pub fn replay(conn: &mut DbConn, id: Id, hash: &str, scope: &Scope, viewer: &Actor) -> ApiResult<Option<Attachment>> {
    let Some(row) = find(conn, id)? else {
        return Ok(None);
    };
    let visible = links::visible(conn, scope, viewer, row.id, row.uploaded_by)?;
    if !idempotent::earlier(Some((&row.request_hash, visible)), hash, "attachment", id)? {
        return Ok(None);
    }
    Ok(Some(row.into()))
}

/// Stores the row of an upload whose file is already durable, in the caller's transaction.
pub fn insert(
    conn: &mut DbConn,
    row: AttachmentRow,
    scope: &Scope,
    uploader: &Actor,
) -> ApiResult<(Stored, Attachment)> {
    if let Some(earlier) = replay(conn, row.id, &row.request_hash, scope, uploader)? {
        return Ok((Stored::Replayed, earlier));
    }
    diesel::insert_into(attachments::table).values(&row).execute(conn)?;
    Ok((Stored::Created, row.into()))
}
