//! Citations: which records cite which attachments, and who may cite or see them.

use diesel::prelude::*;

use crate::db::schema::{attachment_links, attachments};
use crate::db::DbConn;
use crate::domain::access::Scope;
use crate::domain::actor::Actor;
use crate::domain::validate::Problems;
use crate::domain::Id;
use crate::error::ApiResult;

/// The kinds of record that cite attachments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Inspection,
    Hazard,
    Rectification,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Inspection => "inspection",
            RecordKind::Hazard => "hazard",
            RecordKind::Rectification => "rectification",
        }
    }
}

/// Whether `viewer` (with `scope`) may see this attachment: its uploader always; anyone
/// else once a record in their scope cites it.
pub fn visible(
    conn: &mut DbConn,
    scope: &Scope,
    viewer: &Actor,
    attachment_id: Id,
    uploaded_by: Id,
) -> ApiResult<bool> {
    if viewer.user_id == Some(uploaded_by) {
        return Ok(true);
    }
    let mut q = attachment_links::table
        .filter(attachment_links::attachment_id.eq(attachment_id))
        .select(attachment_links::attachment_id)
        .into_boxed();
    if let Some(ids) = scope.restriction() {
        q = q.filter(attachment_links::community_id.eq_any(ids));
    }
    Ok(q.first::<Id>(conn).optional()?.is_some())
}

/// Adds a 422 `not_found` at `field[i]` for every id `citer` cannot cite: one that does
/// not exist or that they may not see.
pub fn check_citable(
    conn: &mut DbConn,
    scope: &Scope,
    citer: &Actor,
    ids: &[Id],
    field: &str,
    p: &mut Problems,
) -> ApiResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let found: Vec<(Id, Id)> = attachments::table
        .filter(attachments::id.eq_any(ids))
        .select((attachments::id, attachments::uploaded_by))
        .load(conn)?;
    for (i, id) in ids.iter().enumerate() {
        let ok = match found.iter().find(|(a, _)| a == id) {
            Some((a, by)) => visible(conn, scope, citer, *a, *by)?,
            None => false,
        };
        if !ok {
            p.push(format!("{field}[{i}]"), "not_found", "no attachment has this id");
        }
    }
    Ok(())
}

/// Records that `record_id` (of `community_id`) cites these attachments, in this order.
pub fn cite(conn: &mut DbConn, ids: &[Id], kind: RecordKind, record_id: Id, community_id: Id) -> ApiResult<()> {
    for (position, id) in ids.iter().enumerate() {
        diesel::insert_into(attachment_links::table)
            .values((
                attachment_links::attachment_id.eq(*id),
                attachment_links::record_kind.eq(kind.as_str()),
                attachment_links::record_id.eq(record_id),
                attachment_links::community_id.eq(community_id),
                attachment_links::position.eq(position as i32),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The attachments these records cite, as `(record, attachment)` in citation order: one query.
pub fn cited_by(conn: &mut DbConn, kind: RecordKind, record_ids: &[Id]) -> ApiResult<Vec<(Id, Id)>> {
    if record_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(attachment_links::table
        .filter(attachment_links::record_kind.eq(kind.as_str()))
        .filter(attachment_links::record_id.eq_any(record_ids))
        .order((attachment_links::record_id, attachment_links::position))
        .select((attachment_links::record_id, attachment_links::attachment_id))
        .load(conn)?)
}

/// The attachment ids one record cites, from the result of [`cited_by`].
pub fn of(pairs: &[(Id, Id)], record_id: Id) -> Vec<Id> {
    pairs.iter().filter(|(r, _)| *r == record_id).map(|(_, a)| *a).collect()
}
