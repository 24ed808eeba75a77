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

/// Whether `viewer` (with `scope`) may see an attachment uploaded by `uploaded_by` and
/// cited by records of `citing` (the communities of the records citing it): before any
/// citation its uploader only; once cited, whoever may see a record citing it, the
/// uploader included (citation ends the uploader's private access).
fn sees(scope: &Scope, viewer: &Actor, uploaded_by: Id, citing: &[Id]) -> bool {
    if citing.is_empty() {
        viewer.user_id == Some(uploaded_by)
    } else {
        citing.iter().any(|c| scope.allows(*c))
    }
}

/// The communities of the records citing each of these attachments, as
/// `(attachment, community)` pairs: one query.
fn citing_communities(conn: &mut DbConn, ids: &[Id]) -> ApiResult<Vec<(Id, Id)>> {
    Ok(attachment_links::table
        .filter(attachment_links::attachment_id.eq_any(ids))
        .select((attachment_links::attachment_id, attachment_links::community_id))
        .distinct()
        .load(conn)?)
}

fn communities_of(pairs: &[(Id, Id)], attachment_id: Id) -> Vec<Id> {
    pairs.iter().filter(|(a, _)| *a == attachment_id).map(|(_, c)| *c).collect()
}

/// Whether `viewer` (with `scope`) may see this attachment (see [`sees`]).
pub fn visible(
    conn: &mut DbConn,
    scope: &Scope,
    viewer: &Actor,
    attachment_id: Id,
    uploaded_by: Id,
) -> ApiResult<bool> {
    let citing = communities_of(&citing_communities(conn, &[attachment_id])?, attachment_id);
    Ok(sees(scope, viewer, uploaded_by, &citing))
}

/// Adds a 422 at `field[i]` for every id `citer` cannot cite from a record of
/// `community_id` (when it is known): `not_found` for one that does not exist or that they
/// may not see, `other_community` for one a record of another community cites already.
/// The lists are at most [`crate::domain::validate::MAX_CITED`] long (checked before).
pub fn check_citable(
    conn: &mut DbConn,
    scope: &Scope,
    citer: &Actor,
    ids: &[Id],
    field: &str,
    community_id: Option<Id>,
    p: &mut Problems,
) -> ApiResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    // A removed upload (swept, no longer stored) cannot be cited.
    let found: Vec<(Id, Id)> = attachments::table
        .filter(attachments::id.eq_any(ids))
        .filter(attachments::removed_at.is_null())
        .select((attachments::id, attachments::uploaded_by))
        .load(conn)?;
    let citing = citing_communities(conn, ids)?;
    for (i, id) in ids.iter().enumerate() {
        let Some((_, by)) = found.iter().find(|(a, _)| a == id) else {
            p.push(format!("{field}[{i}]"), "not_found", "no attachment has this id");
            continue;
        };
        let communities = communities_of(&citing, *id);
        if !sees(scope, citer, *by, &communities) {
            p.push(format!("{field}[{i}]"), "not_found", "no attachment has this id");
        } else if community_id.is_some_and(|c| communities.iter().any(|other| *other != c)) {
            p.push(
                format!("{field}[{i}]"),
                "other_community",
                "this attachment is cited by a record of another community",
            );
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
